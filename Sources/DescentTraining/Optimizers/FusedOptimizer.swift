import DescentCore

/// Runs an `Optimizer` over a parameter arena on a backend: one fused kernel launch per parameter
/// group per step.
///
/// The parameters of a model live in one flat arena and their gradients in a second of the same
/// layout; this object owns one more arena per state array of the optimizer (momentum, second
/// moments, ...), and the host state: the step count and the learning rate, whose one owner it is
/// (`learningRate`; a schedule shapes each step's rate from it). A step enqueues, in
/// order: the global-norm clipping factor (when asked for; computed and applied on the device),
/// one `optimizerStep` per group, then the groups' max-norm constraints. Nothing is read back.
public final class FusedOptimizer<B: Backend> {
    public let backend: B
    public let optimizer: any Optimizer
    /// The groups, changeable between steps. They must not overlap and must lie in the arena.
    public var groups: [ParameterGroup]
    /// The shape of the rate over the steps: step `n` (1-based) uses
    /// `schedule.learningRate(at: n - 1, base: learningRate, stepsPerEpoch: stepsPerEpoch)`.
    /// Without one, every step uses `learningRate`.
    public let schedule: AnyLearningRateSchedule?
    /// The learning rate, the one value everything that changes the rate acts on: the optimizer's
    /// at first; a plateau reducer or an epoch callback sets it between epochs; a schedule shapes
    /// each step's rate from it.
    public var learningRate: Float
    /// The steps of an epoch, for a schedule whose lengths are in epochs (`Trainer.fit` sets it).
    public var stepsPerEpoch: Int?
    public var clipping: GradientClipping
    /// The number of steps taken.
    public internal(set) var stepCount = 0
    /// The number of parameters the arena holds.
    public let parameterCount: Int
    /// The optimizer's state arrays, each of `parameterCount` elements.
    public let state: [B.Buffer]
    private let clipScale: B.Buffer

    /// Allocates the optimizer state for an arena of `parameterCount` parameters.
    /// - Parameter groups: nil for one group holding every parameter.
    /// - Throws: `DescentError.invalidArgument` for groups outside the arena or overlapping.
    public init(
        _ optimizer: any Optimizer, on backend: B, parameterCount: Int,
        groups: [ParameterGroup]? = nil,
        schedule: (any LearningRateSchedule)? = nil, clipping: GradientClipping = .none
    ) throws {
        self.backend = backend
        self.optimizer = optimizer
        self.parameterCount = parameterCount
        self.groups = groups ?? [ParameterGroup(range: 0..<parameterCount)]
        self.schedule = schedule.map { AnyLearningRateSchedule($0) }
        self.learningRate = optimizer.learningRate
        self.clipping = clipping
        state = try (0..<optimizer.stateCount).map { index in
            let buffer = try backend.makeBuffer(count: parameterCount)
            try backend.fill(buffer.view, with: optimizer.initialStateValue(index))
            return buffer
        }
        clipScale = try backend.makeBuffer(count: 1)
        try validateGroups()
    }

    /// The learning rate the next step uses in `group`.
    public func learningRate(of group: ParameterGroup) -> Float {
        let rate =
            schedule.map {
                Float(
                    $0.learningRate(
                        at: stepCount, base: Double(learningRate), stepsPerEpoch: stepsPerEpoch ?? 1
                    ))
            } ?? learningRate
        return group.learningRateScale * rate
    }

    /// Updates `parameters` from `gradients` (both arenas of `parameterCount` elements).
    /// - Throws: `DescentError.shapeMismatch` for arenas of another size, `.invalidArgument` for
    ///   bad hyperparameters (a negative or NaN learning rate, beta outside [0, 1), eps <= 0), or
    ///   bad groups.
    public func step(parameters: B.View, gradients: B.View) throws {
        for (name, view) in [("parameters", parameters), ("gradients", gradients)]
        where view.count != parameterCount {
            throw DescentError.shapeMismatch(
                operation: "FusedOptimizer.step",
                expected: "\(name) arena of \(parameterCount) elements",
                actual: "\(view.count) elements")
        }
        try validateGroups()
        if let schedule, schedule.countsEpochs, stepsPerEpoch == nil {
            throw DescentError.invalidArgument(
                operation: "FusedOptimizer.step",
                reason:
                    "the schedule \(schedule) counts epochs, but the steps per epoch are unknown; "
                    + "train with Trainer.fit, set stepsPerEpoch, or give the schedule's lengths in .steps"
            )
        }
        let number = stepCount + 1
        var scale: B.View? = nil
        if let maxNorm = clipping.globalNorm {
            try backend.clipScaleForGlobalNorm(
                gradients: gradients, maxNorm: maxNorm, scale: clipScale.view)
            scale = clipScale.view
        }
        for group in groups where !group.range.isEmpty {
            let step = OptimizerStep(
                rule: optimizer.updateRule, learningRate: learningRate(of: group),
                stepNumber: number,
                l2: optimizer.decouplesWeightDecay ? 0 : group.weightDecay ?? optimizer.weightDecay,
                l1: group.l1,
                decoupledWeightDecay: optimizer.decouplesWeightDecay
                    ? group.weightDecay ?? optimizer.decoupledWeightDecay : 0,
                clipValue: clipping.value)
            func slice(_ view: B.View) throws -> B.View {
                try view.buffer.view(
                    offset: view.offset + group.range.lowerBound, count: group.range.count)
            }
            try backend.optimizerStep(
                step, parameters: try slice(parameters), gradients: try slice(gradients),
                state: try state.map { try slice($0.view) }, gradientScale: scale)
        }
        for constraint in groups.flatMap(\.maxNorm) {
            try backend.maxNormConstraint(
                weights: try parameters.buffer.view(
                    offset: parameters.offset + constraint.offset, count: constraint.shape.count),
                shape: constraint.shape, maxNorm: constraint.maxNorm)
        }
        stepCount = number
    }

    private func validateGroups() throws {
        let sorted = groups.map(\.range).sorted { $0.lowerBound < $1.lowerBound }
        for range in sorted where range.lowerBound < 0 || range.upperBound > parameterCount {
            throw DescentError.invalidArgument(
                operation: "FusedOptimizer",
                reason: "group \(range) lies outside the arena of \(parameterCount) parameters")
        }
        for (first, second) in zip(sorted, sorted.dropFirst()) where first.overlaps(second) {
            throw DescentError.invalidArgument(
                operation: "FusedOptimizer", reason: "groups \(first) and \(second) overlap")
        }
        for group in groups {
            for constraint in group.maxNorm {
                let end = constraint.offset + constraint.shape.count
                guard group.range.contains(constraint.offset), end <= group.range.upperBound else {
                    throw DescentError.invalidArgument(
                        operation: "FusedOptimizer",
                        reason:
                            "the max-norm matrix at \(constraint.offset) of shape \(constraint.shape) lies outside its group \(group.range)"
                    )
                }
            }
        }
    }
}
