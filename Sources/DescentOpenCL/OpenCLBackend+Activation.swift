import DescentCore

extension OpenCLBackend {
    public func activationForward(_ activation: Activation, input: View, output: View) throws {
        try Validation.activationForward(activation, input: input, output: output)
        try launchElementwise(
            activation.kernel(
                .activationForward, piecewiseLinear: .activationForwardPiecewiseLinear),
            count: input.count,
            [
                .int(input.count), .code(activation.kernelCode), .float(activation.parameter),
                .view(input), .view(output),
            ])
    }

    public func activationBackward(
        _ activation: Activation, input: View, output: View, outputGradient: View,
        inputGradient: View
    ) throws {
        try Validation.activationBackward(
            activation, input: input, output: output, outputGradient: outputGradient,
            inputGradient: inputGradient)
        try launchElementwise(
            activation.kernel(
                .activationBackward, piecewiseLinear: .activationBackwardPiecewiseLinear),
            count: input.count,
            [
                .int(input.count), .code(activation.kernelCode), .float(activation.parameter),
                .view(input), .view(output), .view(outputGradient), .view(inputGradient),
            ])
    }
}

extension Activation {
    /// The kernel that applies this activation: `base`, or `base_piecewise_linear` for identity,
    /// ReLU and leaky ReLU, whose build has no switch over every activation (PoCL pays for all
    /// of them otherwise; see `Kernels/activation_functions.cl`).
    func kernel(_ general: Kernel, piecewiseLinear: Kernel) -> Kernel {
        switch self {
        case .identity, .relu, .leakyReLU: piecewiseLinear
        case .sigmoid, .tanh, .elu, .selu, .softplus, .gelu: general
        }
    }

    /// The kernels' code for the activation.
    var kernelCode: ActivationCode {
        switch self {
        case .identity: .identity
        case .sigmoid: .sigmoid
        case .tanh: .tanh
        case .relu: .relu
        case .leakyReLU: .leakyRelu
        case .elu: .elu
        case .selu: .selu
        case .softplus: .softplus
        case .gelu: .gelu
        }
    }
}
