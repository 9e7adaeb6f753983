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

    /// Checks the numbers of a step, naming the bad value.
    static func hyperparameters(_ step: OptimizerStep, of name: String) throws {
        func require(_ condition: Bool, _ reason: @autoclosure () -> String) throws {
            if !condition { throw DescentError.invalidArgument(operation: name, reason: reason()) }
        }
        func nonNegative(_ value: Float, _ what: String) throws {
            try require(
                value.isFinite && value >= 0, "\(what) must be finite and >= 0, got \(value)")
        }
        func beta(_ value: Float, _ what: String) throws {
            try require(value >= 0 && value < 1, "\(what) must be in [0, 1), got \(value)")
        }
        func epsilon(_ value: Float) throws {
            try require(value.isFinite && value > 0, "epsilon must be finite and > 0, got \(value)")
        }
        try nonNegative(step.learningRate, "the learning rate")
        try require(step.stepNumber >= 1, "the step number counts from 1, got \(step.stepNumber)")
        try nonNegative(step.l2, "the L2 penalty")
        try nonNegative(step.l1, "the L1 penalty")
        try nonNegative(step.decoupledWeightDecay, "the decoupled weight decay")
        if let clip = step.clipValue {
            try require(clip.isFinite && clip > 0, "the clip value must be > 0, got \(clip)")
        }
        switch step.rule {
        case .sgd(let momentum, let dampening, let nesterov, _):
            try nonNegative(momentum, "momentum")
            try nonNegative(dampening, "dampening")
            try require(
                !nesterov || (momentum > 0 && dampening == 0),
                "Nesterov momentum needs momentum > 0 and dampening 0, got \(momentum) and \(dampening)"
            )
        case .adagrad(let decay, let eps, let convention):
            try nonNegative(decay, "the learning-rate decay")
            try require(
                convention == .pytorch || decay == 0,
                "Keras's Adagrad has no learning-rate decay, got \(decay)")
            try epsilon(eps)
        case .rmsprop(let alpha, let eps, let momentum, _, _):
            try beta(alpha, "alpha")
            try epsilon(eps)
            try nonNegative(momentum, "momentum")
        case .adadelta(let rho, let eps):
            try beta(rho, "rho")
            try epsilon(eps)
        case .adam(let beta1, let beta2, let eps, _, _), .adamax(let beta1, let beta2, let eps, _),
            .nadam(let beta1, let beta2, let eps, _):
            try beta(beta1, "beta1")
            try beta(beta2, "beta2")
            try epsilon(eps)
        }
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
