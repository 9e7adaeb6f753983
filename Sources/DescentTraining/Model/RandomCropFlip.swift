import DescentCore

/// Train-time image augmentation on the device: each sample of a training batch is randomly
/// shifted by up to `padding` pixels on each axis (a random crop of the zero-padded image) and,
/// with `flip`, flipped left to right with probability 1/2 (see `ImageAugmentation`). In
/// inference it is the identity. The draws of step `s` come from Philox stream
/// `(seed, 1 + layer index)` at offset `4 s maxBatch`, so both backends make the same batches.
///
/// It transforms the data, not features, so it must be the model's first layer. Flips suit data
/// whose classes do not change when mirrored (Fashion-MNIST's garments), not text or digits.
public struct RandomCropFlip: Layer {
    public var augmentation: ImageAugmentation

    public init(padding: Int, flip: Bool) {
        augmentation = ImageAugmentation(padding: padding, flip: flip)
    }

    func imageShape(batch: Int, _ inputShape: SampleShape) throws -> ImageBatchShape {
        guard let image = inputShape.image else {
            throw DescentError.shapeMismatch(
                operation: "\(self)", expected: "images ([channels, height, width])",
                actual: "\(inputShape)")
        }
        return ImageBatchShape(
            batch: batch, channels: image.channels, height: image.height, width: image.width)
    }

    public func outputShape(for inputShape: SampleShape) throws -> SampleShape {
        _ = try imageShape(batch: 1, inputShape)
        guard augmentation.padding >= 0 else {
            throw DescentError.invalidArgument(
                operation: "\(self)",
                reason: "the crop padding must be >= 0, got \(augmentation.padding)")
        }
        return inputShape
    }

    public func parameters(for inputShape: SampleShape) -> [ParameterSpec] { [] }

    public func makeRuntime<B: Backend>(_ context: LayerContext<B>) throws -> any LayerRuntime<B> {
        guard !context.needsInputGradient else {
            throw DescentError.invalidArgument(
                operation: "\(self)",
                reason: "an augmentation transforms the data, so it must be the model's first layer"
            )
        }
        return try RandomCropFlipRuntime(self, context)
    }

    public var description: String { "RandomCropFlip(\(augmentation))" }
}

final class RandomCropFlipRuntime<B: Backend>: LayerRuntime {
    let layer: RandomCropFlip
    let context: LayerContext<B>
    let output: B.Buffer

    init(_ layer: RandomCropFlip, _ context: LayerContext<B>) throws {
        self.layer = layer
        self.context = context
        output = try context.backend.makeBuffer(count: context.maxBatch * context.inputFeatures)
    }

    func forward(
        _ input: B.View, batch: Int, training: Bool, position: DrawPosition
    ) throws -> B.View {
        guard training, layer.augmentation.padding > 0 || layer.augmentation.flip else {
            return input
        }
        let y = try context.backend.rows(output, batch, columns: context.inputFeatures)
        try context.backend.augmentImages(
            input: input, output: y, shape: try layer.imageShape(batch: batch, context.inputShape),
            augmentation: layer.augmentation,
            key: RandomKey(
                seed: context.seed, stream: 1 + UInt64(context.index),
                offset: position.offset(maxBatch: context.maxBatch, valuesPerRow: 4)))
        return y
    }

    func backward(_ outputGradient: B.View, batch: Int) throws -> B.View { outputGradient }
}
