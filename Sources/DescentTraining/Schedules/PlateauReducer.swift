import DescentCore

/// Reduces the learning rate when a monitored metric stops improving, with the semantics of
/// PyTorch's `ReduceLROnPlateau` [1] (the lecture notes' "performance scheduling").
///
/// It does not own the learning rate: a training callback calls `observe(_:learningRate:)` once
/// per epoch with the validation metric and the current rate (`FusedOptimizer.learningRate`), and
/// sets the rate it returns. Each observation does, in this order:
///
/// 1. If the metric is an improvement on `best` (see below), it becomes `best` and `badEpochs`
///    returns to 0; otherwise `badEpochs` grows by 1.
/// 2. If a cooldown is running (`cooldownRemaining > 0`), `cooldownRemaining` shrinks by 1 and
///    `badEpochs` returns to 0: observations during a cooldown never count against the rate.
/// 3. If `badEpochs > patience`, the rate is reduced:
///    `newRate = max(learningRate * factor, minimumLearningRate)`, applied only when
///    `learningRate - newRate > epsilon`. Then, whether or not the reduction was applied,
///    `cooldownRemaining = cooldown` and `badEpochs = 0`.
///
/// So with `cooldown: 0` the rate drops on the `(patience + 1)`-th observation in a row without
/// improvement, and again after each further `patience + 1`. After a reduction, `cooldown`
/// observations are ignored before counting starts again. `best` is kept across reductions.
///
/// A metric improves on `best` when, with `threshold` = `th`:
///
///     mode .min, .relative:  metric < best * (1 - th)
///     mode .min, .absolute:  metric < best - th
///     mode .max, .relative:  metric > best * (1 + th)
///     mode .max, .absolute:  metric > best + th
///
/// `best` starts at +infinity in `.min` mode (-infinity in `.max`), so the first finite
/// observation always improves. A NaN metric never improves. As in PyTorch, the relative rule
/// assumes a positive metric: for a negative `best` in `.min` mode, `best * (1 - th)` lies above
/// `best`, so a slightly worse metric counts as an improvement; use `.absolute` for metrics that
/// can be negative.
///
/// Keras's `ReduceLROnPlateau` callback differs: it reduces after `patience` (not `patience + 1`)
/// epochs without improvement and compares with an absolute `min_delta`.
///
/// [1]: PyTorch, `torch.optim.lr_scheduler.ReduceLROnPlateau`.
public struct PlateauReducer: Sendable, Equatable, CustomStringConvertible {
    /// Whether the monitored metric should go down (a loss) or up (an accuracy).
    public enum Mode: String, Sendable, Equatable {
        /// Lower is better (PyTorch's `'min'`).
        case min
        /// Higher is better (PyTorch's `'max'`).
        case max
    }

    /// How `threshold` widens the margin a metric must beat `best` by.
    public enum ThresholdMode: String, Sendable, Equatable {
        /// A fraction of `best` (PyTorch's `'rel'`).
        case relative
        /// An amount in the metric's units (PyTorch's `'abs'`).
        case absolute
    }

    public let mode: Mode
    /// The factor the rate is multiplied by at each reduction, in (0, 1).
    public let factor: Double
    /// The number of observations without improvement that are tolerated; one more reduces.
    public let patience: Int
    /// The margin of a significant improvement, in the sense of `thresholdMode`.
    public let threshold: Double
    public let thresholdMode: ThresholdMode
    /// The number of observations ignored after each reduction.
    public let cooldown: Int
    /// The rate is never reduced below this.
    public let minimumLearningRate: Double
    /// A reduction that would change the rate by `epsilon` or less is not applied.
    public let epsilon: Double

    /// The best metric observed so far (+infinity in `.min` mode, -infinity in `.max`, before any).
    public internal(set) var best: Double
    /// The number of observations in a row without improvement, outside cooldowns.
    public internal(set) var badEpochs: Int
    /// The number of observations the current cooldown still ignores.
    public internal(set) var cooldownRemaining: Int

