import DescentCore

/// A 2-D convolution layer over image samples (`[channels, height, width]`, a batch being NCHW),
/// with OIHW weights `[outputChannels, inputChannels, kernelSize, kernelSize]` as PyTorch's
/// `nn.Conv2d` lays them out, and a bias per output channel.
///
/// Fans for the initializers, as PyTorch and Keras count them: `fanIn = inputChannels x
/// kernelSize^2` (the values one output reads) and `fanOut = outputChannels x kernelSize^2`. The
/// default initializer is PyTorch's (`U(-a, a)`, `a = 1 / sqrt(fanIn)`, for weight and bias).
/// Its passes are `Backend.convolutionForward`, `convolutionInputGradient` and
/// `convolutionWeightGradient`; activations are separate layers (`ReLU()` after it).
public struct Conv2D: Layer {
    /// How the input is zero-padded on each side.
    public enum Padding: Sendable, Equatable, Codable, CustomStringConvertible {
        /// No padding: the output shrinks by `kernelSize - 1` (then divided by the stride).
        case valid
        /// `kernelSize / 2` on each side, so that a stride-1 output has the input's size; it needs
        /// an odd kernel and stride 1 (as PyTorch's `padding="same"`).
        case same
        /// `n` zeros on each side.
        case explicit(Int)

        public var description: String {
            switch self {
            case .valid: "valid"
            case .same: "same"
            case .explicit(let n): "\(n)"
            }
        }
    }

    public var inputChannels: Int
    public var outputChannels: Int
    public var kernelSize: Int
    public var stride: Int
    public var padding: Padding
    public var useBias: Bool
    public var initializer: Initializer
    public var biasInitializer: Initializer

    public init(
        _ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1,
        padding: Padding = .valid, useBias: Bool = true, initializer: Initializer = .pytorchLinear,
        biasInitializer: Initializer = .pytorchLinear
    ) {
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.useBias = useBias
        self.initializer = initializer
        self.biasInitializer = biasInitializer
    }

    /// The zeros on each side.
    /// - Throws: `DescentError.invalidArgument` for `same` with an even kernel or a stride above
    ///   1, or a negative count.
    public func paddingCount() throws -> Int {
        switch padding {
        case .valid: return 0
        case .same:
            guard kernelSize % 2 == 1, stride == 1 else {
                throw DescentError.invalidArgument(
                    operation: "\(self)",
                    reason: "\"same\" padding needs an odd kernel and stride 1 (got kernel "
                        + "\(kernelSize), stride \(stride)); give the padding as a number")
            }
            return kernelSize / 2
        case .explicit(let count):
            guard count >= 0 else {
                throw DescentError.invalidArgument(
                    operation: "\(self)", reason: "the padding must be >= 0, got \(count)")
            }
            return count
        }
    }

    /// The convolution's shape for a batch of `inputShape` samples.
    public func convolutionShape(batch: Int, _ inputShape: SampleShape) throws -> ConvolutionShape {
        guard let image = inputShape.image, image.channels == inputChannels else {
            throw DescentError.shapeMismatch(
                operation: "\(self)",
                expected: "images of \(inputChannels) channels ([\(inputChannels), height, width])",
                actual: "\(inputShape)"
                    + (inputShape.isImage
                        ? ""
                        : " (flat samples: a convolution needs images, before any Flatten or "
                            + "Dense)"))
        }
        guard kernelSize >= 1, stride >= 1, inputChannels >= 1, outputChannels >= 1 else {
            throw DescentError.invalidArgument(
                operation: "\(self)",
                reason: "the channels, kernel size and stride must be at least 1")
        }
        let shape = ConvolutionShape(
            batch: batch, inputChannels: image.channels, inputHeight: image.height,
            inputWidth: image.width, outputChannels: outputChannels, kernelHeight: kernelSize,
            kernelWidth: kernelSize, stride: stride, padding: try paddingCount())
        try Validation.convolution(shape, of: "\(self)")
        return shape
    }

    public func outputShape(for inputShape: SampleShape) throws -> SampleShape {
        let shape = try convolutionShape(batch: 1, inputShape)
        return .image(
            channels: outputChannels, height: shape.outputHeight, width: shape.outputWidth)
    }

    public func parameters(for inputShape: SampleShape) -> [ParameterSpec] {
        let area = kernelSize * kernelSize
        let weight = ParameterSpec(
            name: "weight", shape: [outputChannels, inputChannels, kernelSize, kernelSize],
            initializer: initializer, fanIn: inputChannels * area, fanOut: outputChannels * area,
            decays: true)
        let bias = ParameterSpec(
            name: "bias", shape: [outputChannels], initializer: biasInitializer,
            fanIn: inputChannels * area, fanOut: outputChannels * area, decays: false)
        return useBias ? [weight, bias] : [weight]
    }

    public func makeRuntime<B: Backend>(_ context: LayerContext<B>) throws -> any LayerRuntime<B> {
        try Conv2DRuntime(self, context)
    }

    public var description: String {
        "Conv2D(\(inputChannels), \(outputChannels), \(kernelSize)x\(kernelSize)"
            + (stride == 1 ? "" : ", stride \(stride)")
            + (padding == .valid ? "" : ", padding \(padding)") + (useBias ? "" : ", no bias") + ")"
    }
}

final class Conv2DRuntime<B: Backend>: LayerRuntime {
    let layer: Conv2D
    let context: LayerContext<B>
    let output: B.Buffer
    let inputGradient: B.Buffer?
    /// The im2col patches and the channel-major product of the largest batch.
    let workspace: B.Buffer
    private var input: B.View?

    init(_ layer: Conv2D, _ context: LayerContext<B>) throws {
        self.layer = layer
        self.context = context
        let shape = try layer.convolutionShape(batch: context.maxBatch, context.inputShape)
        let backend = context.backend
        output = try backend.makeBuffer(count: shape.outputCount)
        inputGradient =
            context.needsInputGradient ? try backend.makeBuffer(count: shape.inputCount) : nil
        workspace = try backend.makeBuffer(count: shape.workspaceCount)
    }

    func forward(
        _ input: B.View, batch: Int, training: Bool, position: DrawPosition
    ) throws -> B.View {
        let shape = try layer.convolutionShape(batch: batch, context.inputShape)
        self.input = input
        let y = try output.view(offset: 0, count: shape.outputCount)
        try context.backend.convolutionForward(
            input: input, weights: context.parameters[0],
            bias: layer.useBias ? context.parameters[1] : nil, output: y,
            workspace: workspace.view, shape: shape)
        return y
    }

    func backward(_ outputGradient: B.View, batch: Int) throws -> B.View {
        guard let input else {
            throw DescentError.invalidArgument(
                operation: "\(layer).backward", reason: "backward needs a forward pass first")
        }
        let shape = try layer.convolutionShape(batch: batch, context.inputShape)
        let backend = context.backend
        try backend.convolutionWeightGradient(
            input: input, outputGradient: outputGradient, weightGradient: context.gradients[0],
            biasGradient: layer.useBias ? context.gradients[1] : nil, workspace: workspace.view,
            shape: shape)
        guard let inputGradient else { return outputGradient }
        let dx = try inputGradient.view(offset: 0, count: shape.inputCount)
        try backend.convolutionInputGradient(
            outputGradient: outputGradient, weights: context.parameters[0], inputGradient: dx,
            workspace: workspace.view, shape: shape)
        return dx
    }
}
