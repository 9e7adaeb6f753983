import DescentCore

extension OpenCLBackend {
    public func softmaxForward(input: View, output: View, shape: MatrixShape) throws {
        try Validation.softmaxForward(input: input, output: output, shape: shape)
        try launch(
            .softmaxForward, global: [shape.rows * tuning.groupSize], local: [tuning.groupSize],
            [.int(shape.columns), .view(input), .view(output)])
    }

    public func softmaxBackward(
        output: View, outputGradient: View, inputGradient: View, shape: MatrixShape
    ) throws {
        try Validation.softmaxBackward(
            output: output, outputGradient: outputGradient, inputGradient: inputGradient,
            shape: shape)
        try launch(
            .softmaxBackward, global: [shape.rows * tuning.groupSize], local: [tuning.groupSize],
            [.int(shape.columns), .view(output), .view(outputGradient), .view(inputGradient)])
    }
}
