import DescentCore

extension OpenCLBackend {
    public func addBias(_ input: View, bias: View, output: View, shape: MatrixShape) throws {
        try Validation.addBias(input, bias: bias, output: output, shape: shape)
        try launchElementwise(
            .addBias, count: shape.count,
            [.int(shape.rows), .int(shape.columns), .view(input), .view(bias), .view(output)])
    }

    /// The column sum, by `reduce_columns` of `Kernels/reduction.cl`.
    public func biasGradient(_ outputGradient: View, biasGradient: View, shape: MatrixShape) throws
    {
        try Validation.biasGradient(outputGradient, biasGradient: biasGradient, shape: shape)
        try reduce(.sum, outputGradient, axis: .eachColumn, output: biasGradient, shape: shape)
    }
}
