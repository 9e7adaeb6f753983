import DescentCore

/// Additive Gaussian noise, a train-time augmentation (Keras's `GaussianNoise`): in training
/// `y = x + N(0, standardDeviation)`, in inference the identity; the gradient passes unchanged.
/// The noise of step `s` comes from Philox stream `(seed, 1 + layer index)` at offset
/// `s * maxBatch * features`, the same on every backend.
public struct GaussianNoise: Layer {
    public var standardDeviation: Float

    public init(_ standardDeviation: Float) {
        self.standardDeviation = standardDeviation
    }

    public func outputShape(for inputShape: SampleShape) throws -> SampleShape {
        guard standardDeviation.isFinite, standardDeviation >= 0 else {
            throw DescentError.invalidArgument(
                operation: "\(self)",
                reason: "the standard deviation must be finite and >= 0, got \(standardDeviation)")
        }
        return inputShape
    }

    public func parameters(for inputShape: SampleShape) -> [ParameterSpec] { [] }

    public func makeRuntime<B: Backend>(_ context: LayerContext<B>) throws -> any LayerRuntime<B> {
        try GaussianNoiseRuntime(standardDeviation, context)
    }

    public var description: String { "GaussianNoise(\(standardDeviation))" }
}

final class GaussianNoiseRuntime<B: Backend>: LayerRuntime {
    let standardDeviation: Float
    let context: LayerContext<B>
    let output: B.Buffer

    init(_ standardDeviation: Float, _ context: LayerContext<B>) throws {
        self.standardDeviation = standardDeviation
        self.context = context
        output = try context.backend.makeBuffer(count: context.maxBatch * context.inputFeatures)
    }

    func forward(
        _ input: B.View, batch: Int, training: Bool, position: DrawPosition
    ) throws -> B.View {
        guard training, standardDeviation > 0 else { return input }
        let y = try context.backend.rows(output, batch, columns: context.inputFeatures)
        try context.backend.randomFill(
            y, distribution: .normal(mean: 0, standardDeviation: standardDeviation),
            key: RandomKey(
                seed: context.seed, stream: 1 + UInt64(context.index),
                offset: position.offset(
                    maxBatch: context.maxBatch, valuesPerRow: context.inputFeatures)))
        try context.backend.elementwise(.add, input, y, output: y)
        return y
    }

    func backward(_ outputGradient: B.View, batch: Int) throws -> B.View { outputGradient }
}
