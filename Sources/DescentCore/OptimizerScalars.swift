/// The per-step scalars of an update rule, computed once on the host in Double and rounded to
/// float by the rule's `scalars(learningRate:stepNumber:)`, so that every backend multiplies by
/// the same numbers (bias corrections and momentum schedules live on the host). The kernels
/// receive them as `step_size`, `momentum_step_size`, `bias_correction2` and
/// `bias_correction2_root`; each rule documents what it puts in them.
public struct OptimizerScalars: Sendable, Equatable {
    /// The rule's step size: the learning rate, with any bias correction folded in.
    public var stepSize: Float
    /// A second step size, on the momentum (Nadam).
    public var momentumStepSize: Float
    /// The second moment's bias correction `1 - b2^t`.
    public var biasCorrection2: Float
    /// Its square root, `sqrt(1 - b2^t)`.
    public var biasCorrection2Root: Float

    public init(
        stepSize: Float, momentumStepSize: Float = 0, biasCorrection2: Float = 0,
        biasCorrection2Root: Float = 0
    ) {
        self.stepSize = stepSize
        self.momentumStepSize = momentumStepSize
        self.biasCorrection2 = biasCorrection2
        self.biasCorrection2Root = biasCorrection2Root
    }
}
