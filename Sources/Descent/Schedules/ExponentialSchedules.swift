import DescentCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Exponential decay: the learning rate falls by a factor `decayRate` every `decaySteps` steps,
/// smoothly or in a staircase, as Keras's `ExponentialDecay` [1] and PyTorch's `ExponentialLR` [2].
///
///     lr(t) = initialLearningRate * decayRate^(t / decaySteps)           (smooth)
///     lr(t) = initialLearningRate * decayRate^floor(t / decaySteps)      (staircase)
///
/// PyTorch's `ExponentialLR(gamma)` is `decaySteps: 1, decayRate: gamma`:
/// `lr(t) = initialLearningRate * gamma^t` (see `init(initialLearningRate:gamma:)`).
///
/// [1]: Keras, `keras.optimizers.schedules.ExponentialDecay`.
/// [2]: PyTorch, `torch.optim.lr_scheduler.ExponentialLR` (its closed form).
public struct ExponentialDecay: LearningRateSchedule {
    public let initialLearningRate: Double
    public let decaySteps: Int
    public let decayRate: Double
    /// Whether the exponent is `floor(t / decaySteps)` rather than `t / decaySteps`.
    public let staircase: Bool

    /// Keras's form.
    ///
    /// - Parameters:
    ///   - initialLearningRate: The rate at step 0; finite and >= 0.
    ///   - decaySteps: The number of steps over which the rate is multiplied by `decayRate`; > 0.
    ///   - decayRate: The factor per `decaySteps` steps; finite and > 0.
    ///   - staircase: Decay at whole multiples of `decaySteps` only (default false).
    /// - Throws: `DescentError.invalidArgument` naming the value out of range.
    public init(initialLearningRate: Double, decaySteps: Int, decayRate: Double, staircase: Bool = false) throws {
        try self.init(initialLearningRate, decaySteps, decayRate, staircase, rateName: "decayRate")
    }

    /// PyTorch's `ExponentialLR`: `lr(t) = initialLearningRate * gamma^t`.
    ///
    /// - Parameters:
    ///   - initialLearningRate: The rate at step 0; finite and >= 0.
    ///   - gamma: The factor per step; finite and > 0.
    /// - Throws: `DescentError.invalidArgument` naming the value out of range.
    public init(initialLearningRate: Double, gamma: Double) throws {
        try self.init(initialLearningRate, 1, gamma, false, rateName: "gamma")
    }

    private init(_ initialLearningRate: Double, _ decaySteps: Int, _ decayRate: Double, _ staircase: Bool, rateName: String) throws {
        let name = "ExponentialDecay"
        try ScheduleValidation.learningRate(initialLearningRate, "the initial learning rate", of: name)
        try ScheduleValidation.positive(decaySteps, "decaySteps", of: name)
        try ScheduleValidation.positive(decayRate, rateName, of: name)
        self.initialLearningRate = initialLearningRate
        self.decaySteps = decaySteps
        self.decayRate = decayRate
        self.staircase = staircase
    }

    public func learningRate(at step: Int) -> Double {
        let step = max(step, 0)
        let exponent = staircase ? Double(step / decaySteps) : Double(step) / Double(decaySteps)
        return initialLearningRate * pow(decayRate, exponent)
    }

    public var description: String {
        "ExponentialDecay(initialLearningRate: \(initialLearningRate), decaySteps: \(decaySteps), "
            + "decayRate: \(decayRate), staircase: \(staircase))"
    }
}

/// Inverse-time (power) decay: the learning rate falls as `1 / t`, as Keras's `InverseTimeDecay` [1].
///
///     lr(t) = initialLearningRate / (1 + decayRate * t / decaySteps)           (smooth)
///     lr(t) = initialLearningRate / (1 + decayRate * floor(t / decaySteps))    (staircase)
///
/// It drops quickly at first, then more and more slowly (the lecture notes' "power scheduling").
///
/// [1]: Keras, `keras.optimizers.schedules.InverseTimeDecay`.
public struct InverseTimeDecay: LearningRateSchedule {
    public let initialLearningRate: Double
    public let decaySteps: Int
    public let decayRate: Double
    /// Whether `t / decaySteps` is floored.
    public let staircase: Bool

