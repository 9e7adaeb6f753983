import DescentCore
import DescentTraining

/// A test sample the classifier got wrong, with how sure it was: the most confident mistakes show
/// what a model has learned wrongly (or which labels are wrong).
public struct MisclassifiedSample: Sendable, Equatable {
    /// The sample's index in the evaluated set.
    public var index: Int
    /// The labelled class.
    public var trueClass: Int
    /// The class the model predicted instead.
    public var predictedClass: Int
    /// The probability the model gave its (wrong) prediction, in `0...1`.
    public var confidence: Double

    /// A sample as the caller measured it; see `mostConfident(_:labels:scores:classCount:scoresAreProbabilities:)`.
    public init(index: Int, trueClass: Int, predictedClass: Int, confidence: Double) {
        self.index = index
        self.trueClass = trueClass
        self.predictedClass = predictedClass
        self.confidence = confidence
    }

    /// The `count` misclassified samples with the highest confidence in their prediction, most
    /// confident first (ties to the lower index). The prediction is the argmax of a row of
    /// `scores` (the first maximum winning a tie, as `ClassificationMetrics`), its confidence
    /// the score itself when `scoresAreProbabilities`, otherwise its softmax over the row.
    /// - Parameters:
    ///   - count: how many to return at most (fewer when fewer are wrong); >= 0.
    ///   - labels: the true class of each sample, `N >= 1` values in `[0, classCount)`.
    ///   - scores: row-major `[N, classCount]` logits or probabilities; no NaN.
    /// - Throws: `DescentError.invalidArgument` for a negative `count`, empty input,
    ///   `classCount < 1`, a label out of range or a NaN score; `DescentError.shapeMismatch` when
    ///   `scores` does not hold `N * classCount` values.
    public static func mostConfident(
        _ count: Int, labels: [Int32], scores: [Float], classCount: Int,
        scoresAreProbabilities: Bool = false
    ) throws -> [MisclassifiedSample] {
        let operation = "MisclassifiedSample.mostConfident"
        guard count >= 0 else {
            throw DescentError.invalidArgument(
                operation: operation, reason: "count must be >= 0, got \(count)")
        }
        try MetricsValidation.labels(labels, scores: scores, classCount: classCount, of: operation)
        let predictions = try ClassScores.predictions(
            scores: scores, sampleCount: labels.count, classCount: classCount,
            areProbabilities: scoresAreProbabilities,
            operation: operation)
        let wrong = zip(labels, predictions).enumerated().compactMap {
            index, pair -> MisclassifiedSample? in
            Int(pair.0) == pair.1.predicted
                ? nil
                : MisclassifiedSample(
                    index: index, trueClass: Int(pair.0), predictedClass: pair.1.predicted,
                    confidence: pair.1.confidence)
        }
        let sorted = wrong.sorted {
            $0.confidence != $1.confidence ? $0.confidence > $1.confidence : $0.index < $1.index
        }
        return Array(sorted.prefix(count))
    }
}

/// Misclassified samples with their images, for the report's grid of mistakes.
public struct MisclassifiedGallery: Sendable, Equatable {
    /// The samples, in the order to show them.
    public let samples: [MisclassifiedSample]
    /// The pixels of each sample, row-major `imageHeight x imageWidth`.
    public let images: [[Float]]
    /// Pixels per image row.
    public let imageWidth: Int
    /// Rows per image.
    public let imageHeight: Int

    /// Takes each sample's image from `inputs`, the evaluated set's features.
    /// - Parameters:
    ///   - inputs: row-major `[N, imageWidth * imageHeight]` features (for example
    ///     `Dataset.features`), holding every sample's `index`.
    /// - Throws: `DescentError.invalidArgument` for a non-positive image size;
    ///   `DescentError.shapeMismatch` when `inputs` is not a whole number of images or lacks a
    ///   sample's index.
    public init(
        samples: [MisclassifiedSample], inputs: [Float], imageWidth: Int, imageHeight: Int
    ) throws {
        let operation = "MisclassifiedGallery"
        guard imageWidth > 0, imageHeight > 0 else {
            throw DescentError.invalidArgument(
                operation: operation,
                reason: "image size \(imageWidth) x \(imageHeight) must be positive")
        }
        let size = imageWidth * imageHeight
        guard inputs.count % size == 0 else {
            throw DescentError.shapeMismatch(
                operation: operation,
                expected: "a multiple of \(size) values (\(imageWidth) x \(imageHeight) images)",
                actual: "\(inputs.count) values")
        }
        if let sample = samples.first(where: { $0.index < 0 || $0.index >= inputs.count / size }) {
            throw DescentError.shapeMismatch(
                operation: operation, expected: "sample \(sample.index) among the inputs",
                actual: "\(inputs.count / size) images")
        }
        self.samples = samples
        self.images = samples.map { Array(inputs[($0.index * size)..<(($0.index + 1) * size)]) }
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
    }
}
