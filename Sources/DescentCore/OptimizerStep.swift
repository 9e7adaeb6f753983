/// Which framework's form of an update rule to follow where PyTorch and Keras 3 differ.
public enum OptimizerConvention: String, Sendable, Equatable, CaseIterable {
    /// PyTorch's `torch.optim` (the default everywhere in Descent).
    case pytorch
    /// Keras 3's `keras.optimizers`.
    case keras
}

/// Everything one fused optimizer launch needs beyond the arrays: the update rule, this step's
/// learning rate and number, and the group's penalties and clipping.
///
/// Before the rule, each gradient becomes `g = clamp(scale g, -clipValue, clipValue) + l2 w + l1 sign(w)`,
/// where `scale` is the global-norm clipping factor computed on the device (1 without clipping).
/// AdamW's decoupled decay applies first: `w -= lr decoupledWeightDecay w`.
public struct OptimizerStep: Sendable {
    /// The per-element update, after the steps above.
    public var rule: any UpdateRule
    /// This step's learning rate, after any schedule.
    public var learningRate: Float
    /// The 1-based number of this step (the first update is step 1), for bias corrections.
    public var stepNumber: Int
    /// Coupled L2 penalty added to the gradient: `l2 w` (PyTorch's `weight_decay`).
    public var l2: Float
    /// L1 penalty added to the gradient: `l1 sign(w)`.
    public var l1: Float
    /// Decoupled weight decay (AdamW): `w -= lr decoupledWeightDecay w` before the update.
    public var decoupledWeightDecay: Float
    /// Clip each gradient element to `[-clipValue, clipValue]`, or nil.
    public var clipValue: Float?

    public init(
        rule: any UpdateRule, learningRate: Float, stepNumber: Int, l2: Float = 0, l1: Float = 0,
        decoupledWeightDecay: Float = 0, clipValue: Float? = nil
    ) {
        self.rule = rule
        self.learningRate = learningRate
        self.stepNumber = stepNumber
        self.l2 = l2
        self.l1 = l1
        self.decoupledWeightDecay = decoupledWeightDecay
        self.clipValue = clipValue
    }
}
