import DescentCore

/// The loss a `Trainer` minimizes, and the kind of labels it takes.
public enum LossFunction: Sendable, Equatable, CustomStringConvertible {
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
        case .softmaxCrossEntropy(let smoothing): smoothing == 0 ? "softmaxCrossEntropy" : "softmaxCrossEntropy(labelSmoothing: \(smoothing))"
        case .binaryCrossEntropy: "binaryCrossEntropy"
        case .regression(let loss): "\(loss)"
        }
    }
}