    /// Creates a reducer with PyTorch's defaults.
    ///
    /// - Parameters:
    ///   - mode: Whether the metric should decrease (`.min`, default) or increase (`.max`).
    ///   - factor: The reduction factor; in (0, 1) (default 0.1).
    ///   - patience: The observations without improvement that are tolerated; >= 0 (default 10).
    ///   - threshold: The margin of a significant improvement; finite and >= 0 (default 1e-4).
    ///   - thresholdMode: `.relative` (default) or `.absolute`.
    ///   - cooldown: The observations ignored after a reduction; >= 0 (default 0).
    ///   - minimumLearningRate: The floor of the rate it returns (the optimizer's rate; under a
    ///     schedule, the base the schedule shapes); finite and >= 0 (default 0).
    ///   - epsilon: The smallest change of the rate that is applied; finite and >= 0 (default 1e-8).
    /// - Throws: `DescentError.invalidArgument` naming the value out of range.
    public init(
        mode: Mode = .min, factor: Double = 0.1, patience: Int = 10,
        threshold: Double = 1e-4, thresholdMode: ThresholdMode = .relative, cooldown: Int = 0,
        minimumLearningRate: Double = 0, epsilon: Double = 1e-8
    ) throws {
        let name = "PlateauReducer"
        try ScheduleValidation.require(
            factor > 0 && factor < 1, name, "factor must be in (0, 1), got \(factor)")
        try ScheduleValidation.require(
            patience >= 0, name, "patience must be >= 0, got \(patience)")
        try ScheduleValidation.require(
            threshold.isFinite && threshold >= 0, name,
            "threshold must be finite and >= 0, got \(threshold)")
        try ScheduleValidation.require(
            cooldown >= 0, name, "cooldown must be >= 0, got \(cooldown)")
        try ScheduleValidation.fraction(minimumLearningRate, "the minimum learning rate", of: name)
        try ScheduleValidation.require(
            epsilon.isFinite && epsilon >= 0, name,
            "epsilon must be finite and >= 0, got \(epsilon)")
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        self.minimumLearningRate = minimumLearningRate
        self.epsilon = epsilon
        self.best = mode == .min ? .infinity : -.infinity
        self.badEpochs = 0
        self.cooldownRemaining = 0
    }

    /// Whether `metric` would improve on `best` by more than the threshold.
    public func isImprovement(_ metric: Double) -> Bool {
        switch (mode, thresholdMode) {
        case (.min, .relative): metric < best * (1 - threshold)
        case (.min, .absolute): metric < best - threshold
        case (.max, .relative): metric > best * (1 + threshold)
        case (.max, .absolute): metric > best + threshold
        }
    }

    /// Records one observation of the metric (once per epoch) and returns the learning rate to
    /// use from now on: `learningRate` (the current one), reduced if this observation ended a
    /// plateau (see the type's rules).
    public mutating func observe(_ metric: Double, learningRate: Double) -> Double {
        if isImprovement(metric) {
            best = metric
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if cooldownRemaining > 0 {
            cooldownRemaining -= 1
            badEpochs = 0
        }
        var rate = learningRate
        if badEpochs > patience {
            let reduced = max(learningRate * factor, minimumLearningRate)
            if learningRate - reduced > epsilon { rate = reduced }
            cooldownRemaining = cooldown
            badEpochs = 0
        }
        return rate
    }

    public var description: String {
        "PlateauReducer(mode: \(mode), factor: \(factor), patience: \(patience), "
            + "threshold: \(threshold), thresholdMode: \(thresholdMode), cooldown: \(cooldown), "
            + "minimumLearningRate: \(minimumLearningRate), epsilon: \(epsilon), best: \(best), "
            + "badEpochs: \(badEpochs), cooldownRemaining: \(cooldownRemaining))"
    }
}
