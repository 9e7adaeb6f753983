/// How batch norm updates its running estimates and which epsilon it uses.
public enum BatchNormConvention: String, Sendable, Equatable, Codable {
    /// PyTorch: `running = (1 - momentum) running + momentum batch` (momentum 0.1 weighs the new
    /// batch), and the running variance is the unbiased one (`N / (N - 1)` times the batch's).
    case pytorch
    /// Keras: `running = momentum running + (1 - momentum) batch` (momentum 0.99 weighs the old
    /// value), and the running variance is the biased one.
    case keras
}

/// The hyperparameters of training-mode batch norm.
///
/// Both conventions normalize the batch with its biased variance; they differ in how the running
/// estimates move (see `BatchNormConvention`) and in their default epsilon and momentum.
public struct BatchNormHyperparameters: Sendable, Equatable, Codable {
    /// Added to the variance before the square root.
    public var epsilon: Float
    /// The momentum of the running estimates, in the sense of `convention`.
    public var momentum: Float
    public var convention: BatchNormConvention

    public init(epsilon: Float, momentum: Float, convention: BatchNormConvention) {
        self.epsilon = epsilon
        self.momentum = momentum
        self.convention = convention
    }

    /// PyTorch's defaults: epsilon 1e-5, momentum 0.1 on the new batch.
    public static let pytorch = BatchNormHyperparameters(
        epsilon: 1e-5, momentum: 0.1, convention: .pytorch)
    /// Keras's defaults: epsilon 1e-3, momentum 0.99 on the old value.
    public static let keras = BatchNormHyperparameters(
        epsilon: 1e-3, momentum: 0.99, convention: .keras)

    /// The weight of the new batch's statistics in the running estimates.
    public var newBatchWeight: Float { convention == .pytorch ? momentum : 1 - momentum }

    /// Whether the running variance takes the unbiased batch variance (`N / (N - 1)` times).
    public var unbiasedRunningVariance: Bool { convention == .pytorch }
}

/// The scale `gamma` and shift `beta` of a normalization layer, one of each per feature.
public struct AffineParameters<Buffer: DeviceBuffer> {
    public var gamma: BufferView<Buffer>
    public var beta: BufferView<Buffer>

    public init(gamma: BufferView<Buffer>, beta: BufferView<Buffer>) {
        self.gamma = gamma
        self.beta = beta
    }
}

/// What the forward pass of a normalization saves for its backward pass: the mean and the
/// inverse standard deviation `1 / sqrt(var + eps)` of each normalized group (each feature for
/// batch norm, each row for layer norm).
public struct NormalizationStatistics<Buffer: DeviceBuffer> {
    public var mean: BufferView<Buffer>
    public var inverseStandardDeviation: BufferView<Buffer>

    public init(mean: BufferView<Buffer>, inverseStandardDeviation: BufferView<Buffer>) {
        self.mean = mean
        self.inverseStandardDeviation = inverseStandardDeviation
    }
}

/// Batch norm's running estimates of each feature's mean and variance, used in inference.
public struct RunningStatistics<Buffer: DeviceBuffer> {
    public var mean: BufferView<Buffer>
    public var variance: BufferView<Buffer>

    public init(mean: BufferView<Buffer>, variance: BufferView<Buffer>) {
        self.mean = mean
        self.variance = variance
    }
}
