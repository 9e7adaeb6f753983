import DescentCore

/// Batch normalization over the batch (Ioffe & Szegedy, 2015): training normalizes with the
/// batch's statistics and updates running estimates; inference uses the running estimates.
/// `gamma` starts at 1 and `beta` at 0; neither decays.
///
/// After a dense layer it normalizes each of `features` features (PyTorch's `BatchNorm1d`); on
/// images (`[channels, height, width]` samples) `features` is the channel count and each channel
/// is normalized over the batch and every position, with one gamma, beta and running estimate
/// per channel (`BatchNorm2d`).
public struct BatchNorm: Layer {
    public var features: Int
    public var hyperparameters: BatchNormHyperparameters

    public init(_ features: Int, hyperparameters: BatchNormHyperparameters = .pytorch) {
        self.features = features
        self.hyperparameters = hyperparameters
    }

    public func outputShape(for inputShape: SampleShape) throws -> SampleShape {
        guard channelShape(batch: 1, inputShape).channels == features else {
            throw DescentError.shapeMismatch(
                operation: "\(self)",
                expected: "\(features) features, or images of \(features) channels",
                actual: "\(inputShape)")
        }
        return inputShape
    }

    /// A batch of `inputShape` samples as batch norm's `[batch, channels, spatial]`: an image's
    /// channels, or a vector's features.
    func channelShape(batch: Int, _ inputShape: SampleShape) -> ChannelShape {
        if let image = inputShape.image {
            return ChannelShape(
                batch: batch, channels: image.channels, spatial: image.height * image.width)
        }
        return ChannelShape(batch: batch, channels: inputShape.count)
    }

    public func parameters(for inputShape: SampleShape) -> [ParameterSpec] {
        affineParameters(features)
    }

    public func makeRuntime<B: Backend>(_ context: LayerContext<B>) throws -> any LayerRuntime<B> {
        try BatchNormRuntime(self, context)
    }

    public var description: String { "BatchNorm(\(features))" }
}

/// Layer normalization over each row's features (Ba, Kiros & Hinton, 2016), epsilon 1e-5.
public struct LayerNorm: Layer {
    public var features: Int
    public var epsilon: Float

    public init(_ features: Int, epsilon: Float = 1e-5) {
        self.features = features
        self.epsilon = epsilon
    }

    public func outputShape(for inputShape: SampleShape) throws -> SampleShape {
        guard inputShape.count == features else {
            throw DescentError.shapeMismatch(
                operation: "\(self)", expected: "\(features) features", actual: "\(inputShape)")
        }
        return inputShape
    }

    public func parameters(for inputShape: SampleShape) -> [ParameterSpec] {
        affineParameters(features)
    }

    public func makeRuntime<B: Backend>(_ context: LayerContext<B>) throws -> any LayerRuntime<B> {
        try LayerNormRuntime(self, context)
    }

    public var description: String { "LayerNorm(\(features))" }
}

/// gamma = 1 and beta = 0, without weight decay.
private func affineParameters(_ features: Int) -> [ParameterSpec] {
    [
        ParameterSpec(
            name: "gamma", shape: [features], initializer: .constant(1), fanIn: features,
            fanOut: features, decays: false),
        ParameterSpec(
            name: "beta", shape: [features], initializer: .zeros, fanIn: features, fanOut: features,
            decays: false),
    ]
}

final class BatchNormRuntime<B: Backend>: LayerRuntime {
    let layer: BatchNorm
    let context: LayerContext<B>
    let output: B.Buffer, inputGradient: B.Buffer
    /// The running mean and variance: model state that is not trained.
    let runningMean: B.Buffer, runningVariance: B.Buffer
    let savedMean: B.Buffer, savedInverse: B.Buffer
    /// Synchronized batch norm's global variance and sums (see `synchronizedForward`).
    let synchronizedVariance: B.Buffer
    let synchronizedSums: AffineParameters<B.Buffer>
    private var input: B.View?

    init(_ layer: BatchNorm, _ context: LayerContext<B>) throws {
        self.layer = layer
        self.context = context
        let backend = context.backend, f = layer.features
        output = try backend.makeBuffer(count: context.maxBatch * context.inputFeatures)
        inputGradient = try backend.makeBuffer(count: context.maxBatch * context.inputFeatures)
        runningMean = try backend.makeBuffer(count: f)
        runningVariance = try backend.makeBuffer(count: f)
        savedMean = try backend.makeBuffer(count: f)
        savedInverse = try backend.makeBuffer(count: f)
        synchronizedVariance = try backend.makeBuffer(count: f)
        synchronizedSums = AffineParameters(
            gamma: try backend.makeBuffer(count: f).view,
            beta: try backend.makeBuffer(count: f).view)
        try backend.fill(runningMean.view, with: 0)
        try backend.fill(runningVariance.view, with: 1)
    }

