#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

/// A model rebuilt from its saved file, ready to predict on rows that have no labels: it
/// standardizes raw features as training did and turns the outputs into classes and class
/// probabilities, all from what the file says (`ModelDescription`).
public struct Predictor<B: Backend> {
    public let model: Model<B>
    public let description: ModelDescription
    private let standardizer: Standardizer?

    /// Rebuilds the model saved at `path` on `backend` (see `Model.load(contentsOf:on:)`).
    /// - Throws: `DescentError.invalidArgument` as `Model.load(contentsOf:on:)`, or for a saved
    ///   standardization that is not usable.
    public init(contentsOf path: String, on backend: B, maxBatch: Int = 256) throws {
        (model, description) = try Model.load(contentsOf: path, on: backend, maxBatch: maxBatch)
        standardizer = try description.standardization?.standardizer
    }

    /// Predictions for `features`: raw rows (as in the training file, before standardization),
    /// row-major, `model.inputFeatures` per row.
    /// - Throws: `DescentError.invalidArgument` when the count is not a whole number of rows, or
    ///   a standardized value overflows.
    public func predict(features: [Float]) throws -> Predictions {
        let width = model.inputFeatures
        guard !features.isEmpty, features.count % width == 0 else {
            throw DescentError.invalidArgument(
                operation: "Predictor.predict",
                reason:
                    "\(features.count) feature values are not whole rows of \(width) features")
        }
        var input = features
        if let standardizer {
            let rows = try Dataset(
                features: features, featureCount: width,
                targets: [Float](repeating: 0, count: features.count / width))
            input = try standardizer.transform(rows).features
        }
        return Predictions(
            outputs: try model.outputs(for: input), width: model.outputFeatures,
            task: description.task)
    }
}

/// What a model predicts for each row.
public struct Predictions: Sendable, Equatable {
    /// The model's outputs, row-major: logits for classification, values for regression.
    public let outputs: [Float]
    /// Outputs per row.
    public let width: Int
    /// The task the model was trained for; nil when its file does not say (then only `outputs`).
    public let task: LearningTask?

    public init(outputs: [Float], width: Int, task: LearningTask?) {
        self.outputs = outputs
        self.width = width
        self.task = task
    }

    public var rowCount: Int { width == 0 ? 0 : outputs.count / width }

    /// Each row's class probabilities (the softmax of its scores; `[1 - p, p]` with
    /// `p = sigmoid(logit)` for a binary model), row-major; nil unless the task is classification.
    public var probabilities: [Float]? {
        guard let task, task.isClassification else { return nil }
        let scores = task.scores(fromOutputs: outputs)
        let classes = scores.count / max(rowCount, 1)
        var result: [Float] = []
        result.reserveCapacity(scores.count)
        for row in 0..<rowCount {
            let slice = scores[row * classes..<(row + 1) * classes].map(Double.init)
            let largest = slice.max() ?? 0
            let exponentials = slice.map { exp($0 - largest) }
            let total = exponentials.reduce(0, +)
            result += exponentials.map { Float($0 / total) }
        }
        return result
    }

    /// Each row's predicted class: the largest score, a NaN counting as the largest and the first
    /// of equal ones winning, as `Backend.argmaxRows` (a binary model: 1 unless its logit is
    /// <= 0); nil unless the task is classification.
    public var classes: [Int]? {
        guard let task, task.isClassification else { return nil }
        if task == .binaryClassification {
            return outputs.map { Int(LearningTask.binaryPrediction($0)) }
        }
        return (0..<rowCount).map { row in
            var best = 0
            for column in 1..<max(width, 1) {
                let value = outputs[row * width + column], top = outputs[row * width + best]
                if !top.isNaN && (value.isNaN || value > top) { best = column }
            }
            return best
        }
    }
}

extension Model {
    /// The outputs for `features` (row-major, `inputFeatures` per row) in inference mode,
    /// computed in batches of `batchSize` rows (at most `maxBatch`). Synchronizing.
    public func outputs(for features: [Float], batchSize: Int? = nil) throws -> [Float] {
        let rows = features.count / inputFeatures
        let batchSize = min(batchSize ?? maxBatch, maxBatch)
        let input = try backend.makeBuffer(features)
        var result: [Float] = []
        result.reserveCapacity(rows * outputFeatures)
        for start in stride(from: 0, to: rows, by: batchSize) {
            let batch = min(batchSize, rows - start)
            let output = try forward(
                try input.view(offset: start * inputFeatures, count: batch * inputFeatures),
                batch: batch, training: false)
            result += try backend.download(output)
        }
        return result
    }
}
