/// Operand and hyperparameter checks of the optimizer step and its helpers.
extension Validation {
    public static func optimizerStep<Buffer>(
        _ step: OptimizerStep, parameters: BufferView<Buffer>, gradients: BufferView<Buffer>,
        state: [BufferView<Buffer>], gradientScale: BufferView<Buffer>?
    ) throws {
        let name = "optimizerStep"
        try sameSize(
            name,
            [("parameters", parameters), ("gradients", gradients)]
                + state.enumerated().map { ("state \($0.offset)", $0.element) })
        guard state.count == step.rule.stateCount else {
            throw DescentError.invalidArgument(
                operation: name,
                reason:
                    "\(step.rule) keeps \(step.rule.stateCount) state arrays, got \(state.count)")
        }
        for (index, view) in state.enumerated() {
            try disjoint(view, parameters, "state \(index) and parameters", of: name)
            try disjoint(view, gradients, "state \(index) and gradients", of: name)
        }
        try disjoint(gradients, parameters, "gradients and parameters", of: name)
        if let gradientScale { try operand(gradientScale, "gradient scale", of: name, count: 1) }
        try hyperparameters(step, of: name)
    }

    /// Checks the numbers of a step, naming the bad value: the step's own, then the rule's.
    static func hyperparameters(_ step: OptimizerStep, of name: String) throws {
        let check = HyperparameterCheck(operation: name)
        try check.nonNegative(step.learningRate, "the learning rate")
        try check.require(
            step.stepNumber >= 1, "the step number counts from 1, got \(step.stepNumber)")
        try check.nonNegative(step.l2, "the L2 penalty")
        try check.nonNegative(step.l1, "the L1 penalty")
        try check.nonNegative(step.decoupledWeightDecay, "the decoupled weight decay")
        if let clip = step.clipValue {
            try check.require(clip.isFinite && clip > 0, "the clip value must be > 0, got \(clip)")
        }
        try step.rule.checkHyperparameters(check)
    }

    public static func clipScale<Buffer>(
        gradients: BufferView<Buffer>, maxNorm: Float, scale: BufferView<Buffer>
    ) throws {
        let name = "clipScaleForGlobalNorm"
        try elementType(gradients, .float32, operation: name)
        try operand(scale, "scale", of: name, count: 1)
        try disjoint(scale, gradients, "scale and gradients", of: name)
        guard maxNorm.isFinite && maxNorm > 0 else {
            throw DescentError.invalidArgument(
                operation: name, reason: "the maximum norm must be finite and > 0, got \(maxNorm)")
        }
    }

    public static func maxNorm<Buffer>(
        weights: BufferView<Buffer>, shape: MatrixShape, maxNorm: Float
    ) throws {
        let name = "maxNormConstraint"
        try self.shape(shape, of: name)
        try operand(weights, "weights", of: name, shape: shape)
        guard maxNorm.isFinite && maxNorm > 0 else {
            throw DescentError.invalidArgument(
                operation: name, reason: "the maximum norm must be finite and > 0, got \(maxNorm)")
        }
    }
}
