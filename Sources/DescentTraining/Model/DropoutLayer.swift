import DescentCore

/// Inverted dropout (Srivastava et al., 2014): in training, each unit is zeroed with probability
/// `probability` and the others scaled by `1 / (1 - p)`; in inference, the identity. The mask of
/// step `s` comes from Philox stream `(seed, 1 + layer index)` at offset `s * maxBatch * features`,
/// so both backends drop the same units at every step.
public struct Dropout: Layer {
    public var probability: Float

    public init(_ probability: Float) {
        self.probability = probability
    }

    public func outputShape(for inputShape: SampleShape) throws -> SampleShape {
        guard probability >= 0 && probability < 1 else {
            throw DescentError.invalidArgument(
                operation: "\(self)",
                reason: "the drop probability must be in [0, 1), got \(probability)")
        }
        return inputShape
    }

    public func parameters(for inputShape: SampleShape) -> [ParameterSpec] { [] }

    public func makeRuntime<B: Backend>(_ context: LayerContext<B>) throws -> any LayerRuntime<B> {
        try DropoutRuntime(probability, context)
    }

    public var description: String { "Dropout(\(probability))" }
}

final class DropoutRuntime<B: Backend>: LayerRuntime {
    let probability: Float
    let context: LayerContext<B>
    let output: B.Buffer
    let inputGradient: B.Buffer
    private var key: RandomKey?

    init(_ probability: Float, _ context: LayerContext<B>) throws {
        self.probability = probability
        self.context = context
        output = try context.backend.makeBuffer(count: context.maxBatch * context.inputFeatures)
        inputGradient = try context.backend.makeBuffer(
            count: context.maxBatch * context.inputFeatures)
    }

    func forward(
        _ input: B.View, batch: Int, training: Bool, position: DrawPosition
    ) throws -> B.View {
        guard training, probability > 0 else {
            key = nil
            return input
        }
        let key = RandomKey(
            seed: context.seed, stream: 1 + UInt64(context.index),
            offset: position.offset(maxBatch: context.maxBatch, valuesPerRow: context.inputFeatures)
        )
        self.key = key
        let y = try context.backend.rows(output, batch, columns: context.inputFeatures)
        try context.backend.dropoutForward(
            input: input, output: y, probability: probability, key: key)
        return y
    }

    func backward(_ outputGradient: B.View, batch: Int) throws -> B.View {
        guard let key else { return outputGradient }
        let dx = try context.backend.rows(inputGradient, batch, columns: context.inputFeatures)
        try context.backend.dropoutBackward(
            outputGradient: outputGradient, inputGradient: dx, probability: probability, key: key)
        return dx
    }
}
