/// A batch of NCHW images: `batch x channels x height x width`.
public struct ImageBatchShape: Sendable, Equatable, CustomStringConvertible {
    public var batch: Int
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(batch: Int, channels: Int, height: Int, width: Int) {
        self.batch = batch
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Elements: `batch x channels x height x width`.
    public var count: Int { batch * channels * height * width }

    public var description: String { "[\(batch), \(channels), \(height), \(width)]" }
}

/// Random train-time transforms of images, drawn per sample from Philox so that every backend
/// makes the same batches: a random crop of the image zero-padded by `padding` on each side (a
/// shift by up to `padding` pixels on each axis), then, with `flip`, a horizontal flip with
/// probability 1/2.
///
/// Sample `n` of a batch takes the block of counter position `key.offset + 4 n` of stream
/// `(key.seed, key.stream)`: its first word `w0` gives the vertical shift `w0 mod (2 padding + 1)
/// - padding`, its second the horizontal shift likewise, and the lowest bit of its third the flip.
/// Output pixel `(y, x)` is input pixel `(y + dy, x' + dx)` with `x' = width - 1 - x` when
/// flipped, else `x`; 0 where that lies outside the image.
public struct ImageAugmentation: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The most pixels a crop shifts by on each axis (0: no crop).
    public var padding: Int
    /// Whether images are flipped left to right at random.
    public var flip: Bool

    public init(padding: Int, flip: Bool) {
        self.padding = padding
        self.flip = flip
    }

    /// The shifts and the flip of sample `sample` of the batch at `key`.
    public func draws(sample: Int, key: RandomKey) -> (dy: Int, dx: Int, flipped: Bool) {
        let words = Philox.block(
            index: key.offset &+ 4 &* UInt64(sample), seed: key.seed, stream: key.stream)
        let choices = UInt32(2 * padding + 1)
        return (
            Int(words[0] % choices) - padding, Int(words[1] % choices) - padding,
            flip && words[2] & 1 == 1
        )
    }

    public var description: String {
        ([padding > 0 ? "crop:\(padding)" : nil, flip ? "flip" : nil].compactMap { $0 })
            .joined(separator: ",")
    }
}
