import DescentCore

extension OpenCLBackend {
    public func batchNormForward(
        input: View, parameters: AffineParameters<Buffer>, output: View,
        saved: NormalizationStatistics<Buffer>,
        running: RunningStatistics<Buffer>, shape: ChannelShape,
        hyperparameters: BatchNormHyperparameters
    ) throws {
        try Validation.batchNormForward(
            input: input, parameters: parameters, output: output, saved: saved, running: running,
            shape: shape,
            hyperparameters: hyperparameters)
        try launch(
            .batchnormForwardTraining, global: [shape.channels],
            local: [channelsPerGroup(shape.channels)],
            [
                .int(shape.batch), .int(shape.channels), .int(shape.spatial),
                .float(hyperparameters.epsilon),
                .float(hyperparameters.newBatchWeight),
                .int(hyperparameters.unbiasedRunningVariance ? 1 : 0),
                .view(input), .view(parameters.gamma), .view(parameters.beta), .view(output),
                .view(saved.mean), .view(saved.inverseStandardDeviation), .view(running.mean),
                .view(running.variance),
            ])
    }

    public func batchNormInference(
        input: View, parameters: AffineParameters<Buffer>, running: RunningStatistics<Buffer>,
        output: View,
        shape: ChannelShape, epsilon: Float
    ) throws {
        try Validation.batchNormInference(
            input: input, parameters: parameters, running: running, output: output, shape: shape,
            epsilon: epsilon)
        try launchElementwise(
            .batchnormInference, count: shape.count,
            [
                .int(shape.count), .int(shape.channels), .int(shape.spatial), .float(epsilon),
                .view(input),
                .view(parameters.gamma),
                .view(parameters.beta), .view(running.mean), .view(running.variance), .view(output),
            ])
    }

    public func batchNormBackward(
        input: View, outputGradient: View, gamma: View, saved: NormalizationStatistics<Buffer>,
        inputGradient: View, parameterGradients: AffineParameters<Buffer>, shape: ChannelShape
    ) throws {
        try Validation.batchNormBackward(
            input: input, outputGradient: outputGradient, gamma: gamma, saved: saved,
            inputGradient: inputGradient, parameterGradients: parameterGradients, shape: shape)
        try launch(
            .batchnormBackward, global: [shape.channels],
            local: [channelsPerGroup(shape.channels)],
            [
                .int(shape.batch), .int(shape.channels), .int(shape.spatial), .view(input),
                .view(outputGradient),
                .view(gamma),
                .view(saved.mean), .view(saved.inverseStandardDeviation), .view(inputGradient),
                .view(parameterGradients.gamma), .view(parameterGradients.beta),
            ])
    }

    public func batchNormInputGradient(
        input: View, outputGradient: View, gamma: View, saved: NormalizationStatistics<Buffer>,
        sums: AffineParameters<Buffer>, inputGradient: View, shape: ChannelShape
    ) throws {
        try Validation.batchNormInputGradient(
            input: input, outputGradient: outputGradient, gamma: gamma, saved: saved, sums: sums,
            inputGradient: inputGradient, shape: shape)
        try launch(
            .batchnormInputGradient, global: [shape.channels],
            local: [channelsPerGroup(shape.channels)],
            [
                .int(shape.batch), .int(shape.channels), .int(shape.spatial), .view(input),
                .view(outputGradient), .view(gamma), .view(saved.mean),
                .view(saved.inverseStandardDeviation), .view(sums.gamma), .view(sums.beta),
                .view(inputGradient),
            ])
    }

    /// Work-items per group of the one-per-channel kernels: at most 64, and few enough that the
    /// channels spread over every compute unit (32 channels in one group of 64 would keep one
    /// core of a CPU busy and leave the others idle).
    private func channelsPerGroup(_ channels: Int) -> Int {
        let perUnit = (channels + device.computeUnits - 1) / max(1, device.computeUnits)
        return max(1, min(64, device.maxWorkGroupSize, perUnit))
    }
}