    /// - Parameters:
    ///   - initialLearningRate: The rate at step 0; finite and >= 0.
    ///   - decaySteps: The unit of `t` in the formula; > 0.
    ///   - decayRate: How fast the rate falls; finite and >= 0 (0 keeps it constant).
    ///   - staircase: Decay at whole multiples of `decaySteps` only (default false).
    /// - Throws: `DescentError.invalidArgument` naming the value out of range.
    public init(initialLearningRate: Double, decaySteps: Int, decayRate: Double, staircase: Bool = false) throws {
        let name = "InverseTimeDecay"
        try ScheduleValidation.learningRate(initialLearningRate, "the initial learning rate", of: name)
        try ScheduleValidation.positive(decaySteps, "decaySteps", of: name)
        try ScheduleValidation.require(
            decayRate.isFinite && decayRate >= 0, name, "decayRate must be finite and >= 0, got \(decayRate)")
        self.initialLearningRate = initialLearningRate
        self.decaySteps = decaySteps
        self.decayRate = decayRate
        self.staircase = staircase
    }

    public func learningRate(at step: Int) -> Double {
        let step = max(step, 0)
        let progress = staircase ? Double(step / decaySteps) : Double(step) / Double(decaySteps)
        return initialLearningRate / (1 + decayRate * progress)
    }

    public var description: String {
        "InverseTimeDecay(initialLearningRate: \(initialLearningRate), decaySteps: \(decaySteps), "
            + "decayRate: \(decayRate), staircase: \(staircase))"
    }
}

/// Polynomial decay from `initialLearningRate` to `endLearningRate` over `decaySteps` steps, as
/// Keras's `PolynomialDecay` [1].
///
///     lr(t) = (initialLearningRate - endLearningRate) * (1 - t' / D)^power + endLearningRate
///
/// Without `cycle`, `t' = min(t, decaySteps)` and `D = decaySteps`: the rate reaches
/// `endLearningRate` at `decaySteps` and stays there. With `cycle`, `t' = t` and
/// `D = decaySteps * ceil(t / decaySteps)` (`decaySteps` at step 0): the rate reaches
/// `endLearningRate` at every multiple of `decaySteps` and then jumps back up, a little lower
/// each time. `power: 1` is a linear decay.
///
/// [1]: Keras, `keras.optimizers.schedules.PolynomialDecay`.
public struct PolynomialDecay: LearningRateSchedule {
    public let initialLearningRate: Double
    public let decaySteps: Int
    public let endLearningRate: Double
    public let power: Double
    public let cycle: Bool

    /// - Parameters:
    ///   - initialLearningRate: The rate at step 0; finite and >= 0.
    ///   - decaySteps: The number of steps to reach `endLearningRate`; > 0.
    ///   - endLearningRate: The final rate; finite and >= 0 (Keras's default 1e-4). It may exceed
    ///     the initial rate, which makes the schedule a ramp up.
    ///   - power: The exponent of the polynomial; finite and > 0 (default 1, linear).
    ///   - cycle: Restart the decay after each `decaySteps` (default false).
    /// - Throws: `DescentError.invalidArgument` naming the value out of range.
    public init(
        initialLearningRate: Double, decaySteps: Int, endLearningRate: Double = 1e-4, power: Double = 1,
        cycle: Bool = false
    ) throws {
        let name = "PolynomialDecay"
        try ScheduleValidation.learningRate(initialLearningRate, "the initial learning rate", of: name)
        try ScheduleValidation.positive(decaySteps, "decaySteps", of: name)
        try ScheduleValidation.learningRate(endLearningRate, "the end learning rate", of: name)
        try ScheduleValidation.positive(power, "power", of: name)
        self.initialLearningRate = initialLearningRate
        self.decaySteps = decaySteps
        self.endLearningRate = endLearningRate
        self.power = power
        self.cycle = cycle
    }

    public func learningRate(at step: Int) -> Double {
        let step = max(step, 0)
        let progress: Double
        if cycle {
            // ceil(t / decaySteps) in integers (no overflow near Int.max), at least 1; the min
            // keeps rounding of huge steps from taking a fractional power of a negative number.
            let periods = max(1, step / decaySteps + (step % decaySteps == 0 ? 0 : 1))
            progress = min(1, Double(step) / (Double(decaySteps) * Double(periods)))
        } else {
            progress = Double(min(step, decaySteps)) / Double(decaySteps)
        }
        return (initialLearningRate - endLearningRate) * pow(1 - progress, power) + endLearningRate
    }

    public var description: String {
        "PolynomialDecay(initialLearningRate: \(initialLearningRate), decaySteps: \(decaySteps), "
            + "endLearningRate: \(endLearningRate), power: \(power), cycle: \(cycle))"
    }
}
