import DescentCore

extension OpenCLBackend {
    public func poolingForward(
        _ pooling: Pooling, input: View, output: View, shape: PoolingShape
    )
        throws
    {
        try Validation.poolingForward(input: input, output: output, shape: shape)
        try launch(
            pooling == .max ? .maxPoolForward : .averagePoolForward, global: outputRange(shape),
            local: nil, geometry(shape) + [.view(input), .view(output)])
    }

    public func poolingBackward(
        _ pooling: Pooling, input: View, outputGradient: View, inputGradient: View,
        shape: PoolingShape
    ) throws {
        try Validation.poolingBackward(
            input: input, outputGradient: outputGradient, inputGradient: inputGradient,
            shape: shape)
        let inputRange = [shape.width, shape.height, shape.batch * shape.channels]
        switch pooling {
        case .max where shape.stride >= shape.windowHeight && shape.stride >= shape.windowWidth:
            // Disjoint windows: a zero fill and one write per window, instead of a gather that
            // finds every window's maximum again for each of its inputs.
            try fill(inputGradient, with: 0)
            try launch(
                .maxPoolBackwardDisjoint, global: outputRange(shape), local: nil,
                geometry(shape) + [.view(input), .view(outputGradient), .view(inputGradient)])
        case .max:
            try launch(
                .maxPoolBackward, global: inputRange, local: nil,
                geometry(shape) + [.view(input), .view(outputGradient), .view(inputGradient)])
        case .average:
            try launch(
                .averagePoolBackward, global: inputRange, local: nil,
                geometry(shape) + [.view(outputGradient), .view(inputGradient)])
        }
    }

    /// One work-item per output row: (row, image).
    private func outputRange(_ shape: PoolingShape) -> [Int] {
        [shape.outputHeight, shape.batch * shape.channels]
    }

    /// `POOLING_PARAMETERS` of `Kernels/pooling.cl`.
    private func geometry(_ shape: PoolingShape) -> [KernelArgument] {
        [
            shape.batch * shape.channels, shape.height, shape.width, shape.windowHeight,
            shape.windowWidth, shape.stride, shape.outputHeight, shape.outputWidth,
        ].map { .int($0) }
    }
}
