/// What a pooling window computes.
public enum Pooling: String, Sendable, CaseIterable, Codable {
    /// The largest value of the window. Ties go to the first position in row-major order, and a
    /// NaN counts as larger than any number (it propagates), as in PyTorch; the gradient flows to
    /// that one position.
    case max
    /// The mean of the window; the gradient is shared equally among its positions.
    case average
}

/// The shape of a 2-D pooling over a batch of NCHW images, each channel pooled on its own.
///
/// The window of `windowHeight x windowWidth` moves by `stride` on both axes, without padding; an
/// output has `(height - windowHeight) / stride + 1` rows (rounded down, PyTorch's default), and
/// likewise for columns. A global average pool is the window of the whole image.
public struct PoolingShape: Sendable, Equatable, CustomStringConvertible {
    public var batch: Int
    public var channels: Int
    public var height: Int
    public var width: Int
    public var windowHeight: Int
    public var windowWidth: Int
    public var stride: Int

    public init(
        batch: Int, channels: Int, height: Int, width: Int, windowHeight: Int, windowWidth: Int,
        stride: Int
    ) {
        self.batch = batch
        self.channels = channels
        self.height = height
        self.width = width
        self.windowHeight = windowHeight
        self.windowWidth = windowWidth
        self.stride = stride
    }

    /// Output rows: `(height - windowHeight) / stride + 1`.
    public var outputHeight: Int { (height - windowHeight) / stride + 1 }
    /// Output columns: `(width - windowWidth) / stride + 1`.
    public var outputWidth: Int { (width - windowWidth) / stride + 1 }
    /// Elements of the input, `batch x channels x height x width`.
    public var inputCount: Int { batch * channels * height * width }
    /// Elements of the output, `batch x channels x outputHeight x outputWidth`.
    public var outputCount: Int { batch * channels * outputHeight * outputWidth }

    public var description: String {
        "[\(batch), \(channels), \(height), \(width)] window \(windowHeight)x\(windowWidth) "
            + "stride \(stride) -> [\(batch), \(channels), \(outputHeight), \(outputWidth)]"
    }
}
