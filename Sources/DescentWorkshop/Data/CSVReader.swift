import DescentCore
import DescentTraining

/// The records of a CSV file: a header row of column names and the rows after it.
public struct CSVTable: Sendable, Equatable {
    /// The column names, from the first record, with surrounding spaces and tabs removed.
    public let header: [String]
    /// The fields of each record after the header, `header.count` per row, as written (quotes removed).
    public let rows: [[String]]
    /// The 1-based line of the file on which each row starts (the header is on line 1 or later).
    public let lineNumbers: [Int]
    /// The file name or other name used in error messages.
    public let source: String

    public init(header: [String], rows: [[String]], lineNumbers: [Int], source: String) {
        self.header = header
        self.rows = rows
        self.lineNumbers = lineNumbers
        self.source = source
    }
}

/// Reads comma-separated values in the manner of RFC 4180 [1], and turns a table into a `Dataset`.
///
/// - Fields are separated by commas and records by LF or CRLF. A field in double quotes may hold
///   commas, line breaks and doubled quotes (`""` for `"`). Empty lines are skipped; a UTF-8 byte
///   order mark is ignored.
/// - The first record is the header; every other record must have as many fields.
/// - Files may be gzip-compressed (they are read through zlib, which passes plain files through).
///
/// [1]: Shafranovich, "Common Format and MIME Type for Comma-Separated Values (CSV) Files",
///      RFC 4180, 2005.
public enum CSVReader {
    /// Which columns hold the labels.
    public enum LabelColumn: Sendable, Equatable {
        /// A column of class labels (any text, for example `setosa` or `3`). The classes are the
        /// distinct values, sorted numerically when all are integer values and as text otherwise;
        /// class `i` is the `i`-th and its name is the value itself. Integer values are one class
        /// however they are written: `2`, `2.0` and `2e0` are class "2".
        case classes(String)
        /// Columns of real-valued targets, in this order.
        case targets([String])
    }

    /// Parses CSV text.
    ///
    /// - Parameters:
    ///   - text: The whole text, header first.
    ///   - source: The name used in error messages.
    /// - Throws: `DescentError.invalidArgument` for text without a header, an unterminated quoted
    ///   field, a character after a closing quote, or a record whose field count differs from the
    ///   header's, naming the line.
    public static func parse(_ text: String, source: String = "CSV text") throws -> CSVTable {
        try parse(bytes: Array(text.utf8), source: source)
    }

    /// Reads and parses a CSV file, plain or gzip-compressed.
    ///
    /// - Throws: `DescentError.invalidArgument` when the file cannot be read, or as `parse(_:source:)`.
    public static func read(path: String) throws -> CSVTable {
        let file = try GzipFile(path: path, operation: "CSVReader")
        defer { file.close() }
        let bytes = try file.readToEnd()
        try checkText(bytes, source: path)
        return try parse(bytes: bytes, source: path)
    }

