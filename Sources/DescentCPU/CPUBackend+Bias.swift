import DescentCore

extension CPUBackend {
    public func addBias(_ input: View, bias: View, output: View, shape: MatrixShape) throws {
        try Validation.addBias(input, bias: bias, output: output, shape: shape)
        let x = input.floats, b = bias.floats, y = output.floats
        for row in 0..<shape.rows {
            for column in 0..<shape.columns {
                y[row * shape.columns + column] = x[row * shape.columns + column] + b[column]
            }
        }
    }

    public func biasGradient(_ outputGradient: View, biasGradient: View, shape: MatrixShape) throws
    {
        try Validation.biasGradient(outputGradient, biasGradient: biasGradient, shape: shape)
        try reduce(.sum, outputGradient, axis: .eachColumn, output: biasGradient, shape: shape)
    }
}
