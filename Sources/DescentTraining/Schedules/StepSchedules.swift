import DescentCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Step decay: the learning rate is multiplied by `gamma` every `every`, as PyTorch's `StepLR` [1].
///
///     lr(t) = base * gamma^floor(t / every)
///
/// The lecture notes' typical settings: halve every 5 epochs (`every: .epochs(5), gamma: 0.5`),
/// or divide by 10 every 20 epochs (`every: .epochs(20), gamma: 0.1`) [2].
///
/// [1]: PyTorch, `torch.optim.lr_scheduler.StepLR` (its closed form).
/// [2]: CS231n, "Neural Networks Part 3", annealing the learning rate.
public struct StepDecay: LearningRateSchedule {
    public let every: TrainingDuration
    public let gamma: Double

    /// - Parameters:
    ///   - every: The time between decays; > 0.
    ///   - gamma: The factor applied at each decay; finite and > 0 (PyTorch's default 0.1).
    /// - Throws: `DescentError.invalidArgument` naming the value out of range.
    public init(every: TrainingDuration, gamma: Double = 0.1) throws {
        let name = "StepDecay"
        try ScheduleValidation.duration(every, "every", of: name)
        try ScheduleValidation.positive(gamma, "gamma", of: name)
        self.every = every
        self.gamma = gamma
    }

    public func learningRate(at step: Int, base: Double, stepsPerEpoch: Int) -> Double {
        base * pow(gamma, Double(max(step, 0) / max(every.steps(perEpoch: stepsPerEpoch), 1)))
    }

    public var countsEpochs: Bool { every.isInEpochs }

    public var description: String { "StepDecay(every: \(every), gamma: \(gamma))" }
}

/// Multi-step decay: the learning rate is multiplied by `gamma` at each milestone, as PyTorch's
/// `MultiStepLR` [1].
///
///     lr(t) = base * gamma^m(t),   m(t) = number of milestones <= t
///
/// So the decay happens exactly at the milestone: with milestones `[.epochs(30), .epochs(80)]`,
/// epochs 0...29 use the base rate, epochs 30...79 `gamma` times it, and later ones `gamma^2`
/// times it. PyTorch counts a repeated milestone once per repetition; here milestones must be
/// strictly increasing (pass `gamma * gamma` for a double drop), so that a typo cannot go
/// unnoticed.
///
/// [1]: PyTorch, `torch.optim.lr_scheduler.MultiStepLR` (its closed form).
public struct MultiStepDecay: LearningRateSchedule {
    public let milestones: [TrainingDuration]
    public let gamma: Double

    /// - Parameters:
    ///   - milestones: When the rate drops; all in steps or all in epochs, each > 0, strictly
    ///     increasing. Empty means a constant rate.
    ///   - gamma: The factor applied at each milestone; finite and > 0 (PyTorch's default 0.1).
    /// - Throws: `DescentError.invalidArgument` naming the value out of range.
    public init(milestones: [TrainingDuration], gamma: Double = 0.1) throws {
        let name = "MultiStepDecay"
        // A milestone at 0 would only rescale the base rate (and PyTorch's chainable and closed
        // forms disagree about it), so the first drop comes after at least one step.
        try ScheduleValidation.increasing(milestones, minimum: 0, "milestones", of: name)
        try ScheduleValidation.require(
            milestones.first.map { !$0.isZero } ?? true, name,
            "milestones must be > 0, got \(milestones)")
        try ScheduleValidation.positive(gamma, "gamma", of: name)
        self.milestones = milestones
        self.gamma = gamma
    }

    public func learningRate(at step: Int, base: Double, stepsPerEpoch: Int) -> Double {
        let step = max(step, 0)
        // A milestone in epochs that rounds to step 0 still drops the rate after the first step.
        let passed = milestones.prefix { max($0.steps(perEpoch: stepsPerEpoch), 1) <= step }.count
        return base * pow(gamma, Double(passed))
    }

    public var countsEpochs: Bool { milestones.contains(where: \.isInEpochs) }

    public var description: String { "MultiStepDecay(milestones: \(milestones), gamma: \(gamma))" }
}
