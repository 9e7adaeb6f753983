import DescentCore

extension OpenCLBackend {
    /// `optimizer_step_<rule>` of `Kernels/optimizer.cl`: one launch for the whole group, each
    /// work-item updating `tuning.optimizerWidth` consecutive elements.
    public func optimizerStep(
        _ step: OptimizerStep, parameters: View, gradients: View, state: [View], gradientScale: View?
    ) throws {
        try Validation.optimizerStep(
            step, parameters: parameters, gradients: gradients, state: state, gradientScale: gradientScale)
        let scalars = OptimizerScalars(step)
        let kernel = step.rule.kernelArguments(isFirstStep: step.stepNumber == 1)
        let states: [KernelArgument] = (0..<3).map { .optionalView($0 < state.count ? state[$0] : nil) }
        try launchElementwise(
            kernel.name, count: (parameters.count + tuning.optimizerWidth - 1) / tuning.optimizerWidth,
            [.int(parameters.count), .int(kernel.flags), .float(step.learningRate),
             .float(kernel.hyperparameters.0), .float(kernel.hyperparameters.1), .float(kernel.hyperparameters.2),
             .float(scalars.stepSize), .float(scalars.secondary), .float(scalars.tertiary),
             .float(step.l2), .float(step.l1), .float(step.decoupledWeightDecay), .float(step.clipValue ?? 0),
             .optionalView(gradientScale), .view(parameters), .view(gradients)] + states)
    }

    public func clipScaleForGlobalNorm(gradients: View, maxNorm: Float, scale: View) throws {
        try Validation.clipScale(gradients: gradients, maxNorm: maxNorm, scale: scale)
        try reduce(.sumOfSquares, gradients, axis: .all, output: scale, shape: MatrixShape(rows: 1, columns: max(gradients.count, 1)))
        try launch("clip_scale_finish", global: [1], local: nil, [.float(maxNorm), .view(scale)])
    }

    public func maxNormConstraint(weights: View, shape: MatrixShape, maxNorm: Float) throws {
        try Validation.maxNorm(weights: weights, shape: shape, maxNorm: maxNorm)
        try launchElementwise(
            "max_norm", count: shape.columns,
            [.int(shape.rows), .int(shape.columns), .float(maxNorm), .view(weights)])
    }
}

extension OptimizerRule {
    /// The kernel, `FLAG_*` bits and `h0, h1, h2` of `Kernels/optimizer.cl`.
    func kernelArguments(isFirstStep: Bool) -> (name: String, flags: Int, hyperparameters: (Float, Float, Float)) {
        let keras = 1, nesterovFlag = 2, centeredFlag = 4, amsgradFlag = 8, firstStep = isFirstStep ? 16 : 0
        func convention(_ convention: OptimizerConvention) -> Int { convention == .keras ? keras : 0 }
        switch self {
        case .sgd(let momentum, let dampening, let nesterov, let form):
            return ("optimizer_step_sgd", convention(form) | (nesterov ? nesterovFlag : 0) | firstStep, (momentum, dampening, 0))
        case .adagrad(_, let epsilon, let form):
            return ("optimizer_step_adagrad", convention(form), (0, 0, epsilon))
        case .rmsprop(let alpha, let epsilon, let momentum, let centered, let form):
            return ("optimizer_step_rmsprop", convention(form) | (centered ? centeredFlag : 0), (alpha, momentum, epsilon))
        case .adadelta(let rho, let epsilon):
            return ("optimizer_step_adadelta", 0, (rho, 0, epsilon))
        case .adam(let beta1, let beta2, let epsilon, let amsgrad, let form):
            return ("optimizer_step_adam", convention(form) | (amsgrad ? amsgradFlag : 0), (beta1, beta2, epsilon))
        case .adamax(let beta1, let beta2, let epsilon, let form):
            return ("optimizer_step_adamax", convention(form), (beta1, beta2, epsilon))
        case .nadam(let beta1, let beta2, let epsilon, _):
            return ("optimizer_step_nadam", 0, (beta1, beta2, epsilon))
        }
    }
}
