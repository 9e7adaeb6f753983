import DescentCore

extension OpenCLBackend {
    public func layerNormForward(
        input: View, parameters: AffineParameters<Buffer>, output: View,
        saved: NormalizationStatistics<Buffer>,
        shape: MatrixShape, epsilon: Float
    ) throws {
        try Validation.layerNormForward(
            input: input, parameters: parameters, output: output, saved: saved, shape: shape,
            epsilon: epsilon)
        try launch(
            .layernormForward, global: [shape.rows * tuning.groupSize], local: [tuning.groupSize],
            [
                .int(shape.columns), .float(epsilon), .view(input), .view(parameters.gamma),
                .view(parameters.beta),
                .view(output), .view(saved.mean), .view(saved.inverseStandardDeviation),
            ])
    }

    public func layerNormBackward(
        input: View, outputGradient: View, gamma: View, saved: NormalizationStatistics<Buffer>,
        inputGradient: View, parameterGradients: AffineParameters<Buffer>, shape: MatrixShape
    ) throws {
        try Validation.normalizationBackward(
            "layerNormBackward", input: input, outputGradient: outputGradient, gamma: gamma,
            saved: saved,
            inputGradient: inputGradient, parameterGradients: parameterGradients, shape: shape,
            groups: shape.rows)
        // The parameter gradients first: the input gradient may overwrite the output gradient.
        try launchElementwise(
            .layernormBackwardParameters, count: shape.columns,
            [
                .int(shape.rows), .int(shape.columns), .view(input), .view(outputGradient),
                .view(saved.mean),
                .view(saved.inverseStandardDeviation), .view(parameterGradients.gamma),
                .view(parameterGradients.beta),
            ])
        try launch(
            .layernormBackwardInput, global: [shape.rows * tuning.groupSize],
            local: [tuning.groupSize],
            [
                .int(shape.columns), .view(input), .view(outputGradient), .view(gamma),
                .view(saved.mean),
                .view(saved.inverseStandardDeviation), .view(inputGradient),
            ])
    }
}
