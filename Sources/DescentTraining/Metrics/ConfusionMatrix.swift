import DescentCore

/// Counts of (true class, predicted class) pairs: `counts[t][p]` is the number of samples of
/// class `t` predicted as class `p`.
///
///     counts[t][p] = #{i : labels[i] == t and predictions[i] == p}
///     support[t] = sum_p counts[t][p]          (row sums: samples of class t)
///     predictedCounts[p] = sum_t counts[t][p]  (column sums: samples predicted as p)
///
/// Rows are true classes and columns predicted ones, as scikit-learn's `confusion_matrix`; the
/// diagonal holds the correct predictions. Every class in `0..<classCount` has a row and a column,
/// whether or not it occurs. A matrix holds at least one sample. Inputs follow
/// `ClassificationMetrics`'s conventions (`[Int32]` labels, row-major `[N, C]` scores, ties to
/// the lower index, NaN scores rejected). `ClassificationReport` derives precision, recall and F1
/// from it.
///
/// `description` is an aligned table with the class names as row and column headings:
///
///     true \ predicted  T-shirt/top  Trouser  Bag
///     T-shirt/top               850        3   12
///     Trouser                     2      961    0
///     Bag                         9        0  975
public struct ConfusionMatrix: Sendable, Equatable, CustomStringConvertible {
    /// The number of classes `C`: the matrix is `C x C`.
    public let classCount: Int
    /// One name per class, used by `description` and `ClassificationReport`; "0", "1", ... unless
    /// given.
    public let classNames: [String]
    /// `counts[t][p]`: samples of true class `t` predicted as `p`; `C` rows of `C` counts.
    public let counts: [[Int]]

    /// Counts the pairs `(labels[i], predictions[i])`.
    /// - Parameters:
    ///   - labels: the true class of each sample, `N >= 1` values in `[0, classCount)`.
    ///   - predictions: the predicted class of each sample, `N` values in `[0, classCount)`.
    ///   - classCount: the number of classes `C >= 1`.
    ///   - classNames: one name per class (for example Fashion-MNIST's "T-shirt/top", "Trouser",
    ///     ...), or `nil` for "0", "1", ...
    /// - Throws: `DescentError.invalidArgument` for empty input, `classCount < 1` or a class index
    ///   outside `[0, classCount)`; `DescentError.shapeMismatch` when the counts differ or
    ///   `classNames` does not hold `classCount` names.
    public init(
        labels: [Int32], predictions: [Int32], classCount: Int, classNames: [String]? = nil
    ) throws {
        let operation = "ConfusionMatrix"
        try MetricsValidation.classIndices(
            labels: labels, predictions: predictions, classCount: classCount, of: operation)
        var counts = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        for (label, prediction) in zip(labels, predictions) {
            counts[Int(label)][Int(prediction)] += 1
        }
        try self.init(validated: counts, classNames: classNames, of: operation)
    }

    /// Counts the pairs `(labels[i], argmax of row i of scores)`, the first maximum winning a tie.
    /// - Parameters:
    ///   - labels: the true class of each sample, `N >= 1` values in `[0, classCount)`.
    ///   - scores: row-major `[N, C]` scores (logits or probabilities); no NaN.
    ///   - classCount: the number of classes `C >= 1`.
    ///   - classNames: one name per class, or `nil` for "0", "1", ...
    /// - Throws: `DescentError.invalidArgument` for empty input, `classCount < 1`, a label outside
    ///   `[0, classCount)` or a NaN score; `DescentError.shapeMismatch` when `scores` does not hold
    ///   `N * C` values or `classNames` does not hold `classCount` names.
    public init(
        labels: [Int32], scores: [Float], classCount: Int, classNames: [String]? = nil
    ) throws {
        try MetricsValidation.labels(
            labels, scores: scores, classCount: classCount, of: "ConfusionMatrix")
        let predictions = try ClassificationMetrics.predictedClasses(
            scores: scores, classCount: classCount)
        try self.init(
            labels: labels, predictions: predictions, classCount: classCount, classNames: classNames
        )
    }

