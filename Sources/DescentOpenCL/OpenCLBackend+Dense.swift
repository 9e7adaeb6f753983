import DescentCore

extension OpenCLBackend {
    /// `dense_forward` (tiled) or `dense_forward_blocked` (register-blocked; `_piecewise_linear`
    /// for identity, ReLU and leaky ReLU) in `Kernels/matmul.cl`, by `tuning.matmulStrategy`: the
    /// product with the bias and the activation in its epilogue, one launch.
    public func denseForward(
        input: View, weights: View, bias: View?, activation: Activation, preActivation: View?,
        output: View,
        shape: DenseShape
    ) throws {
        try Validation.denseForward(
            input: input, weights: weights, bias: bias, activation: activation,
            preActivation: preActivation,
            output: output, shape: shape)
        let arguments: [KernelArgument] = [
            .int(shape.batch), .int(shape.outputs), .int(shape.inputs),
            .code(activation.kernelCode),
            .float(activation.parameter), .view(input), .view(weights), .optionalView(bias),
            .optionalView(preActivation), .view(output),
        ]
        switch tuning.matmulStrategy {
        case .tiled:
            let width = tuning.matmulGroupWidth, tile = tuning.matmulTile
            try launch(
                .denseForward,
                global: [
                    (shape.outputs + tile - 1) / tile * width,
                    (shape.batch + tile - 1) / tile * width,
                ],
                local: [width, width], arguments)
        case .registerBlocked:
            try launch(
                activation.kernel(
                    .denseForwardBlocked, piecewiseLinear: .denseForwardBlockedPiecewiseLinear),
                global: blockedGlobalSize(
                    m: shape.batch, n: shape.outputs, rows: tuning.matmulBlockRows,
                    columns: tuning.matmulVectorWidth),
                local: [tuning.matmulBlockedGroup, 1], arguments)
        }
    }
}
