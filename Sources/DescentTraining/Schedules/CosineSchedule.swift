import DescentCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Cosine annealing after a linear warm-up: the rate climbs in a straight line to the base rate,
/// then follows half a cosine down to `minimumFraction` of it at the end of `duration`, and stays
/// there.
///
/// With `W` = `warmup` and `T` = `duration` in steps, `base` the optimizer's rate,
/// `lr0 = warmupStartFraction * base` and `lrMin = minimumFraction * base`:
///
///     lr(t) = lr0 + (base - lr0) * t / W                                 for t < W
///     lr(t) = lrMin + (base - lrMin) * (1 + cos(pi * (t - W) / (T - W))) / 2    for W <= t < T
///     lr(t) = lrMin                                                      for t >= T
///
/// So the warm-up reaches `base` exactly at step `W` (step 0 uses `lr0`), and step `T` uses
/// `lrMin`. When `W == T` the cosine part is empty: the rate warms up and then drops to `lrMin`.
///
/// This is the cosine of SGDR without restarts [1]. With `lr0 = 0` and `lrMin = 0` it is Hugging
/// Face's `get_cosine_schedule_with_warmup` [2]; with `W = 0` it is PyTorch's
/// `CosineAnnealingLR(T_max: T, eta_min: lrMin)` [3] for `t <= T` (PyTorch's cosine rises again
/// after `T`; this one holds `lrMin`). Keras's `CosineDecay` with `warmup_target` counts its
/// `decay_steps` after the warm-up: it is `T = warmup_steps + decay_steps` here, and its `alpha`
/// is `minimumFraction`.
///
/// [1]: Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", ICLR 2017.
/// [2]: Hugging Face Transformers, `get_cosine_schedule_with_warmup` (with `num_cycles = 0.5`).
/// [3]: PyTorch, `torch.optim.lr_scheduler.CosineAnnealingLR` (its closed form).
public struct CosineAnnealing: LearningRateSchedule {
    public let duration: TrainingDuration
    public let warmup: TrainingDuration
    public let warmupStartFraction: Double
    public let minimumFraction: Double

    /// - Parameters:
    ///   - duration: When the rate reaches its minimum, warm-up included; > 0.
    ///   - warmup: The length of the linear warm-up, not longer than `duration` (in steps or
    ///     epochs, whatever `duration`'s unit: a longer one is cut to `duration`); default none.
    ///   - warmupStartFraction: The rate at step 0 of the warm-up, a fraction of the base; finite
    ///     and >= 0 (default 0).
    ///   - minimumFraction: The final rate, a fraction of the base; in [0, 1] (default 0).
    /// - Throws: `DescentError.invalidArgument` naming the value out of range.
    public init(
        duration: TrainingDuration, warmup: TrainingDuration = .steps(0),
        warmupStartFraction: Double = 0,
        minimumFraction: Double = 0
    ) throws {
        let name = "CosineAnnealing"
        try ScheduleValidation.duration(duration, "duration", of: name)
        try ScheduleValidation.duration(warmup, "warmup", positive: false, of: name)
        if warmup.isInEpochs == duration.isInEpochs {
            try ScheduleValidation.require(
                warmup.amount <= duration.amount, name,
                "warmup (\(warmup)) must not be longer than duration (\(duration))")
        }
        try ScheduleValidation.fraction(warmupStartFraction, "warmupStartFraction", of: name)
        try ScheduleValidation.require(
            minimumFraction.isFinite && (0...1).contains(minimumFraction), name,
            "minimumFraction must be in [0, 1] (a fraction of the base rate), got \(minimumFraction)"
        )
        self.duration = duration
        self.warmup = warmup
        self.warmupStartFraction = warmupStartFraction
        self.minimumFraction = minimumFraction
    }

    public func learningRate(at step: Int, base: Double, stepsPerEpoch: Int) -> Double {
        let step = max(step, 0)
        let total = max(duration.steps(perEpoch: stepsPerEpoch), 1),
            warmupSteps = min(warmup.steps(perEpoch: stepsPerEpoch), total)
        let start = warmupStartFraction * base, minimum = minimumFraction * base
        if step < warmupSteps {
            return start + (base - start) * Double(step) / Double(warmupSteps)
        }
        if step >= total { return minimum }
        let progress = Double(step - warmupSteps) / Double(total - warmupSteps)
        return minimum + (base - minimum) * (1 + cos(Double.pi * progress)) / 2
    }

    public var countsEpochs: Bool { duration.isInEpochs || warmup.isInEpochs }

    public var description: String {
        "CosineAnnealing(duration: \(duration), warmup: \(warmup), warmupStartFraction: \(warmupStartFraction), "
            + "minimumFraction: \(minimumFraction))"
    }
}
