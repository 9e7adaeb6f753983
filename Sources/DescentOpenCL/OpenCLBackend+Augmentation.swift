import DescentCore

extension OpenCLBackend {
    public func augmentImages(
        input: View, output: View, shape: ImageBatchShape, augmentation: ImageAugmentation,
        key: RandomKey
    ) throws {
        try Validation.augmentImages(
            input: input, output: output, shape: shape, augmentation: augmentation)
        try launch(
            .augmentImages, global: [shape.height, shape.batch * shape.channels], local: nil,
            [
                .int(shape.batch), .int(shape.channels), .int(shape.height), .int(shape.width),
                .int(augmentation.padding), .int(augmentation.flip ? 1 : 0), .ulong(key.seed),
                .ulong(key.stream), .ulong(key.offset), .view(input), .view(output),
            ])
    }
}