    var parameters: AffineParameters<B.Buffer> {
        AffineParameters(gamma: context.parameters[0], beta: context.parameters[1])
    }

    /// The statistics the training forward pass saves for backward.
    var saved: NormalizationStatistics<B.Buffer> {
        NormalizationStatistics(mean: savedMean.view, inverseStandardDeviation: savedInverse.view)
    }

    /// A data-parallel step this rank has no rows of: joins the synchronized statistics of the
    /// forward pass (`backward: false`) or the backward pass, contributing nothing.
    func sitOut(backward: Bool) throws {
        guard context.dataParallel.synchronizing else { return }
        let shape = layer.channelShape(batch: 1, context.inputShape)
        if backward {
            try synchronizedBackward(nil, outputGradient: nil, inputGradient: nil, shape: shape)
        } else {
            try synchronizedForward(nil, output: nil, shape: shape)
        }
    }

    func forward(
        _ input: B.View, batch: Int, training: Bool, position: DrawPosition
    ) throws -> B.View {
        let backend = context.backend
        let shape = layer.channelShape(batch: batch, context.inputShape)
        self.input = input
        let y = try backend.rows(output, batch, columns: context.inputFeatures)
        let running = RunningStatistics(mean: runningMean.view, variance: runningVariance.view)
        if training, context.dataParallel.synchronizing {
            try synchronizedForward(input, output: y, shape: shape)
        } else if training {
            try backend.batchNormForward(
                input: input, parameters: parameters, output: y,
                saved: NormalizationStatistics(
                    mean: savedMean.view, inverseStandardDeviation: savedInverse.view),
                running: running, shape: shape, hyperparameters: layer.hyperparameters)
        } else {
            try backend.batchNormInference(
                input: input, parameters: parameters, running: running, output: y, shape: shape,
                epsilon: layer.hyperparameters.epsilon)
        }
        return y
    }

    func backward(_ outputGradient: B.View, batch: Int) throws -> B.View {
        guard let input else {
            throw DescentError.invalidArgument(
                operation: "\(layer).backward", reason: "backward needs a forward pass first")
        }
        let dx = try context.backend.rows(inputGradient, batch, columns: context.inputFeatures)
        let shape = layer.channelShape(batch: batch, context.inputShape)
        if context.dataParallel.synchronizing {
            try synchronizedBackward(
                input, outputGradient: outputGradient, inputGradient: dx, shape: shape)
            return dx
        }
        try context.backend.batchNormBackward(
            input: input, outputGradient: outputGradient, gamma: context.parameters[0],
            saved: saved, inputGradient: dx,
            parameterGradients: AffineParameters(
                gamma: context.gradients[0], beta: context.gradients[1]),
            shape: shape)
        return dx
    }
}

final class LayerNormRuntime<B: Backend>: LayerRuntime {
    let layer: LayerNorm
    let context: LayerContext<B>
    let output: B.Buffer, inputGradient: B.Buffer
    let savedMean: B.Buffer, savedInverse: B.Buffer
    private var input: B.View?

    init(_ layer: LayerNorm, _ context: LayerContext<B>) throws {
        self.layer = layer
        self.context = context
        let backend = context.backend
        output = try backend.makeBuffer(count: context.maxBatch * layer.features)
        inputGradient = try backend.makeBuffer(count: context.maxBatch * layer.features)
        savedMean = try backend.makeBuffer(count: context.maxBatch)
        savedInverse = try backend.makeBuffer(count: context.maxBatch)
    }

    private func saved(_ batch: Int) throws -> NormalizationStatistics<B.Buffer> {
        NormalizationStatistics(
            mean: try savedMean.view(offset: 0, count: batch),
            inverseStandardDeviation: try savedInverse.view(offset: 0, count: batch))
    }

    func forward(
        _ input: B.View, batch: Int, training: Bool, position: DrawPosition
    ) throws -> B.View {
        self.input = input
        let y = try context.backend.rows(output, batch, columns: layer.features)
        try context.backend.layerNormForward(
            input: input,
            parameters: AffineParameters(gamma: context.parameters[0], beta: context.parameters[1]),
            output: y, saved: try saved(batch),
            shape: MatrixShape(rows: batch, columns: layer.features), epsilon: layer.epsilon)
        return y
    }

    func backward(_ outputGradient: B.View, batch: Int) throws -> B.View {
        guard let input else {
            throw DescentError.invalidArgument(
                operation: "\(layer).backward", reason: "backward needs a forward pass first")
        }
        let dx = try context.backend.rows(inputGradient, batch, columns: layer.features)
        try context.backend.layerNormBackward(
            input: input, outputGradient: outputGradient, gamma: context.parameters[0],
            saved: try saved(batch),
            inputGradient: dx,
            parameterGradients: AffineParameters(
                gamma: context.gradients[0], beta: context.gradients[1]),
            shape: MatrixShape(rows: batch, columns: layer.features))
        return dx
    }
}
