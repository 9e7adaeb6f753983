/// The shape batch norm normalizes: `batch` samples of `channels` channels of `spatial` values
/// each, laid out `[batch, channels, spatial]`. Each channel is normalized over its
/// `batch x spatial` values. Images in NCHW have `spatial = height x width` (PyTorch's
/// `BatchNorm2d`); feature vectors are `spatial = 1` (`BatchNorm1d`).
public struct ChannelShape: Sendable, Equatable, CustomStringConvertible {
    public var batch: Int
    public var channels: Int
    public var spatial: Int

    public init(batch: Int, channels: Int, spatial: Int = 1) {
        self.batch = batch
        self.channels = channels
        self.spatial = spatial
    }

    /// Feature vectors: `rows` samples of `columns` features.
    public init(_ matrix: MatrixShape) {
        self.init(batch: matrix.rows, channels: matrix.columns)
    }

    /// Elements: `batch x channels x spatial`.
    public var count: Int { batch * channels * spatial }
    /// The values each channel's statistics are taken over: `batch x spatial`.
    public var valuesPerChannel: Int { batch * spatial }

    public var description: String {
        spatial == 1 ? "[\(batch), \(channels)]" : "[\(batch), \(channels), \(spatial)]"
    }
}
