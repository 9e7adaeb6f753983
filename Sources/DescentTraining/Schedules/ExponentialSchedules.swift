import DescentCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Exponential decay: the learning rate falls by a factor `decayRate` every `every`, smoothly or in
/// a staircase, as Keras's `ExponentialDecay` [1] and PyTorch's `ExponentialLR` [2].
///
///     lr(t) = base * decayRate^(t / every)           (smooth)
///     lr(t) = base * decayRate^floor(t / every)      (staircase)
///
/// PyTorch's `ExponentialLR(gamma)` stepped once per epoch is
/// `every: .epochs(1), decayRate: gamma, staircase: true`.
///
/// [1]: Keras, `keras.optimizers.schedules.ExponentialDecay`.
/// [2]: PyTorch, `torch.optim.lr_scheduler.ExponentialLR` (its closed form).
public struct ExponentialDecay: LearningRateSchedule {
    public let every: TrainingDuration
    public let decayRate: Double
    /// Whether the exponent is `floor(t / every)` rather than `t / every`.
    public let staircase: Bool

    /// - Parameters:
    ///   - every: The time over which the rate is multiplied by `decayRate`; > 0.
    ///   - decayRate: The factor per `every`; finite and > 0.
    ///   - staircase: Decay at whole multiples of `every` only (default false).
    /// - Throws: `DescentError.invalidArgument` naming the value out of range.
    public init(every: TrainingDuration, decayRate: Double, staircase: Bool = false) throws {
        let name = "ExponentialDecay"
        try ScheduleValidation.duration(every, "every", of: name)
        try ScheduleValidation.positive(decayRate, "decayRate", of: name)
        self.every = every
        self.decayRate = decayRate
        self.staircase = staircase
    }

    public func learningRate(at step: Int, base: Double, stepsPerEpoch: Int) -> Double {
        let step = max(step, 0), period = max(every.steps(perEpoch: stepsPerEpoch), 1)
        let exponent = staircase ? Double(step / period) : Double(step) / Double(period)
        return base * pow(decayRate, exponent)
    }

    public var countsEpochs: Bool { every.isInEpochs }

    public var description: String {
        "ExponentialDecay(every: \(every), decayRate: \(decayRate), staircase: \(staircase))"
    }
}

/// Inverse-time (power) decay: the learning rate falls as `1 / t`, as Keras's `InverseTimeDecay` [1].
///
///     lr(t) = base / (1 + decayRate * t / every)           (smooth)
///     lr(t) = base / (1 + decayRate * floor(t / every))    (staircase)
///
/// It drops quickly at first, then more and more slowly (the lecture notes' "power scheduling").
///
/// [1]: Keras, `keras.optimizers.schedules.InverseTimeDecay`.
public struct InverseTimeDecay: LearningRateSchedule {
    public let every: TrainingDuration
    public let decayRate: Double
    /// Whether `t / every` is floored.
    public let staircase: Bool

    /// - Parameters:
    ///   - every: The unit of `t` in the formula; > 0.
    ///   - decayRate: How fast the rate falls; finite and >= 0 (0 keeps it constant).
    ///   - staircase: Decay at whole multiples of `every` only (default false).
    /// - Throws: `DescentError.invalidArgument` naming the value out of range.
    public init(every: TrainingDuration, decayRate: Double, staircase: Bool = false) throws {
        let name = "InverseTimeDecay"
        try ScheduleValidation.duration(every, "every", of: name)
        try ScheduleValidation.require(
            decayRate.isFinite && decayRate >= 0, name,
            "decayRate must be finite and >= 0, got \(decayRate)")
        self.every = every
        self.decayRate = decayRate
        self.staircase = staircase
    }

    public func learningRate(at step: Int, base: Double, stepsPerEpoch: Int) -> Double {
        let step = max(step, 0), period = max(every.steps(perEpoch: stepsPerEpoch), 1)
        let progress = staircase ? Double(step / period) : Double(step) / Double(period)
        return base / (1 + decayRate * progress)
    }

    public var countsEpochs: Bool { every.isInEpochs }

    public var description: String {
        "InverseTimeDecay(every: \(every), decayRate: \(decayRate), staircase: \(staircase))"
    }
}

/// Polynomial decay from the base rate to `endFraction` of it over `duration`, as Keras's
/// `PolynomialDecay` [1] (PyTorch's `PolynomialLR` is `endFraction: 0`).
///
///     lr(t) = (base - end) * (1 - t' / D)^power + end,    end = endFraction * base
///
/// Without `cycle`, `t' = min(t, T)` and `D = T` (`T` = `duration` in steps): the rate reaches
/// `end` at `T` and stays there. With `cycle`, `t' = t` and `D = T * ceil(t / T)` (`T` at step 0):
/// the rate reaches `end` at every multiple of `T` and then jumps back up, a little lower each
/// time. `power: 1` is a linear decay.
///
/// [1]: Keras, `keras.optimizers.schedules.PolynomialDecay`.
public struct PolynomialDecay: LearningRateSchedule {
    public let duration: TrainingDuration
    public let endFraction: Double
    public let power: Double
    public let cycle: Bool

    /// - Parameters:
    ///   - duration: The time to reach the end rate; > 0.
    ///   - endFraction: The final rate, a fraction of the base; finite and >= 0 (default 0). It
    ///     may exceed 1, which makes the schedule a ramp up.
    ///   - power: The exponent of the polynomial; finite and > 0 (default 1, linear).
    ///   - cycle: Restart the decay after each `duration` (default false).
    /// - Throws: `DescentError.invalidArgument` naming the value out of range.
    public init(
        duration: TrainingDuration, endFraction: Double = 0, power: Double = 1, cycle: Bool = false
    ) throws {
        let name = "PolynomialDecay"
        try ScheduleValidation.duration(duration, "duration", of: name)
        try ScheduleValidation.fraction(endFraction, "endFraction", of: name)
        try ScheduleValidation.positive(power, "power", of: name)
        self.duration = duration
        self.endFraction = endFraction
        self.power = power
        self.cycle = cycle
    }

    public func learningRate(at step: Int, base: Double, stepsPerEpoch: Int) -> Double {
        let step = max(step, 0), decaySteps = max(duration.steps(perEpoch: stepsPerEpoch), 1)
        let progress: Double
        if cycle {
            // ceil(t / decaySteps) in integers (no overflow near Int.max), at least 1; the min
            // keeps rounding of huge steps from taking a fractional power of a negative number.
            let periods = max(1, step / decaySteps + (step % decaySteps == 0 ? 0 : 1))
            progress = min(1, Double(step) / (Double(decaySteps) * Double(periods)))
        } else {
            progress = Double(min(step, decaySteps)) / Double(decaySteps)
        }
        let end = endFraction * base
        return (base - end) * pow(1 - progress, power) + end
    }

    public var countsEpochs: Bool { duration.isInEpochs }

    public var description: String {
        "PolynomialDecay(duration: \(duration), endFraction: \(endFraction), power: \(power), cycle: \(cycle))"
    }
}
