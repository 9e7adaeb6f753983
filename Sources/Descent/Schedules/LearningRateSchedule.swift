import DescentCore

/// A learning rate as a function of training progress: a value that maps the number of steps
/// taken to the learning rate of the next update.
///
/// `step` counts from 0 in whatever unit the training loop advances the schedule by:
/// - per optimizer update (Keras's convention): `step` is the number of updates already done, so
///   `learningRate(at: 0)` is the rate of the first update, and the optimizer's 1-based step
///   number `n` uses `learningRate(at: n - 1)`;
/// - per epoch (PyTorch's usual `scheduler.step()` once per epoch): `step` is the number of
///   completed epochs.
///
/// Every length a schedule takes (`stepSize`, `milestones`, `decaySteps`, `boundaries`,
/// `warmupSteps`, `totalSteps`) is counted in that same unit. A negative `step` is treated as 0.
/// Learning rates are `Double`, so that long products such as `gamma^t` lose nothing before the
/// optimizer rounds the result to its own precision.
///
/// Schedules are a protocol, rather than one enum with a case per schedule, so that training code
/// can be generic over them and a user can add a schedule of their own without changing Descent;
/// each schedule checks its arguments in its own throwing initializer. Where one concrete type is
/// needed (a schedule chosen at run time from a flag or a search space), `AnyLearningRateSchedule`
/// erases the type and keeps `Equatable`.
///
/// A schedule that depends on the metrics observed, rather than on the step alone, is not a
/// `LearningRateSchedule`: see `PlateauReducer`.
public protocol LearningRateSchedule: Sendable, Equatable, CustomStringConvertible {
    /// The learning rate of the update that follows `step` steps (0-based; negative means 0).
    func learningRate(at step: Int) -> Double
}

/// Any learning-rate schedule behind one concrete type.
///
/// Two erased schedules are equal when they wrap values of the same type that are equal.
public struct AnyLearningRateSchedule: LearningRateSchedule {
    /// The wrapped schedule.
    public let base: any LearningRateSchedule

    /// Wraps `schedule`; wrapping an `AnyLearningRateSchedule` again returns it unchanged.
    public init(_ schedule: some LearningRateSchedule) {
        if let erased = schedule as? AnyLearningRateSchedule {
            self = erased
        } else {
            base = schedule
        }
    }

    public func learningRate(at step: Int) -> Double { base.learningRate(at: step) }

    public var description: String { base.description }

    public static func == (lhs: AnyLearningRateSchedule, rhs: AnyLearningRateSchedule) -> Bool {
        func isEqual<S: LearningRateSchedule>(_ lhs: S, _ rhs: any LearningRateSchedule) -> Bool {
            guard let rhs = rhs as? S else { return false }
            return lhs == rhs
        }
        return isEqual(lhs.base, rhs.base)
    }
}

/// The same learning rate at every step.
///
///     lr(t) = learningRate
public struct ConstantLearningRate: LearningRateSchedule {
    public let learningRate: Double

    /// - Parameter learningRate: The rate of every step; finite and >= 0.
    /// - Throws: `DescentError.invalidArgument` for a negative, infinite or NaN learning rate.
    public init(_ learningRate: Double) throws {
        try ScheduleValidation.learningRate(learningRate, "the learning rate", of: "ConstantLearningRate")
        self.learningRate = learningRate
    }

    public func learningRate(at step: Int) -> Double { learningRate }

    public var description: String { "ConstantLearningRate(\(learningRate))" }
}

/// The argument checks shared by the schedules and the plateau reducer, naming the bad value.
enum ScheduleValidation {
    static func require(_ condition: Bool, _ operation: String, _ reason: @autoclosure () -> String) throws {
        if !condition { throw DescentError.invalidArgument(operation: operation, reason: reason()) }
    }

    /// A learning rate: finite and >= 0.
    static func learningRate(_ value: Double, _ what: String, of operation: String) throws {
        try require(value.isFinite && value >= 0, operation, "\(what) must be finite and >= 0, got \(value)")
    }

    /// A multiplicative factor such as gamma: finite and > 0.
    static func positive(_ value: Double, _ what: String, of operation: String) throws {
        try require(value.isFinite && value > 0, operation, "\(what) must be finite and > 0, got \(value)")
    }

    /// A length in steps: > 0.
    static func positive(_ value: Int, _ what: String, of operation: String) throws {
        try require(value > 0, operation, "\(what) must be > 0, got \(value)")
    }

    /// A list of step counts that must be >= `minimum` and strictly increasing.
    static func increasingSteps(_ steps: [Int], minimum: Int, _ what: String, of operation: String) throws {
        if let first = steps.first {
            try require(first >= minimum, operation, "\(what) must be >= \(minimum), got \(steps)")
        }
        for (previous, next) in zip(steps, steps.dropFirst()) {
            try require(previous < next, operation, "\(what) must be strictly increasing, got \(steps)")
        }
    }
}
