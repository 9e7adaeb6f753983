/// Operand checks of batch norm, layer norm and dropout.
extension Validation {
    public static func batchNormForward<Buffer>(
        input: BufferView<Buffer>, parameters: AffineParameters<Buffer>, output: BufferView<Buffer>,
        saved: NormalizationStatistics<Buffer>, running: RunningStatistics<Buffer>,
        shape: ChannelShape,
        hyperparameters: BatchNormHyperparameters
    ) throws {
        let name = "batchNormForward"
        try batchNorm(name, input: input, gamma: parameters.gamma, output: output, shape: shape)
        try operand(parameters.beta, "beta", of: name, count: shape.channels)
        try statistics(name, saved, count: shape.channels)
        try operand(running.mean, "running mean", of: name, count: shape.channels)
        try operand(running.variance, "running variance", of: name, count: shape.channels)
        guard shape.valuesPerChannel > 1 else {
            throw DescentError.invalidArgument(
                operation: name,
                reason:
                    "a batch of 1 sample has variance 0 in every feature, so training-mode batch norm "
                    + "cannot normalize it (PyTorch refuses it too); train with batches of at least 2 samples, "
                    + "or use inference mode")
        }
        guard hyperparameters.epsilon.isFinite, hyperparameters.epsilon > 0,
            hyperparameters.momentum.isFinite, (0...1).contains(hyperparameters.momentum)
        else {
            throw DescentError.invalidArgument(
                operation: name,
                reason:
                    "epsilon must be > 0 and momentum in [0, 1], got \(hyperparameters.epsilon) and \(hyperparameters.momentum)"
            )
        }
    }

    public static func batchNormInference<Buffer>(
        input: BufferView<Buffer>, parameters: AffineParameters<Buffer>,
        running: RunningStatistics<Buffer>,
        output: BufferView<Buffer>, shape: ChannelShape, epsilon: Float
    ) throws {
        let name = "batchNormInference"
        try batchNorm(name, input: input, gamma: parameters.gamma, output: output, shape: shape)
        try operand(parameters.beta, "beta", of: name, count: shape.channels)
        try operand(running.mean, "running mean", of: name, count: shape.channels)
        try operand(running.variance, "running variance", of: name, count: shape.channels)
        try self.epsilon(epsilon, of: name)
    }

    public static func batchNormBackward<Buffer>(
        input: BufferView<Buffer>, outputGradient: BufferView<Buffer>, gamma: BufferView<Buffer>,
        saved: NormalizationStatistics<Buffer>, inputGradient: BufferView<Buffer>,
        parameterGradients: AffineParameters<Buffer>, shape: ChannelShape
    ) throws {
        let name = "batchNormBackward"
        try batchNorm(name, input: input, gamma: gamma, output: inputGradient, shape: shape)
        try operand(outputGradient, "outputGradient", of: name, count: shape.count)
        try statistics(name, saved, count: shape.channels)
        try operand(parameterGradients.gamma, "gamma gradient", of: name, count: shape.channels)
        try operand(parameterGradients.beta, "beta gradient", of: name, count: shape.channels)
        try inPlaceOrDisjoint(
            inputGradient, outputGradient, "inputGradient and outputGradient", of: name)
        try disjoint(inputGradient, input, "inputGradient and input", of: name)
    }

    public static func batchNormInputGradient<Buffer>(
        input: BufferView<Buffer>, outputGradient: BufferView<Buffer>, gamma: BufferView<Buffer>,
        saved: NormalizationStatistics<Buffer>, sums: AffineParameters<Buffer>,
        inputGradient: BufferView<Buffer>, shape: ChannelShape
    ) throws {
        let name = "batchNormInputGradient"
        try batchNorm(name, input: input, gamma: gamma, output: inputGradient, shape: shape)
        try operand(outputGradient, "outputGradient", of: name, count: shape.count)
        try statistics(name, saved, count: shape.channels)
        try operand(sums.gamma, "sum of dy xhat", of: name, count: shape.channels)
        try operand(sums.beta, "sum of dy", of: name, count: shape.channels)
        try inPlaceOrDisjoint(
            inputGradient, outputGradient, "inputGradient and outputGradient", of: name)
        try disjoint(inputGradient, input, "inputGradient and input", of: name)
    }

