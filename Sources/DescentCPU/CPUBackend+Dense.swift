import DescentCore

extension CPUBackend {
    /// The composition the OpenCL backend fuses: matmul, bias, activation.
    public func denseForward(
        input: View, weights: View, bias: View?, activation: Activation, preActivation: View?,
        output: View,
        shape: DenseShape
    ) throws {
        try Validation.denseForward(
            input: input, weights: weights, bias: bias, activation: activation,
            preActivation: preActivation,
            output: output, shape: shape)
        let z = preActivation ?? output
        try matmul(input, weights, z, shape: shape.matmul)
        if let bias { try addBias(z, bias: bias, output: z, shape: shape.outputShape) }
        try activationForward(activation, input: z, output: output)
    }
}
