import DescentCore

/// A data set in memory: `sampleCount` samples of `featureCount` features each, and one label per
/// sample, either a class index or a row of real-valued targets.
///
/// Layout: `features` is row-major `[sampleCount, featureCount]`, so sample `i` is
/// `features[i * featureCount ..< (i + 1) * featureCount]`; real-valued targets are row-major
/// `[sampleCount, width]` in the same way.
///
/// A `Dataset` is valid by construction: the initializers reject an empty set, a feature or target
/// that is NaN or infinite, a count that does not fit the shape and a class index out of range,
/// each with a `DescentError.invalidArgument` that names the offending sample. Every
/// transformation (`gathering`, `shuffled`, the scalers and the splits) returns a new value.
public struct Dataset: Sendable, Equatable {
    /// What a sample is labelled with.
    public enum Labels: Sendable, Equatable {
        /// One class index per sample, in `0..<classCount`, with optional human-readable names
        /// (`names.count == classCount`).
        case classes(indices: [Int32], classCount: Int, names: [String]?)
        /// `width` real values per sample, row-major `[sampleCount, width]`.
        case targets(values: [Float], width: Int)
    }

    /// The features, row-major `[sampleCount, featureCount]`.
    public let features: [Float]
    /// The number of samples N (at least 1).
    public let sampleCount: Int
    /// The number of features D per sample (at least 1).
    public let featureCount: Int
    /// The labels of the samples, in the same order.
    public let labels: Labels
    /// The name of each feature (for example a CSV header), or nil.
    public let featureNames: [String]?
    /// How a model reads a sample's `featureCount` values: `[1, 28, 28]` for Fashion-MNIST's
    /// images, `[featureCount]` for a table such as a CSV file.
    public let sampleShape: SampleShape

    /// A data set with the given features and labels.
    ///
    /// - Parameters:
    ///   - features: Row-major `[N, featureCount]` values, all finite, N >= 1.
    ///   - featureCount: The number of features per sample (>= 1); it must divide `features.count`.
    ///   - labels: N class indices, or `N * width` finite targets.
    ///   - featureNames: nil, or `featureCount` names.
    /// - Throws: `DescentError.invalidArgument` naming what to fix: an empty data set, a count
    ///   that does not fit, a NaN or infinite value (with its sample and feature), a class index
    ///   out of range or a wrong number of class or feature names.
    public init(
        features: [Float], featureCount: Int, labels: Labels, featureNames: [String]? = nil
    ) throws {
        let operation = "Dataset"
        try DataValidation.require(
            featureCount >= 1, operation, "the feature count must be >= 1, got \(featureCount)")
        try DataValidation.require(
            !features.isEmpty, operation,
            "the data set is empty (no samples); give at least one sample")
        try DataValidation.require(
            features.count % featureCount == 0, operation,
            "\(features.count) feature values are not a whole number of samples of \(featureCount) features"
        )
        let sampleCount = features.count / featureCount
        try DataValidation.finite(features, columns: featureCount, what: "feature", of: operation)
        try DataValidation.labels(labels, sampleCount: sampleCount, of: operation)
        if let featureNames {
            try DataValidation.require(
                featureNames.count == featureCount, operation,
                "\(featureNames.count) feature names were given for \(featureCount) features")
        }
        self.init(
            unchecked: features, sampleShape: .features(featureCount), labels: labels,
            featureNames: featureNames)
    }

    /// A classification data set: N samples of `featureCount` features, each with a class index.
    ///
    /// - Parameters:
    ///   - classIndices: N indices in `0..<classCount`.
    ///   - classCount: The number of classes (>= 1); classes may have no samples.
    ///   - classNames: nil, or `classCount` names.
    /// - Throws: `DescentError.invalidArgument` as `init(features:featureCount:labels:featureNames:)`.
    public init(
        features: [Float], featureCount: Int, classIndices: [Int32], classCount: Int,
        classNames: [String]? = nil,
        featureNames: [String]? = nil
    ) throws {
        try self.init(
            features: features, featureCount: featureCount,
            labels: .classes(indices: classIndices, classCount: classCount, names: classNames),
            featureNames: featureNames)
    }