    /// Refuses bytes that are not text: a NUL byte, or bytes that are not UTF-8 (a binary file, an
    /// image, a compressed file without the .gz its reader would need), naming the line.
    static func checkText(_ bytes: [UInt8], source: String) throws {
        func line(at offset: Int) -> Int {
            1 + bytes[..<offset].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        }
        func fail(_ what: String, at offset: Int) -> DescentError {
            .invalidArgument(
                operation: "CSVReader",
                reason:
                    "\(source) is not a CSV text file: line \(line(at: offset)) holds \(what); give a text CSV (a compressed one named .gz)"
            )
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw DescentError.invalidArgument(
                operation: "CSVReader",
                reason: "\(source) is UTF-16 text; save it as UTF-8 (iconv -f utf-16 -t utf-8)")
        }
        if let nul = bytes.firstIndex(of: 0) { throw fail("a NUL byte", at: nul) }
        var decoder = UTF8()
        var iterator = bytes.makeIterator(), offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return
            case .error:
                throw DescentError.invalidArgument(
                    operation: "CSVReader",
                    reason:
                        "\(source), line \(line(at: offset)): bytes that are not UTF-8 (Latin-1 or Windows-1252 text?); "
                        + "convert it: iconv -f latin1 -t utf-8")
            }
        }
    }

    /// A data set from a CSV file: the label columns and numeric feature columns.
    ///
    /// - Parameters:
    ///   - path: A plain or gzip-compressed CSV file with a header row.
    ///   - label: The column of class labels or the columns of targets, by name.
    ///   - featureColumns: The feature columns by name, in this order; nil for every column that
    ///     is not a label column, in file order.
    /// - Throws: `DescentError.invalidArgument` as `read(path:)` and `dataset(from:label:featureColumns:)`.
    public static func readDataset(
        path: String, label: LabelColumn, featureColumns: [String]? = nil
    ) throws -> Dataset {
        try dataset(from: read(path: path), label: label, featureColumns: featureColumns)
    }

    /// A data set from a parsed table.
    ///
    /// - Throws: `DescentError.invalidArgument` naming the line and column of a feature or target
    ///   that is empty, not a number, or NaN or infinite; a column name that is not in the header
    ///   (listing those that are) or appears twice; a table with no rows; or an empty class label.
    public static func dataset(
        from table: CSVTable, label: LabelColumn, featureColumns: [String]? = nil
    ) throws -> Dataset {
        let operation = "CSVReader"
        try DataValidation.require(
            !table.rows.isEmpty, operation,
            "\(table.source) has a header but no data rows (an empty data set)")
        let labelNames: [String]
        switch label {
        case .classes(let name): labelNames = [name]
        case .targets(let names): labelNames = names
        }
        try DataValidation.require(!labelNames.isEmpty, operation, "no target columns were named")
        let featureNames = featureColumns ?? table.header.filter { !labelNames.contains($0) }
        try DataValidation.require(
            !featureNames.isEmpty, operation,
            "\(table.source) has no feature columns besides the label columns")
        let labelIndices = try labelNames.map { try column($0, in: table) }
        let featureIndices = try featureNames.map { try column($0, in: table) }
        if let overlap = featureNames.first(where: labelNames.contains) {
            throw DescentError.invalidArgument(
                operation: operation,
                reason: "column '\(overlap)' is named both as a feature and as a label")
        }
        let features = try numbers(in: table, columns: featureIndices)
        let labels: Dataset.Labels
        switch label {
        case .classes:
            labels = try classes(in: table, column: labelIndices[0])
        case .targets:
            labels = .targets(
                values: try numbers(in: table, columns: labelIndices), width: labelIndices.count)
        }
        return try Dataset(
            features: features, featureCount: featureIndices.count, labels: labels,
            featureNames: featureNames)
    }

    /// The values of the columns `names`, row-major, for rows without labels (prediction).
    /// - Throws: `DescentError.invalidArgument` as `dataset(from:label:featureColumns:)`.
    public static func features(from table: CSVTable, columns names: [String]) throws -> [Float] {
        try DataValidation.require(
            !table.rows.isEmpty, "CSVReader", "\(table.source) has a header but no data rows")
        return try numbers(in: table, columns: try names.map { try column($0, in: table) })
    }

    /// The index of the column called `name`.
    /// - Throws: `DescentError.invalidArgument` when no column or several have that name.
    public static func column(_ name: String, in table: CSVTable) throws -> Int {
        let matches = table.header.indices.filter { table.header[$0] == name }
        guard matches.count == 1 else {
            let reason =
                matches.isEmpty
                ? "\(table.source) has no column '\(name)'; its columns are "
                    + table.header.map { "'\($0)'" }.joined(separator: ", ")
                : "\(table.source) has \(matches.count) columns named '\(name)' (columns "
                    + matches.map { String($0 + 1) }.joined(separator: ", ")
                    + "); rename them in the header"
            throw DescentError.invalidArgument(operation: "CSVReader", reason: reason)
        }
        return matches[0]
    }

    /// The values of `columns`, row-major, each a finite number.
    private static func numbers(in table: CSVTable, columns: [Int]) throws -> [Float] {
        var values = [Float]()
        values.reserveCapacity(table.rows.count * columns.count)
        for (row, fields) in table.rows.enumerated() {
            for column in columns {
                let field = trimmed(fields[column])
                guard let value = Float(field), value.isFinite else {
                    let problem =
                        field.isEmpty
                        ? "is empty (a missing value); fill it in or remove the row"
                        : Float(field) == nil
                            ? "'\(shortened(field))' is not a number"
                            : "'\(shortened(field))' is not finite (NaN or infinite, or too large for a Float); "
                                + "remove or impute it"
                    throw DescentError.invalidArgument(
                        operation: "CSVReader",
                        reason:
                            "\(table.source), line \(table.lineNumbers[row]), column \(column + 1) "
                            + "('\(table.header[column])'): \(problem)")
                }
                values.append(value)
            }
        }
        return values
    }

    /// Class labels from the distinct values of `column`.
    private static func classes(in table: CSVTable, column: Int) throws -> Dataset.Labels {
        let values = table.rows.map { trimmed($0[column]) }
        if let row = values.firstIndex(where: \.isEmpty) {
            throw DescentError.invalidArgument(
                operation: "CSVReader",
                reason: "\(table.source), line \(table.lineNumbers[row]), column \(column + 1) "
                    + "('\(table.header[column])'): the class label is empty; fill it in or remove the row"
            )
        }
        let integers = values.map(integerValue)
        let numeric = integers.allSatisfy { $0 != nil }
        let labels = numeric ? integers.map { String($0!) } : values
        var names = Array(Set(labels))
        if numeric {
            names.sort { Int($0)! < Int($1)! }
        } else {
            names.sort()
        }
        let index = Dictionary(
            uniqueKeysWithValues: names.enumerated().map { ($0.element, Int32($0.offset)) })
        return .classes(indices: labels.map { index[$0]! }, classCount: names.count, names: names)
    }

    /// The integer a field holds, written `2`, `2.0` or `2e0`; nil for other text or numbers.
    static func integerValue(_ field: String) -> Int? {
        if let integer = Int(field) { return integer }
        // Decimal notation only: Double would also read hexadecimal (0x1A).
        guard field.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else {
            return nil
        }
        return Double(field).flatMap { Int(exactly: $0) }
    }

    /// `field` for a message: at most 40 characters (then "..."), control characters as `\u{..}`.
    static func shortened(_ field: String) -> String {
        let visible = field.unicodeScalars.prefix(40).map {
            $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0)
        }
        return visible.joined() + (field.unicodeScalars.count > 40 ? "..." : "")
    }

    /// `field` without leading and trailing spaces and tabs.
    static func trimmed(_ field: String) -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = field.firstIndex(where: { !isBlank($0) }),
            let last = field.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(field[first...last])
    }
}
