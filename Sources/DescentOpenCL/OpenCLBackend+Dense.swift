import DescentCore

extension OpenCLBackend {
    /// `dense_forward` in `Kernels/matmul.cl`: the tiled product with the bias and the activation
    /// in its epilogue, one launch.
    public func denseForward(
        input: View, weights: View, bias: View?, activation: Activation, preActivation: View?, output: View,
        shape: DenseShape
    ) throws {
        try Validation.denseForward(
            input: input, weights: weights, bias: bias, activation: activation, preActivation: preActivation,
            output: output, shape: shape)
        let width = tuning.matmulGroupWidth, tile = tuning.matmulTile
        try launch(
            .matmul, "dense_forward",
            global: [(shape.outputs + tile - 1) / tile * width, (shape.batch + tile - 1) / tile * width],
            local: [width, width],
            [.int(shape.batch), .int(shape.outputs), .int(shape.inputs), .int(activation.kernelCode),
             .float(activation.parameter), .view(input), .view(weights), .optionalView(bias),
             .optionalView(preActivation), .view(output)])
    }
}
