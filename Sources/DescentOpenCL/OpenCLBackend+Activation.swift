import DescentCore

extension OpenCLBackend {
    public func activationForward(_ activation: Activation, input: View, output: View) throws {
        try Validation.activationForward(activation, input: input, output: output)
        try launchElementwise(
            activation.kernelName("activation_forward"), count: input.count,
            [.int(input.count), .int(activation.kernelCode), .float(activation.parameter), .view(input), .view(output)])
    }

    public func activationBackward(
        _ activation: Activation, input: View, output: View, outputGradient: View, inputGradient: View
    ) throws {
        try Validation.activationBackward(
            activation, input: input, output: output, outputGradient: outputGradient, inputGradient: inputGradient)
        try launchElementwise(
            activation.kernelName("activation_backward"), count: input.count,
            [.int(input.count), .int(activation.kernelCode), .float(activation.parameter),
             .view(input), .view(output), .view(outputGradient), .view(inputGradient)])
    }
}

extension Activation {
    /// The kernel that applies this activation: `base`, or `base_piecewise_linear` for identity,
    /// ReLU and leaky ReLU, whose build has no switch over every activation (PoCL pays for all
    /// of them otherwise; see `Kernels/activation_functions.cl`).
    func kernelName(_ base: String) -> String {
        switch self {
        case .identity, .relu, .leakyReLU: base + "_piecewise_linear"
        case .sigmoid, .tanh, .elu, .selu, .softplus, .gelu: base
        }
    }

    /// The `ACTIVATION_*` constant of `Kernels/activation_functions.cl`.
    var kernelCode: Int {
        switch self {
        case .identity: 0
        case .sigmoid: 1
        case .tanh: 2
        case .relu: 3
        case .leakyReLU: 4
        case .elu: 5
        case .selu: 6
        case .softplus: 7
        case .gelu: 8
        }
    }
}
