import DescentCore

/// Reads each sample as a flat vector: `[channels, height, width]` to `[channels x height x
/// width]`, in NCHW order as PyTorch's `nn.Flatten`. A batch is stored densely either way, so it
/// moves no data: its passes return their input.
public struct Flatten: Layer {
    public init() {}

    public func outputShape(for inputShape: SampleShape) throws -> SampleShape {
        .features(inputShape.count)
    }

    public func parameters(for inputShape: SampleShape) -> [ParameterSpec] { [] }

    public func makeRuntime<B: Backend>(_ context: LayerContext<B>) throws -> any LayerRuntime<B> {
        FlattenRuntime()
    }

    public var description: String { "Flatten" }
}

final class FlattenRuntime<B: Backend>: LayerRuntime {
    func forward(
        _ input: B.View, batch: Int, training: Bool, position: DrawPosition
    ) throws -> B.View { input }
    func backward(_ outputGradient: B.View, batch: Int) throws -> B.View { outputGradient }
}
