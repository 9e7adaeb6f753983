import DescentCore

/// What a model learns from its labels, which decides its output layer and its loss, as the notes
/// teach it: two classes train one sigmoid output with binary cross-entropy, more classes a
/// softmax output with cross-entropy, real-valued targets a linear output with mean squared error.
public enum LearningTask: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Two classes (0 and 1): one logit, sigmoid + binary cross-entropy.
    case binaryClassification
    /// `classes` classes: one logit each, softmax + cross-entropy.
    case multiclassClassification(classes: Int)
    /// `targets` real values per sample: linear outputs and a regression loss.
    case regression(targets: Int)

    /// The task the labels of `data` call for: class labels with two classes are binary, more
    /// classes multi-class (a single class too, so that the model has an output per class), and
    /// real-valued targets regression.
    public static func inferred(from data: Dataset) -> LearningTask {
        switch data.labels {
        case .classes(_, let classCount, _):
            classCount == 2 ? .binaryClassification : .multiclassClassification(classes: classCount)
        case .targets(_, let width):
            .regression(targets: width)
        }
    }

    /// The task a model with `outputs` outputs trained with `loss` learns: binary cross-entropy
    /// on one output is binary classification, cross-entropy multi-class classification, and any
    /// other pairing (a regression loss, or binary cross-entropy over several real-valued
    /// targets) regression. `Trainer` asks this once and keeps the answer.
    public init(loss: LossFunction, outputs: Int) {
        switch loss {
        case .binaryCrossEntropy where outputs == 1: self = .binaryClassification
        case .softmaxCrossEntropy(labelSmoothing: _):
            self = .multiclassClassification(classes: outputs)
        default: self = .regression(targets: outputs)
        }
    }

    /// Whether the labels are classes.
    public var isClassification: Bool {
        if case .regression = self { false } else { true }
    }

    /// Class scores from a model's outputs, row-major: a binary model's logits `z` become the
    /// pairs `[0, z]`, whose softmax is `[1 - sigmoid(z), sigmoid(z)]`, so the multi-class
    /// metrics and confidences apply unchanged; other tasks' outputs are their scores.
    public func scores(fromOutputs outputs: [Float]) -> [Float] {
        self == .binaryClassification ? outputs.flatMap { [0, $0] } : outputs
    }

    /// The class a binary model's logit `z` predicts: 1 unless `z <= 0`, so a NaN logit
    /// predicts class 1, as `Backend.argmaxRows` does for the scores `[0, z]` (a NaN counts as
    /// the largest).
    public static func binaryPrediction(_ logit: Float) -> Int32 { logit <= 0 ? 0 : 1 }

    /// The width of the model's last layer.
    public var outputFeatures: Int {
        switch self {
        case .binaryClassification: 1
        case .multiclassClassification(let classes): classes
        case .regression(let targets): targets
        }
    }

    /// The loss the task is trained with unless another is asked for.
    public var defaultLoss: LossFunction {
        switch self {
        case .binaryClassification: .binaryCrossEntropy
        case .multiclassClassification: .softmaxCrossEntropy
        case .regression: .regression(.meanSquaredError)
        }
    }

    /// Whether `loss` fits the task: cross-entropy for classes, a regression loss for targets.
    public func accepts(_ loss: LossFunction) -> Bool {
        switch (self, loss) {
        case (.binaryClassification, .binaryCrossEntropy),
            (.multiclassClassification, .softmaxCrossEntropy),
            (.regression, .regression):
            true
        default:
            false
        }
    }

    public var description: String {
        switch self {
        case .binaryClassification: "binary classification"
        case .multiclassClassification(let classes): "\(classes)-class classification"
        case .regression(let targets):
            targets == 1 ? "regression" : "regression of \(targets) targets"
        }
    }
}

extension Dataset {
    /// The labels as a loss over real values reads them: the targets, or, for class labels, the
    /// class indices as numbers (binary cross-entropy learns classes 0 and 1 as targets 0 and 1).
    public var targetValues: [Float] { targets ?? (classIndices ?? []).map(Float.init) }
}