    /// A regression data set: N samples of `featureCount` features, each with `targetWidth` targets.
    ///
    /// - Parameters:
    ///   - targets: Row-major `[N, targetWidth]` finite values.
    ///   - targetWidth: The number of targets per sample (>= 1).
    /// - Throws: `DescentError.invalidArgument` as `init(features:featureCount:labels:featureNames:)`.
    public init(
        features: [Float], featureCount: Int, targets: [Float], targetWidth: Int = 1,
        featureNames: [String]? = nil
    ) throws {
        try self.init(
            features: features, featureCount: featureCount,
            labels: .targets(values: targets, width: targetWidth),
            featureNames: featureNames)
    }

    /// A data set whose invariants the caller has already established.
    package init(
        unchecked features: [Float], sampleShape: SampleShape, labels: Labels,
        featureNames: [String]?
    ) {
        self.features = features
        self.featureCount = sampleShape.count
        self.sampleCount = features.count / sampleShape.count
        self.labels = labels
        self.featureNames = featureNames
        self.sampleShape = sampleShape
    }

    /// The same samples read as `shape` (an image's `[channels, height, width]`, say).
    /// - Throws: `DescentError.invalidArgument` when the shape does not hold `featureCount` values.
    public func reshaped(to shape: SampleShape) throws -> Dataset {
        try DataValidation.require(
            shape.count == featureCount, "Dataset.reshaped(to:)",
            "the shape \(shape) holds \(shape.count) values, a sample has \(featureCount)")
        return Dataset(
            unchecked: features, sampleShape: shape, labels: labels, featureNames: featureNames)
    }

    /// The class index of each sample, or nil for real-valued targets.
    public var classIndices: [Int32]? {
        if case .classes(let indices, _, _) = labels { return indices }
        return nil
    }

    /// The number of classes, or nil for real-valued targets.
    public var classCount: Int? {
        if case .classes(_, let classCount, _) = labels { return classCount }
        return nil
    }

    /// The names of the classes, or nil when they have none or the labels are real-valued targets.
    public var classNames: [String]? {
        if case .classes(_, _, let names) = labels { return names }
        return nil
    }

    /// The real-valued targets, row-major `[sampleCount, targetWidth]`, or nil for class labels.
    public var targets: [Float]? {
        if case .targets(let values, _) = labels { return values }
        return nil
    }

    /// The number of values per label: 1 for a class index, `width` for targets.
    public var labelWidth: Int {
        switch labels {
        case .classes: 1
        case .targets(_, let width): width
        }
    }

    /// The number of samples of each class (`classCount` entries), or nil for real-valued targets.
    public var classCounts: [Int]? {
        guard case .classes(let indices, let classCount, _) = labels else { return nil }
        var counts = [Int](repeating: 0, count: classCount)
        for index in indices { counts[Int(index)] += 1 }
        return counts
    }

    /// The features of sample `index` (`featureCount` values).
    public func features(ofSample index: Int) -> ArraySlice<Float> {
        features[index * featureCount..<(index + 1) * featureCount]
    }

    /// The samples at `indices`, in that order (an index may repeat).
    ///
    /// - Throws: `DescentError.invalidArgument` for no indices (an empty data set) or an index
    ///   outside `0..<sampleCount`.
    public func gathering(_ indices: [Int]) throws -> Dataset {
        let operation = "Dataset.gathering"
        try DataValidation.require(
            !indices.isEmpty, operation, "no indices were given, which would make an empty data set"
        )
        if let bad = indices.first(where: { $0 < 0 || $0 >= sampleCount }) {
            throw DescentError.invalidArgument(
                operation: operation,
                reason: "index \(bad) is outside 0..<\(sampleCount) (the sample count)")
        }
        return gatheringUnchecked(indices)
    }

