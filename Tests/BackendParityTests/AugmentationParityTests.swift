import DescentCore
import DescentCPU
import DescentOpenCL
import DescentTestSupport
import Testing

/// Random crops and flips: both backends make the same images from the same key (bit for bit),
/// and the draws do what they say.
@Suite(.requiresOpenCL)
struct AugmentationParityTests {
    func augment<B: Backend>(
        on backend: B, _ shape: ImageBatchShape, _ augmentation: ImageAugmentation,
        key: RandomKey
    ) throws -> [Float] {
        let x = try backend.paddedView(TestData.uniform(shape.count, seed: 97))
        let y = try backend.poisoned(shape.count)
        try backend.augmentImages(
            input: x, output: y, shape: shape, augmentation: augmentation, key: key)
        return try backend.download(y)
    }

    @Test(arguments: [
        ImageBatchShape(batch: 1, channels: 1, height: 1, width: 1),
        ImageBatchShape(batch: 3, channels: 2, height: 7, width: 5),
        ImageBatchShape(batch: 9, channels: 1, height: 28, width: 28),
    ])
    func bothBackendsMakeTheSameImages(shape: ImageBatchShape) throws {
        let opencl = try OpenCLTestSupport.makeBackend()
        for augmentation in [
            ImageAugmentation(padding: 2, flip: true), ImageAugmentation(padding: 0, flip: true),
            ImageAugmentation(padding: 3, flip: false),
        ] {
            let key = RandomKey(seed: 11, stream: 2, offset: 36)
            let expected = try augment(on: CPUBackend(), shape, augmentation, key: key)
            let actual = try augment(on: opencl, shape, augmentation, key: key)
            expectClose(actual, expected, .exact, "\(augmentation) of \(shape)")
        }
    }

    /// Every sample is its input shifted by its draws (zeros shifted in), mirrored when drawn.
    @Test func theImagesFollowTheDraws() throws {
        let shape = ImageBatchShape(batch: 16, channels: 1, height: 4, width: 3)
        let augmentation = ImageAugmentation(padding: 1, flip: true)
        let key = RandomKey(seed: 3, stream: 1)
        let input = TestData.uniform(shape.count, seed: 97)
        let output = try augment(on: CPUBackend(), shape, augmentation, key: key)
        var flips = 0
        for sample in 0..<shape.batch {
            let (dy, dx, flipped) = augmentation.draws(sample: sample, key: key)
            #expect((-1...1).contains(dy) && (-1...1).contains(dx))
            if flipped { flips += 1 }
            for row in 0..<4 {
                for column in 0..<3 {
                    let sourceRow = row + dy, sourceColumn = (flipped ? 2 - column : column) + dx
                    let expected: Float =
                        (0..<4).contains(sourceRow) && (0..<3).contains(sourceColumn)
                        ? input[sample * 12 + sourceRow * 3 + sourceColumn] : 0
                    #expect(output[sample * 12 + row * 3 + column] == expected)
                }
            }
        }
        #expect((1..<16).contains(flips), "16 samples should not all flip alike")
    }
}
