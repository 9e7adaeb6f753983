import DescentCore

/// A parameter a layer asks for: its place in the model's arena is decided when the model is built.
public struct ParameterSpec: Sendable, Equatable {
    /// The name within its layer ("weight", "bias", "gamma", "beta").
    public var name: String
    /// The tensor's shape (a vector is `[n]`).
    public var shape: [Int]
    /// How it starts, with the fans the fan-based initializers use.
    public var initializer: Initializer
    public var fanIn: Int
    public var fanOut: Int
    /// Whether weight decay applies (weights: yes; biases and normalization parameters: no).
    public var decays: Bool

    public init(
        name: String, shape: [Int], initializer: Initializer, fanIn: Int, fanOut: Int, decays: Bool
    ) {
        self.name = name
        self.shape = shape
        self.initializer = initializer
        self.fanIn = fanIn
        self.fanOut = fanOut
        self.decays = decays
    }

    /// The number of elements.
    public var count: Int { shape.reduce(1, *) }
}

/// What a layer's runtime is given when the model is built on a backend.
public struct LayerContext<B: Backend> {
    public let backend: B
    /// The shape of each input sample.
    public let inputShape: SampleShape
    /// The values of each input sample (its shape's count).
    public var inputFeatures: Int { inputShape.count }
    /// The largest batch the model runs: buffers are allocated for it once.
    public let maxBatch: Int
    /// The layer's parameters and their gradients, in the order of `parameters(inputFeatures:)`.
    public let parameters: [B.View]
    public let gradients: [B.View]
    /// The layer's position in the model, for its random stream.
    public let index: Int
    /// The model's seed.
    public let seed: UInt64
    /// Whether the backward pass must produce the gradient with respect to the layer's input
    /// (not for the first layer).
    public let needsInputGradient: Bool
    /// The data-parallel step the model takes part in (the model's `dataParallel`).
    public let dataParallel: DataParallelStep
}

/// A layer of a `Sequential` model: a description (Sendable, printable), from which a runtime is
/// built on a backend.
public protocol Layer: Sendable, CustomStringConvertible {
    /// The shape of each output sample for input samples of `inputShape`.
    /// - Throws: `DescentError.shapeMismatch` when the layer cannot take that shape.
    func outputShape(for inputShape: SampleShape) throws -> SampleShape
    /// The trainable parameters the layer needs for input samples of `inputShape`.
    func parameters(for inputShape: SampleShape) -> [ParameterSpec]
    /// The layer's runtime on a backend, with its buffers allocated.
    func makeRuntime<B: Backend>(_ context: LayerContext<B>) throws -> any LayerRuntime<B>
}

/// A layer built on a backend: its forward and backward passes over batches of up to `maxBatch` rows.
public protocol LayerRuntime<B>: AnyObject {
    associatedtype B: Backend
    /// Computes the output of `batch` samples of `input` and returns it (a view the layer owns, or
    /// `input` itself for the identity). The view stays valid until the next forward pass.
    /// Random layers draw at `position` in training mode.
    func forward(
        _ input: B.View, batch: Int, training: Bool, position: DrawPosition
    ) throws -> B.View
    /// From the gradient with respect to the last forward pass's output, writes the parameter
    /// gradients (overwriting) and returns the gradient with respect to its input (or an
    /// unspecified view when the context said it is not needed).
    func backward(_ outputGradient: B.View, batch: Int) throws -> B.View
}

extension Backend {
    /// The first `rows x columns` elements of `buffer`: a batch of a per-layer buffer.
    func rows(_ buffer: Buffer, _ rows: Int, columns: Int) throws -> View {
        try buffer.view(offset: 0, count: rows * columns)
    }
}
