#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentTraining

/// A classifier's predicted class (and optionally its confidence) on a regular grid over a 2-D
/// input space, drawn under a scatter plot as the model's decision regions.
///
/// Cells are `columns x rows` over `xRange x yRange`, row-major from the bottom row (smallest y):
/// cell `(i, j)` (column `i`, row `j`) is at index `j * columns + i` and centred at
///
///     x = xRange.lowerBound + (i + 0.5) * (xRange.upperBound - xRange.lowerBound) / columns
///     y = yRange.lowerBound + (j + 0.5) * (yRange.upperBound - yRange.lowerBound) / rows
///
/// To build one, evaluate the model on `gridPoints(...)` and pass its scores to
/// `init(xRange:yRange:columns:rows:scores:classCount:scoresAreProbabilities:)`.
public struct DecisionBoundary: Sendable, Equatable {
    /// The x extent of the grid (the first input feature).
    public let xRange: ClosedRange<Double>
    /// The y extent of the grid (the second input feature).
    public let yRange: ClosedRange<Double>
    /// Cells along x.
    public let columns: Int
    /// Cells along y.
    public let rows: Int
    /// The predicted class of each cell, `rows * columns` values.
    public let classes: [Int]
    /// The probability of the predicted class in each cell, in `0...1`; drawn as opacity so that
    /// uncertain regions fade. Nil draws every cell at one opacity.
    public let confidences: [Double]?

    /// - Throws: `DescentError.invalidArgument` for fewer than one column or row, an empty or
    ///   non-finite range, or a negative class; `DescentError.shapeMismatch` when `classes` or
    ///   `confidences` does not hold `rows * columns` values.
    public init(
        xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, columns: Int, rows: Int,
        classes: [Int],
        confidences: [Double]? = nil
    ) throws {
        let operation = "DecisionBoundary"
        try Self.validateGrid(xRange: xRange, yRange: yRange, columns: columns, rows: rows)
        guard classes.count == rows * columns else {
            throw DescentError.shapeMismatch(
                operation: operation, expected: "\(rows * columns) classes (rows x columns)",
                actual: "\(classes.count)")
        }
        if let confidences, confidences.count != classes.count {
            throw DescentError.shapeMismatch(
                operation: operation, expected: "\(classes.count) confidences",
                actual: "\(confidences.count)")
        }
        guard classes.allSatisfy({ $0 >= 0 }) else {
            throw DescentError.invalidArgument(
                operation: operation, reason: "class indices must be >= 0")
        }
        self.xRange = xRange
        self.yRange = yRange
        self.columns = columns
        self.rows = rows
        self.classes = classes
        self.confidences = confidences
    }

    /// The boundary from a model's scores at `gridPoints(xRange:yRange:columns:rows:)`: each
    /// cell's class is the argmax of its row of scores (the first maximum winning a tie), and
    /// its confidence that class's probability: the score itself when `scoresAreProbabilities`,
    /// otherwise its softmax over the row (the scores are logits).
    /// - Parameter scores: row-major `[rows * columns, classCount]`.
    /// - Throws: as `init(xRange:yRange:columns:rows:classes:confidences:)`, and
    ///   `DescentError.shapeMismatch` when `scores` does not hold `rows * columns * classCount`
    ///   values.
    public init(
        xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, columns: Int, rows: Int,
        scores: [Float],
        classCount: Int, scoresAreProbabilities: Bool = false
    ) throws {
        try Self.validateGrid(xRange: xRange, yRange: yRange, columns: columns, rows: rows)
        let predictions = try ClassScores.predictions(
            scores: scores, sampleCount: rows * columns, classCount: classCount,
            areProbabilities: scoresAreProbabilities,
            operation: "DecisionBoundary")
        try self.init(
            xRange: xRange, yRange: yRange, columns: columns, rows: rows,
            classes: predictions.map(\.predicted),
            confidences: predictions.map(\.confidence))
    }

    /// The cell centres, row-major `[rows * columns, 2]` features (x, y) in cell order: the
    /// inputs to evaluate the model on.
    public static func gridPoints(
        xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, columns: Int, rows: Int
    ) -> [Float] {
        guard columns > 0, rows > 0 else { return [] }
        var points: [Float] = []
        points.reserveCapacity(2 * rows * columns)
        for j in 0..<rows {
            for i in 0..<columns {
                points.append(
                    Float(
                        xRange.lowerBound + (Double(i) + 0.5)
                            * (xRange.upperBound - xRange.lowerBound) / Double(columns)))
                points.append(
                    Float(
                        yRange.lowerBound + (Double(j) + 0.5)
                            * (yRange.upperBound - yRange.lowerBound) / Double(rows)))
            }
        }
        return points
    }

    /// The range of the finite `values` widened by `margin` of its width on each side (by 1 for
    /// a single value, `0...1` for none): a grid range that leaves room around the data.
    public static func paddedRange(of values: [Double], margin: Double = 0.1) -> ClosedRange<Double>
    {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return 0...1 }
        let pad = high > low ? (high - low) * margin : 1
        return (low - pad)...(high + pad)
    }

    private static func validateGrid(
        xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, columns: Int, rows: Int
    ) throws {
        guard columns >= 1, rows >= 1 else {
            throw DescentError.invalidArgument(
                operation: "DecisionBoundary",
                reason: "a grid needs at least 1 column and 1 row, got \(columns) x \(rows)")
        }
        for range in [xRange, yRange]
        where
            !(range.lowerBound.isFinite && range.upperBound.isFinite
            && range.upperBound > range.lowerBound)
        {
            throw DescentError.invalidArgument(
                operation: "DecisionBoundary",
                reason: "the range \(range) must be finite and non-empty")
        }
    }
}

/// The predicted class and its probability for rows of class scores, shared by the decision
/// boundary and the misclassified-sample picker.
enum ClassScores {
    struct Prediction {
        var predicted: Int
        var confidence: Double
        /// The probability of each class.
        var probabilities: [Double]
    }

    static func predictions(
        scores: [Float], sampleCount: Int, classCount: Int, areProbabilities: Bool,
        operation: String
    ) throws -> [Prediction] {
        guard classCount >= 1 else {
            throw DescentError.invalidArgument(
                operation: operation, reason: "classCount must be >= 1, got \(classCount)")
        }
        guard scores.count == sampleCount * classCount else {
            throw DescentError.shapeMismatch(
                operation: operation, expected: "\(sampleCount) x \(classCount) scores",
                actual: "\(scores.count) values")
        }
        return (0..<sampleCount).map { sample in
            let row = scores[(sample * classCount)..<((sample + 1) * classCount)].map(Double.init)
            var best = 0
            for c in 1..<max(1, classCount) where row[c] > row[best] { best = c }
            let probabilities: [Double]
            if areProbabilities {
                probabilities = row
            } else {
                let top = row[best]
                let exponentials = row.map { exp($0 - top) }
                let total = exponentials.reduce(0, +)
                probabilities = exponentials.map { $0 / total }
            }
            let confidence = probabilities[best]
            return Prediction(
                predicted: best, confidence: confidence.isFinite ? confidence : 0,
                probabilities: probabilities)
        }
    }
}
