import DescentCore

/// The arguments of an `optimizer_step_*` kernel of `Kernels/optimizer.cl`, in the order of its
/// `OPTIMIZER_PARAMETERS`: the count, the rule's flags as `OPTIMIZER_FLAG_*` bits, the learning
/// rate, the rule's hyperparameters in their named slots, the host's per-step scalars, the
/// penalties and clipping, then the arrays.
struct OptimizerKernelArguments {
    /// How many state arrays the kernels take (`state0` to `state2`).
    static let stateSlots = 3

    let step: OptimizerStep
    let kernel: UpdateKernel

    init(_ step: OptimizerStep) {
        self.step = step
        kernel = step.rule.kernel(stepNumber: step.stepNumber)
    }

    /// The kernel function, from the core program.
    var function: KernelFunction { KernelFunction(name: kernel.name, program: .core) }

    /// The `flags` argument: one bit per flag the rule sets.
    var flags: Int32 {
        let set: [(Bool, OptimizerFlag)] = [
            (kernel.keras, .keras), (kernel.nesterov, .nesterov), (kernel.centered, .centered),
            (kernel.amsgrad, .amsgrad), (kernel.firstStep, .firstStep),
        ]
        return set.reduce(0) { bits, flag in flag.0 ? bits | flag.1.rawValue : bits }
    }

    /// The kernel's argument list over `count` elements.
    func arguments(
        count: Int, gradientScale: BufferView<OpenCLBuffer>?,
        parameters: BufferView<OpenCLBuffer>, gradients: BufferView<OpenCLBuffer>,
        state: [BufferView<OpenCLBuffer>]
    ) -> [KernelArgument] {
        let scalars = step.rule.scalars(
            learningRate: Double(step.learningRate), stepNumber: step.stepNumber)
        let hyperparameters: [KernelArgument] = [
            kernel.momentum, kernel.dampening, kernel.alpha, kernel.rho, kernel.beta1,
            kernel.beta2, kernel.epsilon,
        ].map { .float($0) }
        let stepScalars: [KernelArgument] = [
            scalars.stepSize, scalars.momentumStepSize, scalars.biasCorrection2,
            scalars.biasCorrection2Root,
        ].map { .float($0) }
        let penalties: [KernelArgument] = [
            step.l2, step.l1, step.decoupledWeightDecay, step.clipValue ?? 0,
        ].map { .float($0) }
        let states: [KernelArgument] = (0..<Self.stateSlots).map {
            .optionalView($0 < state.count ? state[$0] : nil)
        }
        return [.int(count), .int(Int(flags)), .float(step.learningRate)] + hyperparameters
            + stepScalars + penalties
            + [.optionalView(gradientScale), .view(parameters), .view(gradients)] + states
    }
}
