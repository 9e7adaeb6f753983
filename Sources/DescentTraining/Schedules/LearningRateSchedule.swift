import DescentCore

/// The shape of the learning rate over training: the rate of each update as a function of the
/// number of updates done and of the base rate, which it does not own.
///
/// The learning rate has one owner, `FusedOptimizer.learningRate` (the optimizer's rate at
/// first): a schedule shapes each step's rate from it (`base` below), and what changes it between
/// epochs (`ReduceLROnPlateau`, `LearningRateScheduler`, `Trainer.fit`'s caller) changes that one
/// value, under the schedule. So `SGD(learningRate: 0.1)` with `StepDecay(every: .epochs(5),
/// gamma: 0.5)` starts at 0.1, and a plateau that halves the base halves every later step too.
///
/// `step` counts optimizer updates from 0: `learningRate(at: 0, ...)` is the rate of the first
/// update. Every length a schedule takes is a `TrainingDuration`, in steps or epochs; epochs are
/// turned into steps with `stepsPerEpoch`. Rates below the base are given as fractions of it.
/// A negative `step` is treated as 0. Schedules compute in `Double`, so that long products such
/// as `gamma^t` lose nothing before the optimizer rounds the rate to `Float`.
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
    /// The learning rate of the update that follows `step` updates (0-based; negative means 0),
    /// for the base rate `base` and `stepsPerEpoch` updates per epoch.
    func learningRate(at step: Int, base: Double, stepsPerEpoch: Int) -> Double
    /// Whether a length is given in epochs, so that the schedule needs the steps per epoch.
    var countsEpochs: Bool { get }
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

    public func learningRate(at step: Int, base rate: Double, stepsPerEpoch: Int) -> Double {
        base.learningRate(at: step, base: rate, stepsPerEpoch: stepsPerEpoch)
    }

    public var countsEpochs: Bool { base.countsEpochs }

    public var description: String { base.description }

    public static func == (lhs: AnyLearningRateSchedule, rhs: AnyLearningRateSchedule) -> Bool {
        func isEqual<S: LearningRateSchedule>(_ lhs: S, _ rhs: any LearningRateSchedule) -> Bool {
            guard let rhs = rhs as? S else { return false }
            return lhs == rhs
        }
        return isEqual(lhs.base, rhs.base)
    }
}

/// The argument checks shared by the schedules and the plateau reducer, naming the bad value.
enum ScheduleValidation {
    static func require(
        _ condition: Bool, _ operation: String, _ reason: @autoclosure () -> String
    ) throws {
        if !condition { throw DescentError.invalidArgument(operation: operation, reason: reason()) }
    }

    /// A fraction of the base rate, or a rate: finite and >= 0.
    static func fraction(_ value: Double, _ what: String, of operation: String) throws {
        try require(
            value.isFinite && value >= 0, operation, "\(what) must be finite and >= 0, got \(value)"
        )
    }

    /// A length: finite and >= 0 (> 0 when `positive`).
    static func duration(
        _ value: TrainingDuration, _ what: String, positive: Bool = true, of operation: String
    ) throws {
        let valid =
            switch value {
            case .steps(let steps): positive ? steps > 0 : steps >= 0
            case .epochs(let epochs): epochs.isFinite && (positive ? epochs > 0 : epochs >= 0)
            }
        try require(
            valid, operation,
            "\(what) must be \(positive ? "> 0" : ">= 0") (and finite), got \(value)")
    }

    /// Lengths that must be of one unit, >= `minimum` and strictly increasing.
    static func increasing(
        _ durations: [TrainingDuration], minimum: Int, _ what: String, of operation: String
    ) throws {
        guard let first = durations.first else { return }
        try require(
            durations.allSatisfy { $0.isInEpochs == first.isInEpochs }, operation,
            "\(what) must all be in steps or all in epochs, got \(durations)")
        let values = durations.map(\.amount)
        try require(
            values.allSatisfy(\.isFinite), operation, "\(what) must be finite, got \(durations)")
        try require(
            values[0] >= Double(minimum), operation,
            "\(what) must be >= \(minimum), got \(durations)")
        for (previous, next) in zip(values, values.dropFirst()) {
            try require(
                previous < next, operation, "\(what) must be strictly increasing, got \(durations)")
        }
    }

    /// A multiplicative factor such as gamma: finite and > 0.
    static func positive(_ value: Double, _ what: String, of operation: String) throws {
        try require(
            value.isFinite && value > 0, operation, "\(what) must be finite and > 0, got \(value)")
    }

}
