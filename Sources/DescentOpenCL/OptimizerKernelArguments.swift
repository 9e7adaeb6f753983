import DescentCore

/// The arguments of an `optimizer_step_*` kernel of `Kernels/optimizer.cl`, by name, in the
/// order of its `OPTIMIZER_PARAMETERS`: the rule's kernel and flags, its hyperparameters in
/// named slots (a rule leaves the ones it does not have at 0), the host's per-step scalars, the
/// penalties and clipping, then the arrays.
struct OptimizerKernelArguments {
    var kernel: Kernel
    var flags: Set<OptimizerFlag> = []
    var momentum: Float = 0
    var dampening: Float = 0
    var alpha: Float = 0
    var rho: Float = 0
    var beta1: Float = 0
    var beta2: Float = 0
    var epsilon: Float = 0

    /// The kernel, flags and hyperparameters of `rule`; `isFirstStep` matters to SGD's momentum
    /// buffer (PyTorch starts it at the first gradient).
    init(_ rule: OptimizerRule, isFirstStep: Bool) {
        func convention(_ convention: OptimizerConvention) -> Set<OptimizerFlag> {
            convention == .keras ? [.keras] : []
        }
        switch rule {
        case .sgd(let momentum, let dampening, let nesterov, let form):
            kernel = .optimizerStepSgd
            flags = convention(form).union(nesterov ? [.nesterov] : []).union(
                isFirstStep ? [.firstStep] : [])
            (self.momentum, self.dampening) = (momentum, dampening)
        case .adagrad(_, let epsilon, let form):
            kernel = .optimizerStepAdagrad
            flags = convention(form)
            self.epsilon = epsilon
        case .rmsprop(let alpha, let epsilon, let momentum, let centered, let form):
            kernel = .optimizerStepRmsprop
            flags = convention(form).union(centered ? [.centered] : [])
            (self.alpha, self.momentum, self.epsilon) = (alpha, momentum, epsilon)
        case .adadelta(let rho, let epsilon):
            kernel = .optimizerStepAdadelta
            (self.rho, self.epsilon) = (rho, epsilon)
        case .adam(let beta1, let beta2, let epsilon, let amsgrad, let form):
            kernel = .optimizerStepAdam
            flags = convention(form).union(amsgrad ? [.amsgrad] : [])
            (self.beta1, self.beta2, self.epsilon) = (beta1, beta2, epsilon)
        case .adamax(let beta1, let beta2, let epsilon, let form):
            kernel = .optimizerStepAdamax
            flags = convention(form)
            (self.beta1, self.beta2, self.epsilon) = (beta1, beta2, epsilon)
        case .nadam(let beta1, let beta2, let epsilon, _):
            kernel = .optimizerStepNadam
            (self.beta1, self.beta2, self.epsilon) = (beta1, beta2, epsilon)
        }
    }

    /// The kernel's argument list for `step` over `count` elements.
    func arguments(
        _ step: OptimizerStep, count: Int, gradientScale: BufferView<OpenCLBuffer>?,
        parameters: BufferView<OpenCLBuffer>, gradients: BufferView<OpenCLBuffer>,
        state: [BufferView<OpenCLBuffer>]
    ) -> [KernelArgument] {
        let scalars = OptimizerScalars(step)
        let flagBits = flags.reduce(Int32(0)) { $0 | $1.rawValue }
        let hyperparameters: [KernelArgument] = [
            momentum, dampening, alpha, rho, beta1, beta2, epsilon,
        ].map { .float($0) }
        let stepScalars: [KernelArgument] = [
            scalars.stepSize, scalars.momentumStepSize, scalars.biasCorrection2,
            scalars.biasCorrection2Root,
        ].map { .float($0) }
        let penalties: [KernelArgument] = [
            step.l2, step.l1, step.decoupledWeightDecay, step.clipValue ?? 0,
        ].map { .float($0) }
        let states: [KernelArgument] = (0..<3).map {
            .optionalView($0 < state.count ? state[$0] : nil)
        }
        return [.int(count), .int(Int(flagBits)), .float(step.learningRate)] + hyperparameters
            + stepScalars + penalties
            + [.optionalView(gradientScale), .view(parameters), .view(gradients)] + states
    }
}
