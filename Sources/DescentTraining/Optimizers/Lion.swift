import DescentCore

/// Lion (Chen et al., "Symbolic Discovery of Optimization Algorithms", 2023): the sign of an
/// interpolated momentum, so every parameter moves by exactly the learning rate (plus decay).
/// `c = b1 m + (1 - b1) g`; `w -= lr sign(c)`; `m = b2 m + (1 - b2) g`, with the weight decay
/// decoupled as AdamW's (`w -= lr decay w` first), as in the paper and the `lion-pytorch`
/// package. Its updates are larger than Adam's: the paper's rule of thumb is a rate 3-10x
/// smaller and a decay 3-10x larger than AdamW's. `sign(0)` is 0.
public struct Lion: Optimizer, UpdateRule {
    /// The paper's rate for its defaults (AdamW's 1e-3 divided by 10).
    public static let defaultLearningRate: Float = 1e-4

    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var decoupledWeightDecay: Float

    /// The paper's defaults: lr 1e-4, betas (0.9, 0.99), no weight decay.
    public init(
        learningRate: Float = Lion.defaultLearningRate, beta1: Float = 0.9, beta2: Float = 0.99,
        weightDecay: Float = 0
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.decoupledWeightDecay = weightDecay
    }

    public var weightDecay: Float { 0 }
    public var decouplesWeightDecay: Bool { true }

    /// `m`.
    public var stateCount: Int { 1 }

    public func checkHyperparameters(_ check: HyperparameterCheck) throws {
        try check.decayRate(beta1, "beta1")
        try check.decayRate(beta2, "beta2")
    }

    public func kernel(stepNumber: Int) -> UpdateKernel {
        var kernel = UpdateKernel(rule: "lion")
        (kernel.beta1, kernel.beta2) = (beta1, beta2)
        return kernel
    }

    public func apply(
        to arrays: UpdateArrays, learningRate lr: Float, stepNumber: Int, scalars: OptimizerScalars
    ) {
        let w = arrays.parameters, g = arrays.gradients, m = arrays.state[0]
        for i in 0..<arrays.count {
            let c = beta1 * m[i] + (1 - beta1) * g[i]
            w[i] -= lr * (c > 0 ? 1 : c < 0 ? -1 : 0)
            m[i] = beta2 * m[i] + (1 - beta2) * g[i]
        }
    }

    public var description: String {
        "Lion(lr: \(learningRate), weightDecay: \(decoupledWeightDecay))"
    }
}
