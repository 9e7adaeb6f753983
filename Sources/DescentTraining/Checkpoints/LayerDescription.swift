import DescentCore

/// One layer of a saved model as its file describes it, with every hyperparameter the layer's
/// computation depends on (initializers are not kept: the file holds the trained weights). JSON
/// through `Codable`: `{"dense": {"inputs": 784, "outputs": 256, "activation": {"relu": {}},
/// "useBias": true}}`, `{"batchNorm": {"features": 256, "hyperparameters": {"epsilon": 1e-05,
/// "momentum": 0.1, "convention": "pytorch"}}}`, `{"dropout": {"probability": 0.3}}`.
public enum LayerDescription: Codable, Sendable, Equatable {
    /// `y = f(x W + b)`, `W` stored `[inputs, outputs]`.
    case dense(inputs: Int, outputs: Int, activation: Activation, useBias: Bool)
    /// Batch normalization over `features`, its epsilon, momentum and running-variance convention.
    case batchNorm(features: Int, hyperparameters: BatchNormHyperparameters)
    /// Layer normalization over each row's `features`.
    case layerNorm(features: Int, epsilon: Float)
    /// An activation on its own.
    case activation(function: Activation)
    /// Dropout (the identity at prediction).
    case dropout(probability: Float)
    /// Gaussian noise (the identity at prediction).
    case gaussianNoise(standardDeviation: Float)
    /// A 2-D convolution, weight stored `[outputChannels, inputChannels, kernelSize, kernelSize]`.
    case conv2D(
        inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int,
        padding: Conv2D.Padding, useBias: Bool)
    /// Max or average pooling over `window x window` windows moved by `stride`.
    case pool2D(pooling: Pooling, window: Int, stride: Int)
    /// Each channel's mean over the image.
    case globalAveragePool
    /// An image read as a flat vector.
    case flatten
    /// Random crops and flips (the identity at prediction).
    case randomCropFlip(padding: Int, flip: Bool)

    /// The description of `layer`, or nil for a layer type this list does not know (a layer
    /// defined outside Descent), which a file cannot describe.
    public init?(_ layer: any Layer) {
        switch layer {
        case let dense as Dense:
            self = .dense(
                inputs: dense.inputs, outputs: dense.outputs, activation: dense.activation,
                useBias: dense.useBias)
        case let norm as BatchNorm:
            self = .batchNorm(features: norm.features, hyperparameters: norm.hyperparameters)
        case let norm as LayerNorm:
            self = .layerNorm(features: norm.features, epsilon: norm.epsilon)
        case let activation as ActivationLayer:
            self = .activation(function: activation.activation)
        case let dropout as Dropout:
            self = .dropout(probability: dropout.probability)
        case let noise as GaussianNoise:
            self = .gaussianNoise(standardDeviation: noise.standardDeviation)
        case let conv as Conv2D:
            self = .conv2D(
                inputChannels: conv.inputChannels, outputChannels: conv.outputChannels,
                kernelSize: conv.kernelSize, stride: conv.stride, padding: conv.padding,
                useBias: conv.useBias)
        case let pool as Pool2D:
            self = .pool2D(pooling: pool.pooling, window: pool.window, stride: pool.stride)
        case is GlobalAveragePool:
            self = .globalAveragePool
        case is Flatten:
            self = .flatten
        case let augmentation as RandomCropFlip:
            self = .randomCropFlip(
                padding: augmentation.augmentation.padding, flip: augmentation.augmentation.flip)
        default:
            return nil
        }
    }

    /// The layer this describes.
    public var layer: any Layer {
        switch self {
        case .dense(let inputs, let outputs, let activation, let useBias):
            Dense(inputs, outputs, activation: activation, useBias: useBias)
        case .batchNorm(let features, let hyperparameters):
            BatchNorm(features, hyperparameters: hyperparameters)
        case .layerNorm(let features, let epsilon): LayerNorm(features, epsilon: epsilon)
        case .activation(let function): ActivationLayer(function)
        case .dropout(let probability): Dropout(probability)
        case .gaussianNoise(let standardDeviation): GaussianNoise(standardDeviation)
        case .conv2D(let inputs, let outputs, let kernelSize, let stride, let padding, let useBias):
            Conv2D(
                inputs, outputs, kernelSize: kernelSize, stride: stride, padding: padding,
                useBias: useBias)
        case .pool2D(let pooling, let window, let stride):
            Pool2D(pooling, window: window, stride: stride)
        case .globalAveragePool: GlobalAveragePool()
        case .flatten: Flatten()
        case .randomCropFlip(let padding, let flip): RandomCropFlip(padding: padding, flip: flip)
        }
    }
}
