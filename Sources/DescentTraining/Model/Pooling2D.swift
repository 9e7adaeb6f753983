import DescentCore

/// 2-D pooling over image samples: each channel's `window x window` windows, moved by `stride`
/// (the window by default, as in PyTorch), reduced to their maximum or mean. Without padding; rows
/// and columns a window does not reach are left out, as PyTorch's default floor mode does.
public struct Pool2D: Layer {
    public var pooling: Pooling
    public var window: Int
    public var stride: Int

    /// - Parameter stride: nil takes the window, so windows do not overlap.
    public init(_ pooling: Pooling, window: Int, stride: Int? = nil) {
        self.pooling = pooling
        self.window = window
        self.stride = stride ?? window
    }

    /// The pooling's shape for a batch of `inputShape` samples.
    public func poolingShape(batch: Int, _ inputShape: SampleShape) throws -> PoolingShape {
        guard let image = inputShape.image else {
            throw DescentError.shapeMismatch(
                operation: "\(self)", expected: "images ([channels, height, width])",
                actual: "\(inputShape)")
        }
        let shape = PoolingShape(
            batch: batch, channels: image.channels, height: image.height, width: image.width,
            windowHeight: window, windowWidth: window, stride: stride)
        try Validation.pooling(shape, of: "\(self)")
        return shape
    }

    public func outputShape(for inputShape: SampleShape) throws -> SampleShape {
        let shape = try poolingShape(batch: 1, inputShape)
        return .image(
            channels: shape.channels, height: shape.outputHeight, width: shape.outputWidth)
    }

    public func parameters(for inputShape: SampleShape) -> [ParameterSpec] { [] }

    public func makeRuntime<B: Backend>(_ context: LayerContext<B>) throws -> any LayerRuntime<B> {
        try PoolingRuntime(pooling: pooling, describedAs: "\(self)", context) {
            try self.poolingShape(batch: $0, context.inputShape)
        }
    }

    public var description: String {
        "\(pooling == .max ? "MaxPool2D" : "AvgPool2D")(\(window)"
            + (stride == window ? "" : ", stride \(stride)") + ")"
    }
}

/// `Pool2D(.max, window:stride:)`, as PyTorch's `nn.MaxPool2d`.
public func MaxPool2D(_ window: Int, stride: Int? = nil) -> Pool2D {
    Pool2D(.max, window: window, stride: stride)
}

/// `Pool2D(.average, window:stride:)`, as PyTorch's `nn.AvgPool2d`.
public func AvgPool2D(_ window: Int, stride: Int? = nil) -> Pool2D {
    Pool2D(.average, window: window, stride: stride)
}

/// The mean of each channel over the whole image: `[channels, height, width]` to `[channels]`
/// (PyTorch's `AdaptiveAvgPool2d(1)` followed by a flatten).
public struct GlobalAveragePool: Layer {
    public init() {}

    /// The pooling's shape for a batch of `inputShape` samples.
    public func poolingShape(batch: Int, _ inputShape: SampleShape) throws -> PoolingShape {
        guard let image = inputShape.image else {
            throw DescentError.shapeMismatch(
                operation: "\(self)", expected: "images ([channels, height, width])",
                actual: "\(inputShape)")
        }
        return PoolingShape(
            batch: batch, channels: image.channels, height: image.height, width: image.width,
            windowHeight: image.height, windowWidth: image.width, stride: 1)
    }

    public func outputShape(for inputShape: SampleShape) throws -> SampleShape {
        .features(try poolingShape(batch: 1, inputShape).channels)
    }

    public func parameters(for inputShape: SampleShape) -> [ParameterSpec] { [] }

    public func makeRuntime<B: Backend>(_ context: LayerContext<B>) throws -> any LayerRuntime<B> {
        try PoolingRuntime(pooling: .average, describedAs: "\(self)", context) {
            try self.poolingShape(batch: $0, context.inputShape)
        }
    }

    public var description: String { "GlobalAveragePool" }
}

final class PoolingRuntime<B: Backend>: LayerRuntime {
    let pooling: Pooling
    let name: String
    let context: LayerContext<B>
    let shape: (Int) throws -> PoolingShape
    let output: B.Buffer
    let inputGradient: B.Buffer
    private var input: B.View?

    init(
        pooling: Pooling, describedAs name: String, _ context: LayerContext<B>,
        shape: @escaping (Int) throws -> PoolingShape
    ) throws {
        self.pooling = pooling
        self.name = name
        self.context = context
        self.shape = shape
        let largest = try shape(context.maxBatch)
        output = try context.backend.makeBuffer(count: largest.outputCount)
        inputGradient = try context.backend.makeBuffer(count: largest.inputCount)
    }

    func forward(
        _ input: B.View, batch: Int, training: Bool, position: DrawPosition
    ) throws -> B.View {
        let shape = try shape(batch)
        self.input = input
        let y = try output.view(offset: 0, count: shape.outputCount)
        try context.backend.poolingForward(pooling, input: input, output: y, shape: shape)
        return y
    }

    func backward(_ outputGradient: B.View, batch: Int) throws -> B.View {
        guard let input else {
            throw DescentError.invalidArgument(
                operation: "\(name).backward", reason: "backward needs a forward pass first")
        }
        let shape = try shape(batch)
        let dx = try inputGradient.view(offset: 0, count: shape.inputCount)
        try context.backend.poolingBackward(
            pooling, input: input, outputGradient: outputGradient, inputGradient: dx, shape: shape)
        return dx
    }
}
