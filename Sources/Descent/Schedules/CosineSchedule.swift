import DescentCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Cosine annealing after a linear warm-up: the rate climbs in a straight line to
/// `baseLearningRate`, then follows half a cosine down to `minimumLearningRate` at `totalSteps`,
/// and stays there.
///
/// With `W = warmupSteps`, `T = totalSteps`, `lr0 = warmupStartLearningRate`,
/// `lrMax = baseLearningRate` and `lrMin = minimumLearningRate`:
///
///     lr(t) = lr0 + (lrMax - lr0) * t / W                                for t < W
///     lr(t) = lrMin + (lrMax - lrMin) * (1 + cos(pi * (t - W) / (T - W))) / 2    for W <= t < T
///     lr(t) = lrMin                                                      for t >= T
///
/// So the warm-up reaches `lrMax` exactly at step `W` (step 0 uses `lr0`), and the last step of
/// the decay, `T`, uses `lrMin`. When `W == T` the cosine part is empty: the rate warms up and then
/// drops straight to `lrMin`.
///
/// This is the cosine of SGDR without restarts [1]. With `lr0 = 0` and `lrMin = 0` it is Hugging
/// Face's `get_cosine_schedule_with_warmup` [2]; with `W = 0` it is PyTorch's
/// `CosineAnnealingLR(T_max: T, eta_min: lrMin)` [3] for `t <= T` (PyTorch's cosine rises again
/// after `T`; this one holds `lrMin`). Keras's `CosineDecay` with `warmup_target` counts its
/// `decay_steps` after the warm-up: it is `T = warmup_steps + decay_steps` here.
///
/// [1]: Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", ICLR 2017.
/// [2]: Hugging Face Transformers, `get_cosine_schedule_with_warmup` (with `num_cycles = 0.5`).
/// [3]: PyTorch, `torch.optim.lr_scheduler.CosineAnnealingLR` (its closed form).
public struct CosineAnnealing: LearningRateSchedule {
    public let baseLearningRate: Double
    public let totalSteps: Int
    public let warmupSteps: Int
    public let warmupStartLearningRate: Double
    public let minimumLearningRate: Double

    /// - Parameters:
    ///   - baseLearningRate: The peak rate, reached at the end of the warm-up; finite and >= 0.
    ///   - totalSteps: The step at which the rate reaches `minimumLearningRate`, warm-up
    ///     included; > 0.
    ///   - warmupSteps: The length of the linear warm-up; 0 ... `totalSteps` (default 0, none).
    ///   - warmupStartLearningRate: The rate at step 0 of the warm-up; finite and >= 0 (default 0).
    ///   - minimumLearningRate: The final rate; finite, >= 0 and <= `baseLearningRate` (default 0).
    /// - Throws: `DescentError.invalidArgument` naming the value out of range.
    public init(
        baseLearningRate: Double, totalSteps: Int, warmupSteps: Int = 0, warmupStartLearningRate: Double = 0,
        minimumLearningRate: Double = 0
    ) throws {
        let name = "CosineAnnealing"
        try ScheduleValidation.learningRate(baseLearningRate, "the base learning rate", of: name)
        try ScheduleValidation.positive(totalSteps, "totalSteps", of: name)
        try ScheduleValidation.require(
            warmupSteps >= 0 && warmupSteps <= totalSteps, name,
            "warmupSteps must be in 0...totalSteps (\(totalSteps)), got \(warmupSteps)")
        try ScheduleValidation.learningRate(warmupStartLearningRate, "the warm-up start learning rate", of: name)
        try ScheduleValidation.learningRate(minimumLearningRate, "the minimum learning rate", of: name)
        try ScheduleValidation.require(
            minimumLearningRate <= baseLearningRate, name,
            "the minimum learning rate (\(minimumLearningRate)) must not exceed the base learning rate "
                + "(\(baseLearningRate))")
        self.baseLearningRate = baseLearningRate
        self.totalSteps = totalSteps
        self.warmupSteps = warmupSteps
        self.warmupStartLearningRate = warmupStartLearningRate
        self.minimumLearningRate = minimumLearningRate
    }

    public func learningRate(at step: Int) -> Double {
        let step = max(step, 0)
        if step < warmupSteps {
            let fraction = Double(step) / Double(warmupSteps)
            return warmupStartLearningRate + (baseLearningRate - warmupStartLearningRate) * fraction
        }
        if step >= totalSteps { return minimumLearningRate }
        let progress = Double(step - warmupSteps) / Double(totalSteps - warmupSteps)
        return minimumLearningRate + (baseLearningRate - minimumLearningRate) * (1 + cos(Double.pi * progress)) / 2
    }

    public var description: String {
        "CosineAnnealing(baseLearningRate: \(baseLearningRate), totalSteps: \(totalSteps), "
            + "warmupSteps: \(warmupSteps), warmupStartLearningRate: \(warmupStartLearningRate), "
            + "minimumLearningRate: \(minimumLearningRate))"
    }
}
