import DescentCore

extension OpenCLBackend {
    public func poolingForward(_ pooling: Pooling, input: View, output: View, shape: PoolingShape)
        throws
    {
        try Validation.poolingForward(input: input, output: output, shape: shape)
        try launchElementwise(
            pooling == .max ? .maxPoolForward : .averagePoolForward, count: shape.outputCount,
            geometry(shape) + [.view(input), .view(output)])
    }

    public func poolingBackward(
        _ pooling: Pooling, input: View, outputGradient: View, inputGradient: View,
        shape: PoolingShape
    ) throws {
        try Validation.poolingBackward(
            input: input, outputGradient: outputGradient, inputGradient: inputGradient,
            shape: shape)
        switch pooling {
        case .max:
            try launchElementwise(
                .maxPoolBackward, count: shape.inputCount,
                geometry(shape) + [.view(input), .view(outputGradient), .view(inputGradient)])
        case .average:
            try launchElementwise(
                .averagePoolBackward, count: shape.inputCount,
                geometry(shape) + [.view(outputGradient), .view(inputGradient)])
        }
    }

    /// `POOLING_PARAMETERS` of `Kernels/pooling.cl`.
    private func geometry(_ shape: PoolingShape) -> [KernelArgument] {
        [
            shape.batch * shape.channels, shape.height, shape.width, shape.windowHeight,
            shape.windowWidth, shape.stride, shape.outputHeight, shape.outputWidth,
        ].map { .int($0) }
    }
}
