import DescentCore
import DescentTraining

extension CSVReader {
    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    /// Parses CSV bytes (UTF-8) into a header and rows, one pass over the bytes.
    static func parse(bytes: [UInt8], source: String) throws -> CSVTable {
        var records = [[String]]()
        var recordLines = [Int]()
        var fields = [String]()
        var field = [UInt8]()
        var line = 1
        var recordLine = 1
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0

        func error(_ reason: String) -> DescentError {
            .invalidArgument(operation: "CSVReader", reason: "\(source), line \(line): \(reason)")
        }
        func endRecord() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            // A line with nothing on it is not a record.
            if fields.count > 1 || !fields[0].isEmpty {
                records.append(fields)
                recordLines.append(recordLine)
            }
            fields.removeAll(keepingCapacity: true)
        }

        var atFieldStart = true
        while index < bytes.count {
            let byte = bytes[index]
            if atFieldStart && byte == quote {
                // A quoted field: up to the closing quote, with "" standing for one quote.
                let openingLine = line
                index += 1
                while true {
                    guard index < bytes.count else {
                        line = openingLine
                        throw error("a quoted field is not closed; add the closing \"")
                    }
                    let inner = bytes[index]
                    if inner == quote {
                        if index + 1 < bytes.count && bytes[index + 1] == quote {
                            field.append(quote)
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    if inner == lineFeed { line += 1 }
                    field.append(inner)
                    index += 1
                }
                if index < bytes.count {
                    let next = bytes[index]
                    let isEnd =
                        next == comma || next == lineFeed
                        || (next == carriageReturn && index + 1 < bytes.count
                            && bytes[index + 1] == lineFeed)
                    guard isEnd || next == carriageReturn && index + 1 == bytes.count else {
                        throw error(
                            "unexpected '\(String(decoding: [next], as: UTF8.self))' after a closing quote; "
                                + "write a quote inside a quoted field as \"\"")
                    }
                }
                atFieldStart = false
                continue
            }
            atFieldStart = false
            switch byte {
            case comma:
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                atFieldStart = true
            case lineFeed:
                endRecord()
                line += 1
                recordLine = line
                atFieldStart = true
            case carriageReturn where index + 1 == bytes.count || bytes[index + 1] == lineFeed:
                break
            default:
                field.append(byte)
            }
            index += 1
        }
        if !atFieldStart || !fields.isEmpty { endRecord() }

        guard let header = records.first else {
            throw DescentError.invalidArgument(
                operation: "CSVReader",
                reason: "\(source) is empty; it needs a header row and data rows")
        }
        for (number, record) in records.enumerated().dropFirst() where record.count != header.count
        {
            throw DescentError.invalidArgument(
                operation: "CSVReader",
                reason:
                    "\(source), line \(recordLines[number]): \(record.count) fields, but the header has "
                    + "\(header.count); quote fields that contain commas")
        }
        return CSVTable(
            header: header.map(trimmed), rows: Array(records.dropFirst()),
            lineNumbers: Array(recordLines.dropFirst()),
            source: source)
    }
}