    /// A matrix from counts kept elsewhere, for example the sum of per-batch matrices.
    /// - Parameters:
    ///   - counts: `C >= 1` rows of `C` counts each, `counts[t][p]` for true class `t` and
    ///     predicted class `p`; each >= 0, with a positive total.
    ///   - classNames: one name per class, or `nil` for "0", "1", ...
    /// - Throws: `DescentError.shapeMismatch` for a matrix that is empty or not square, or
    ///   `classNames` of the wrong count; `DescentError.invalidArgument` for a negative count, a
    ///   total of 0, or a total beyond `Int.max`.
    public init(counts: [[Int]], classNames: [String]? = nil) throws {
        let operation = "ConfusionMatrix(counts:)"
        guard !counts.isEmpty else {
            throw DescentError.shapeMismatch(
                operation: operation, expected: "C x C counts with C >= 1", actual: "no rows")
        }
        if let row = counts.firstIndex(where: { $0.count != counts.count }) {
            throw DescentError.shapeMismatch(
                operation: operation, expected: "\(counts.count) x \(counts.count) counts (square)",
                actual: "row \(row) of \(counts[row].count) counts")
        }
        var total = 0
        for (t, row) in counts.enumerated() {
            for (p, count) in row.enumerated() {
                guard count >= 0 else {
                    throw DescentError.invalidArgument(
                        operation: operation, reason: "counts[\(t)][\(p)] = \(count) is negative")
                }
                let (sum, overflow) = total.addingReportingOverflow(count)
                guard !overflow else {
                    throw DescentError.invalidArgument(
                        operation: operation, reason: "the counts add up to more than Int.max")
                }
                total = sum
            }
        }
        guard total > 0 else {
            throw DescentError.invalidArgument(
                operation: operation, reason: "every count is 0: a metric needs at least one sample"
            )
        }
        try self.init(validated: counts, classNames: classNames, of: operation)
    }

    private init(validated counts: [[Int]], classNames: [String]?, of operation: String) throws {
        if let classNames, classNames.count != counts.count {
            throw DescentError.shapeMismatch(
                operation: operation, expected: "\(counts.count) class names (one per class)",
                actual: "\(classNames.count) names")
        }
        self.classCount = counts.count
        self.classNames = classNames ?? (0..<counts.count).map { String($0) }
        self.counts = counts
    }

    /// `support[t]`: the number of samples whose true class is `t` (row sums).
    public var support: [Int] { counts.map { $0.reduce(0, +) } }

    /// `predictedCounts[p]`: the number of samples predicted as class `p` (column sums).
    public var predictedCounts: [Int] {
        (0..<classCount).map { p in counts.reduce(0) { $0 + $1[p] } }
    }

    /// The number of samples `N >= 1`.
    public var sampleCount: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }

    /// The number of correct predictions: the trace.
    public var correctCount: Int { (0..<classCount).reduce(0) { $0 + counts[$1][$1] } }

    /// The fraction of correct predictions, `correctCount / sampleCount`.
    public var accuracy: Double { Double(correctCount) / Double(sampleCount) }

    /// The counts as a table: a heading row of predicted class names, then one row per true class
    /// headed by its name. Names are left-aligned in the first column and counts right-aligned
    /// under their column's name; columns are two spaces apart, each as wide as its longest entry
    /// (in `Character`s, so names of double-width characters may misalign). No trailing spaces.
    public var description: String {
        let corner = "true \\ predicted"
        let nameWidth = max(corner.count, classNames.map(\.count).max() ?? 0)
        let cells = counts.map { $0.map { String($0) } }
        let widths = (0..<classCount).map { p in
            cells.reduce(classNames[p].count) { max($0, $1[p].count) }
        }
        func line(_ heading: String, _ entries: [String]) -> String {
            zip(entries, widths).reduce(TextTable.padded(heading, to: nameWidth)) {
                $0 + "  " + TextTable.aligned($1.0, to: $1.1)
            }
        }
        return ([line(corner, classNames)] + zip(classNames, cells).map(line)).joined(
            separator: "\n")
    }
}

/// Text helpers for the metric tables.
package enum TextTable {
    /// `text` right-aligned in `width` columns.
    package static func aligned(_ text: String, to width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    /// `text` left-aligned in `width` columns.
    package static func padded(_ text: String, to width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }

    /// `value` with `digits` decimals, rounded to nearest with ties to even on its exact binary
    /// value, as C's `printf("%.*f")` and Python's `format` do (so 0.125 gives "0.12", 0.995,
    /// stored as 0.99499999..., gives "0.99", and a negative value keeps its sign: "-0.00"),
    /// independently of the C locale. For `|value| * 10^digits`
    /// below 2^52 and `digits` in `0...22` (where `10^digits` is exact); other values use
    /// Swift's shortest representation.
    package static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite, (0...22).contains(digits) else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let magnitude = abs(value), product = magnitude * scale
        guard product < 0x1p52 else { return "\(value)" }
        // product + error is exactly magnitude * scale; a fractional part of exactly 1/2 is only a
        // tie if the rounding error is 0, otherwise the error says which way the true value lies.
        let error = (-product).addingProduct(magnitude, scale)
        let floor = product.rounded(.down), fraction = product - floor
        var integer = UInt64(floor)
        if fraction > 0.5 || (fraction == 0.5 && (error > 0 || (error == 0 && integer % 2 == 1))) {
            integer += 1
        }
        var text = String(integer)
        if digits > 0 {
            if text.count <= digits {
                text = String(repeating: "0", count: digits + 1 - text.count) + text
            }
            text.insert(".", at: text.index(text.endIndex, offsetBy: -digits))
        }
        return value.sign == .minus ? "-" + text : text
    }
}