    public static func normalizationBackward<Buffer>(
        _ name: String, input: BufferView<Buffer>, outputGradient: BufferView<Buffer>,
        gamma: BufferView<Buffer>,
        saved: NormalizationStatistics<Buffer>, inputGradient: BufferView<Buffer>,
        parameterGradients: AffineParameters<Buffer>, shape: MatrixShape, groups: Int
    ) throws {
        try normalization(name, input: input, gamma: gamma, output: inputGradient, shape: shape)
        try operand(outputGradient, "outputGradient", of: name, shape: shape)
        try statistics(name, saved, count: groups)
        try operand(parameterGradients.gamma, "gamma gradient", of: name, count: shape.columns)
        try operand(parameterGradients.beta, "beta gradient", of: name, count: shape.columns)
        try inPlaceOrDisjoint(
            inputGradient, outputGradient, "inputGradient and outputGradient", of: name)
        try disjoint(inputGradient, input, "inputGradient and input", of: name)
    }

    public static func layerNormForward<Buffer>(
        input: BufferView<Buffer>, parameters: AffineParameters<Buffer>, output: BufferView<Buffer>,
        saved: NormalizationStatistics<Buffer>, shape: MatrixShape, epsilon: Float
    ) throws {
        let name = "layerNormForward"
        try normalization(name, input: input, gamma: parameters.gamma, output: output, shape: shape)
        try operand(parameters.beta, "beta", of: name, count: shape.columns)
        try statistics(name, saved, count: shape.rows)
        try self.epsilon(epsilon, of: name)
    }

    public static func dropout<Buffer>(
        _ name: String, input: BufferView<Buffer>, output: BufferView<Buffer>, probability: Float
    ) throws {
        try sameSize(name, [("input", input), ("output", output)])
        try inPlaceOrDisjoint(output, input, "output and input", of: name)
        guard probability >= 0 && probability < 1 else {
            throw DescentError.invalidArgument(
                operation: name,
                reason: "the drop probability must be in [0, 1), got \(probability)"
                    + (probability == 1
                        ? " (p = 1 drops every unit: the output and its gradient would be all 0)"
                        : ""))
        }
    }

    /// Checks what every normalization op shares: the shape, the input, gamma and the output.
    private static func normalization<Buffer>(
        _ name: String, input: BufferView<Buffer>, gamma: BufferView<Buffer>,
        output: BufferView<Buffer>,
        shape: MatrixShape
    ) throws {
        try self.shape(shape, of: name)
        try operand(input, "input", of: name, shape: shape)
        try operand(gamma, "gamma", of: name, count: shape.columns)
        try operand(output, "output", of: name, shape: shape)
        try inPlaceOrDisjoint(output, input, "output and input", of: name)
    }

    /// Checks what the batch norm ops share: the shape, the input, gamma and the output.
    private static func batchNorm<Buffer>(
        _ name: String, input: BufferView<Buffer>, gamma: BufferView<Buffer>,
        output: BufferView<Buffer>, shape: ChannelShape
    ) throws {
        guard shape.batch > 0, shape.channels > 0, shape.spatial > 0 else {
            throw DescentError.invalidArgument(
                operation: name,
                reason: "shape \(shape) must have at least one sample, channel and value")
        }
        try operand(input, "input", of: name, count: shape.count)
        try operand(gamma, "gamma", of: name, count: shape.channels)
        try operand(output, "output", of: name, count: shape.count)
        try inPlaceOrDisjoint(output, input, "output and input", of: name)
    }

    private static func statistics<Buffer>(
        _ name: String, _ saved: NormalizationStatistics<Buffer>, count: Int
    ) throws {
        try operand(saved.mean, "saved mean", of: name, count: count)
        try operand(
            saved.inverseStandardDeviation, "saved inverse standard deviation", of: name,
            count: count)
    }

    private static func epsilon(_ epsilon: Float, of name: String) throws {
        guard epsilon.isFinite, epsilon > 0 else {
            throw DescentError.invalidArgument(
                operation: name, reason: "epsilon must be finite and > 0, got \(epsilon)")
        }
    }
}
