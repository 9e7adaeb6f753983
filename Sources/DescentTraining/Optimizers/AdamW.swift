import DescentCore

/// AdamW: Adam with decoupled weight decay, `w -= lr decay w` before the Adam update (PyTorch's
/// default decay 0.01), instead of an L2 penalty in the gradient.
public struct AdamW: Optimizer {
    /// PyTorch's default rate.
    public static let defaultLearningRate: Float = 0.001

    public var adam: Adam
    public var decoupledWeightDecay: Float

    public init(
        learningRate: Float = AdamW.defaultLearningRate, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8,
        weightDecay: Float = 0.01, amsgrad: Bool = false
    ) {
        adam = Adam(
            learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
            amsgrad: amsgrad)
        decoupledWeightDecay = weightDecay
    }

    public var learningRate: Float { adam.learningRate }
    public var weightDecay: Float { 0 }
    public var decouplesWeightDecay: Bool { true }
    public var updateRule: any UpdateRule { adam }
    public var description: String {
        "AdamW(lr: \(learningRate), weightDecay: \(decoupledWeightDecay))"
    }
}
