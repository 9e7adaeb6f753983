import DescentCore

extension CPUBackend {
    public func augmentImages(
        input: View, output: View, shape: ImageBatchShape, augmentation: ImageAugmentation,
        key: RandomKey
    ) throws {
        try Validation.augmentImages(
            input: input, output: output, shape: shape, augmentation: augmentation)
        let x = input.floats, y = output.floats
        let (height, width) = (shape.height, shape.width)
        for sample in 0..<shape.batch {
            let (dy, dx, flipped) = augmentation.draws(sample: sample, key: key)
            for channel in 0..<shape.channels {
                let image = (sample * shape.channels + channel) * height * width
                for row in 0..<height {
                    for column in 0..<width {
                        let sourceRow = row + dy
                        let sourceColumn = (flipped ? width - 1 - column : column) + dx
                        let inside =
                            sourceRow >= 0 && sourceRow < height && sourceColumn >= 0
                            && sourceColumn < width
                        y[image + row * width + column] =
                            inside ? x[image + sourceRow * width + sourceColumn] : 0
                    }
                }
            }
        }
    }
}
