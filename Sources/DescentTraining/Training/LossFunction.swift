import DescentCore

/// The loss a `Trainer` minimizes, and the kind of labels it takes.
public enum LossFunction: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Softmax cross-entropy from logits over class labels (see `Backend.softmaxCrossEntropy`).
    case softmaxCrossEntropy(labelSmoothing: Float)
    /// Binary cross-entropy from logits over targets in [0, 1] (see `Backend.binaryCrossEntropy`).
    case binaryCrossEntropy
    /// A regression loss over real-valued targets (see `RegressionLoss`).
    case regression(RegressionLoss)

    /// Softmax cross-entropy without label smoothing.
    public static var softmaxCrossEntropy: LossFunction { .softmaxCrossEntropy(labelSmoothing: 0) }

    /// Whether the labels are class indices (else real-valued targets).
    public var takesClasses: Bool {
        if case .softmaxCrossEntropy = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .softmaxCrossEntropy(let smoothing):
            smoothing == 0
                ? "softmaxCrossEntropy" : "softmaxCrossEntropy(labelSmoothing: \(smoothing))"
        case .binaryCrossEntropy: "binaryCrossEntropy"
        case .regression(let loss): "\(loss)"
        }
    }
}

extension LossFunction {
    /// Enqueues the loss's mean value and, when `outputs` asks for it, its gradient on `backend`:
    /// the one place that maps a `LossFunction` to its backend op (no weights).
    package func enqueue<B: Backend>(
        on backend: B, output: B.View, labels: B.View, shape: MatrixShape,
        outputs: LossOutputs<B.Buffer>
    ) throws {
        switch self {
        case .softmaxCrossEntropy(let smoothing):
            try backend.softmaxCrossEntropy(
                logits: output, labels: labels, shape: shape,
                options: CrossEntropyOptions(labelSmoothing: smoothing),
                sampleWeights: nil, outputs: outputs)
        case .binaryCrossEntropy:
            try backend.binaryCrossEntropy(
                logits: output, targets: labels, shape: shape, positiveWeight: nil,
                sampleWeights: nil, outputs: outputs)
        case .regression(let regression):
            try backend.regressionLoss(
                regression, predictions: output, targets: labels, shape: shape, sampleWeights: nil,
                outputs: outputs)
        }
    }
}
