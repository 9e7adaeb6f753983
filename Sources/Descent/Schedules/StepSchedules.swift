import DescentCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Step decay: the learning rate is multiplied by `gamma` every `stepSize` steps, as PyTorch's
/// `StepLR` [1].
///
///     lr(t) = initialLearningRate * gamma^floor(t / stepSize)
///
/// The lecture notes' typical settings: halve every 5 epochs (`stepSize: 5, gamma: 0.5`), or
/// divide by 10 every 20 epochs (`stepSize: 20, gamma: 0.1`) [2].
///
/// [1]: PyTorch, `torch.optim.lr_scheduler.StepLR` (its closed form).
/// [2]: CS231n, "Neural Networks Part 3", annealing the learning rate.
public struct StepDecay: LearningRateSchedule {
    public let initialLearningRate: Double
    public let stepSize: Int
    public let gamma: Double

    /// - Parameters:
    ///   - initialLearningRate: The rate of steps `0 ..< stepSize`; finite and >= 0.
    ///   - stepSize: The number of steps between decays; > 0.
    ///   - gamma: The factor applied at each decay; finite and > 0 (PyTorch's default 0.1).
    /// - Throws: `DescentError.invalidArgument` naming the value out of range.
    public init(initialLearningRate: Double, stepSize: Int, gamma: Double = 0.1) throws {
        let name = "StepDecay"
        try ScheduleValidation.learningRate(initialLearningRate, "the initial learning rate", of: name)
        try ScheduleValidation.positive(stepSize, "stepSize", of: name)
        try ScheduleValidation.positive(gamma, "gamma", of: name)
        self.initialLearningRate = initialLearningRate
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func learningRate(at step: Int) -> Double {
        initialLearningRate * pow(gamma, Double(max(step, 0) / stepSize))
    }

    public var description: String {
        "StepDecay(initialLearningRate: \(initialLearningRate), stepSize: \(stepSize), gamma: \(gamma))"
    }
}

/// Multi-step decay: the learning rate is multiplied by `gamma` at each milestone, as PyTorch's
/// `MultiStepLR` [1].
///
///     lr(t) = initialLearningRate * gamma^m(t),   m(t) = number of milestones <= t
///
/// So the decay happens exactly at the milestone: with milestones `[30, 80]`, steps 0...29 use the
/// initial rate, steps 30...79 `gamma` times it, and steps from 80 on `gamma^2` times it.
/// PyTorch counts a repeated milestone once per repetition; here milestones must be strictly
/// increasing (pass `gamma * gamma` for a double drop), so that a typo cannot go unnoticed.
///
/// [1]: PyTorch, `torch.optim.lr_scheduler.MultiStepLR` (its closed form).
public struct MultiStepDecay: LearningRateSchedule {
    public let initialLearningRate: Double
    public let milestones: [Int]
    public let gamma: Double

    /// - Parameters:
    ///   - initialLearningRate: The rate before the first milestone; finite and >= 0.
    ///   - milestones: The steps at which the rate drops; each > 0, strictly increasing. Empty
    ///     means a constant rate.
    ///   - gamma: The factor applied at each milestone; finite and > 0 (PyTorch's default 0.1).
    /// - Throws: `DescentError.invalidArgument` naming the value out of range.
    public init(initialLearningRate: Double, milestones: [Int], gamma: Double = 0.1) throws {
        let name = "MultiStepDecay"
        try ScheduleValidation.learningRate(initialLearningRate, "the initial learning rate", of: name)
        // A milestone at 0 would only rescale the initial rate (and PyTorch's chainable and closed
        // forms disagree about it), so the first drop comes after at least one step.
        try ScheduleValidation.increasingSteps(milestones, minimum: 1, "milestones", of: name)
        try ScheduleValidation.positive(gamma, "gamma", of: name)
        self.initialLearningRate = initialLearningRate
        self.milestones = milestones
        self.gamma = gamma
    }

    public func learningRate(at step: Int) -> Double {
        let step = max(step, 0)
        let passed = milestones.prefix { $0 <= step }.count
        return initialLearningRate * pow(gamma, Double(passed))
    }

    public var description: String {
        "MultiStepDecay(initialLearningRate: \(initialLearningRate), milestones: \(milestones), gamma: \(gamma))"
    }
}
