import DescentCore

extension CPUBackend {
    public func softmaxForward(input: View, output: View, shape: MatrixShape) throws {
        try Validation.softmaxForward(input: input, output: output, shape: shape)
        let x = input.floats, y = output.floats
        for row in 0..<shape.rows {
            let start = row * shape.columns
            var rowMax = x[start]
            for c in 1..<shape.columns where x[start + c] > rowMax || x[start + c].isNaN {
                rowMax = x[start + c]
            }
            var total: Float = 0
            for c in 0..<shape.columns {
                let e = Float.exponential(x[start + c] - rowMax)
                y[start + c] = e
                total += e
            }
            for c in 0..<shape.columns { y[start + c] /= total }
        }
    }

    public func softmaxBackward(
        output: View, outputGradient: View, inputGradient: View, shape: MatrixShape
    ) throws {
        try Validation.softmaxBackward(
            output: output, outputGradient: outputGradient, inputGradient: inputGradient,
            shape: shape)
        let y = output.floats, dy = outputGradient.floats, dx = inputGradient.floats
        for row in 0..<shape.rows {
            let start = row * shape.columns
            var dot: Float = 0
            for c in 0..<shape.columns { dot += dy[start + c] * y[start + c] }
            for c in 0..<shape.columns { dx[start + c] = y[start + c] * (dy[start + c] - dot) }
        }
    }
}
