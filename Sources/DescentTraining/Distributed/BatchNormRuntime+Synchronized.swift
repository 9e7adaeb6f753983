import DescentCore

/// Synchronized batch norm: in training mode, each channel's mean and variance are those of the
/// global batch, combined over the ranks from each slice's own (Chan et al.'s pairwise formula:
/// `M2 = sum M2_r + sum n_r (mean_r - mean)^2`), and the input gradient uses the global batch's
/// sums of `dy` and `dy xhat`. Two allreduces of 2C values forward and one backward per layer; a
/// rank with no rows in a step still joins them (`sitOut`), contributing nothing.
extension BatchNormRuntime {
    /// The forward pass with the global batch's statistics: they go to the saved statistics
    /// (for backward) and the running estimates; `y` normalizes `input` with them.
    func synchronizedForward(_ input: B.View?, output y: B.View?, shape: ChannelShape) throws {
        let backend = context.backend, step = context.dataParallel
        let hyperparameters = layer.hyperparameters, channels = layer.features
        let oldMean = try backend.download(runningMean.view)
        let oldVariance = try backend.download(runningVariance.view)
        // This slice's count, mean and M2 per channel (from its own statistics).
        var count = 0.0, mean = [Double](repeating: 0, count: channels)
        var m2 = [Double](repeating: 0, count: channels)
        if let input, let y {
            try backend.batchNormForward(
                input: input, parameters: parameters, output: y, saved: saved,
                running: RunningStatistics(mean: runningMean.view, variance: runningVariance.view),
                shape: shape, hyperparameters: hyperparameters)
            count = Double(shape.valuesPerChannel)
            let inverse = try backend.download(savedInverse.view)
            mean = try backend.download(savedMean.view).map(Double.init)
            m2 = inverse.map {
                count * max(0, 1 / (Double($0) * Double($0)) - Double(hyperparameters.epsilon))
            }
        }
        var sums = [count] + mean.map { count * $0 }
        try step.communicator.allreduceSum(&sums)
        let total = sums[0]
        let globalMean = sums.dropFirst().map { $0 / total }
        var spread = (0..<channels).map {
            m2[$0] + count * (mean[$0] - globalMean[$0]) * (mean[$0] - globalMean[$0])
        }
        try step.communicator.allreduceSum(&spread)
        let variance = spread.map { $0 / total }
        let epsilon = Double(hyperparameters.epsilon)
        try backend.upload(globalMean.map { Float($0) }, to: savedMean.view)
        try backend.upload(
            variance.map { Float(1 / ($0 + epsilon).squareRoot()) }, to: savedInverse.view)
        let weight = Double(hyperparameters.newBatchWeight)
        let runningBatchVariance =
            hyperparameters.unbiasedRunningVariance && total > 1
            ? variance.map { $0 * total / (total - 1) } : variance
        try backend.upload(
            (0..<channels).map {
                Float((1 - weight) * Double(oldMean[$0]) + weight * globalMean[$0])
            },
            to: runningMean.view)
        try backend.upload(
            (0..<channels).map {
                Float((1 - weight) * Double(oldVariance[$0]) + weight * runningBatchVariance[$0])
            }, to: runningVariance.view)
        guard let input, let y else { return }
        try backend.upload(variance.map { Float($0) }, to: synchronizedVariance.view)
        try backend.batchNormInference(
            input: input, parameters: parameters,
            running: RunningStatistics(mean: savedMean.view, variance: synchronizedVariance.view),
            output: y, shape: shape, epsilon: hyperparameters.epsilon)
    }

    /// The backward pass with the global batch's sums: the parameter gradients stay this
    /// slice's sums (the trainer's gradient allreduce adds them up); the input gradient takes
    /// the sums over every rank, each weighted by its share of the global batch.
    func synchronizedBackward(
        _ input: B.View?, outputGradient: B.View?, inputGradient dx: B.View?, shape: ChannelShape
    ) throws {
        let backend = context.backend, step = context.dataParallel, channels = layer.features
        let gradients = AffineParameters(gamma: context.gradients[0], beta: context.gradients[1])
        var sums = [Double](repeating: 0, count: 2 * channels)
        if let input, let outputGradient, let dx {
            try backend.batchNormBackward(
                input: input, outputGradient: outputGradient, gamma: context.parameters[0],
                saved: saved, inputGradient: dx, parameterGradients: gradients, shape: shape)
            let weight = Double(step.rows) / Double(step.globalRows)
            sums = (try backend.download(gradients.gamma) + backend.download(gradients.beta)).map {
                weight * Double($0)
            }
        }
        try step.communicator.allreduceSum(&sums)
        guard let input, let outputGradient, let dx else { return }
        try backend.upload(sums[..<channels].map { Float($0) }, to: synchronizedSums.gamma)
        try backend.upload(sums[channels...].map { Float($0) }, to: synchronizedSums.beta)
        try backend.batchNormInputGradient(
            input: input, outputGradient: outputGradient, gamma: context.parameters[0],
            saved: saved, sums: synchronizedSums, inputGradient: dx, shape: shape)
    }
}
