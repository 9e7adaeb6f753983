import DescentCore

/// One-hot encoding of class indices: class `c` of `C` becomes the row of `C` values that is 1 at
/// position `c` and 0 elsewhere, and back (a row's class is the position of its largest value).
public enum OneHot {
    /// The one-hot rows of `indices`, row-major `[indices.count, classCount]`.
    ///
    /// - Throws: `DescentError.invalidArgument` when `classCount < 1` or an index is outside `0..<classCount`.
    public static func encode(_ indices: [Int32], classCount: Int) throws -> [Float] {
        let operation = "OneHot.encode"
        try DataValidation.require(
            classCount >= 1, operation, "the class count must be >= 1, got \(classCount)")
        if let position = indices.firstIndex(where: { $0 < 0 || Int($0) >= classCount }) {
            throw DescentError.invalidArgument(
                operation: operation,
                reason:
                    "index \(position) is \(indices[position]), outside 0..<\(classCount) (the class count)"
            )
        }
        var rows = [Float](repeating: 0, count: indices.count * classCount)
        for (row, index) in indices.enumerated() { rows[row * classCount + Int(index)] = 1 }
        return rows
    }

    /// The class of each row of `rows` (row-major `[N, classCount]`): the position of the row's
    /// largest value, the first one on a tie. Works on probabilities and logits as well as on
    /// one-hot rows.
    ///
    /// - Throws: `DescentError.invalidArgument` when `classCount < 1` or does not divide `rows.count`,
    ///   or a row holds NaN.
    public static func decode(_ rows: [Float], classCount: Int) throws -> [Int32] {
        let operation = "OneHot.decode"
        try DataValidation.require(
            classCount >= 1 && rows.count % classCount == 0, operation,
            "\(rows.count) values are not a whole number of rows of \(classCount) classes")
        return try (0..<rows.count / classCount).map { row in
            let values = rows[row * classCount..<(row + 1) * classCount]
            try DataValidation.require(
                !values.contains(where: \.isNaN), operation, "row \(row) holds NaN")
            var best = values.startIndex
            for index in values.indices where values[index] > values[best] { best = index }
            return Int32(best - values.startIndex)
        }
    }
}

extension Dataset {
    /// The same samples with each class index replaced by its one-hot row: real-valued targets
    /// `[N, classCount]`, for losses that take target rows (mean squared error, or
    /// cross-entropy on probabilities).
    ///
    /// - Throws: `DescentError.invalidArgument` when the labels are already real-valued targets.
    public func oneHotEncoded() throws -> Dataset {
        guard case .classes(let indices, let classCount, _) = labels else {
            throw DescentError.invalidArgument(
                operation: "Dataset.oneHotEncoded",
                reason: "the labels are real-valued targets, not class indices")
        }
        return Dataset(
            unchecked: features, sampleShape: sampleShape,
            labels: .targets(
                values: try OneHot.encode(indices, classCount: classCount), width: classCount),
            featureNames: featureNames)
    }
}