    /// The samples at `indices`, which the caller has checked to be in range and non-empty.
    func gatheringUnchecked(_ indices: [Int]) -> Dataset {
        let width = featureCount
        let gathered = [Float](unsafeUninitializedCapacity: indices.count * width) {
            buffer, count in
            features.withUnsafeBufferPointer { source in
                for (row, index) in indices.enumerated() {
                    let from = source.baseAddress! + index * width
                    (buffer.baseAddress! + row * width).initialize(from: from, count: width)
                }
            }
            count = indices.count * width
        }
        let newLabels: Labels
        switch labels {
        case .classes(let classIndices, let classCount, let names):
            newLabels = .classes(
                indices: indices.map { classIndices[$0] }, classCount: classCount, names: names)
        case .targets(let values, let targetWidth):
            var rows = [Float]()
            rows.reserveCapacity(indices.count * targetWidth)
            for index in indices { rows += values[index * targetWidth..<(index + 1) * targetWidth] }
            newLabels = .targets(values: rows, width: targetWidth)
        }
        return Dataset(
            unchecked: gathered, sampleShape: sampleShape, labels: newLabels,
            featureNames: featureNames)
    }

    /// The same samples in a random order that depends only on `seed`.
    ///
    /// The order is a Fisher-Yates shuffle driven by the Philox4x32-10 generator of DescentCore
    /// (key `seed`, a stream reserved for shuffling), so it is the same on every machine.
    public func shuffled(seed: UInt64) -> Dataset {
        var random = DataRandom(seed: seed, stream: .shuffle)
        return gatheringUnchecked(random.permutation(sampleCount))
    }

    /// The same features with other labels (checked as in `init`).
    ///
    /// - Throws: `DescentError.invalidArgument` when `labels` do not fit the samples.
    public func relabelled(_ labels: Labels) throws -> Dataset {
        try DataValidation.labels(labels, sampleCount: sampleCount, of: "Dataset.relabelled")
        return Dataset(
            unchecked: features, sampleShape: sampleShape, labels: labels,
            featureNames: featureNames)
    }
}

/// The argument checks of the data layer, each naming the value to fix.
package enum DataValidation {
    package static func require(
        _ condition: Bool, _ operation: String, _ reason: @autoclosure () -> String
    ) throws {
        if !condition { throw DescentError.invalidArgument(operation: operation, reason: reason()) }
    }

    /// Rejects the first NaN or infinite value of a row-major matrix, naming its row and column.
    package static func finite(
        _ values: [Float], columns: Int, what: String, of operation: String
    ) throws {
        let firstBad = values.withUnsafeBufferPointer { buffer -> Int? in
            for index in buffer.indices where !buffer[index].isFinite { return index }
            return nil
        }
        if let index = firstBad {
            throw DescentError.invalidArgument(
                operation: operation,
                reason:
                    "\(what) \(index % columns) of sample \(index / columns) is \(values[index]); "
                    + "remove or impute NaN and infinite values before building a data set")
        }
    }

    /// Checks that `labels` hold one label per sample, with class indices in range.
    package static func labels(
        _ labels: Dataset.Labels, sampleCount: Int, of operation: String
    ) throws {
        switch labels {
        case .classes(let indices, let classCount, let names):
            try require(
                classCount >= 1, operation, "the class count must be >= 1, got \(classCount)")
            try require(
                indices.count == sampleCount, operation,
                "\(indices.count) class labels were given for \(sampleCount) samples")
            if let sample = indices.firstIndex(where: { $0 < 0 || Int($0) >= classCount }) {
                throw DescentError.invalidArgument(
                    operation: operation,
                    reason:
                        "the label of sample \(sample) is \(indices[sample]), outside 0..<\(classCount) "
                        + "(the class count); fix the label or raise the class count")
            }
            if let names {
                try require(
                    names.count == classCount, operation,
                    "\(names.count) class names were given for \(classCount) classes")
            }
        case .targets(let values, let width):
            try require(width >= 1, operation, "the target width must be >= 1, got \(width)")
            try require(
                values.count == sampleCount * width, operation,
                "\(values.count) target values were given for \(sampleCount) samples of \(width) targets"
            )
            try finite(values, columns: width, what: "target", of: operation)
        }
    }
}
