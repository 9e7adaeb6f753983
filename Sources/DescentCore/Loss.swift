/// Where a loss op writes its results.
///
/// The mean loss is written on the device, so a training step never reads it back unless asked.
public struct LossOutputs<Buffer: DeviceBuffer> {
    /// One element: the (weighted) mean loss over the batch.
    public var loss: BufferView<Buffer>
    /// One element per sample, or nil: each sample's own loss, unweighted by its sample weight.
    public var perSampleLoss: BufferView<Buffer>?
    /// The input's shape, or nil: the gradient of the mean loss with respect to the input.
    public var inputGradient: BufferView<Buffer>?

    public init(
        loss: BufferView<Buffer>, perSampleLoss: BufferView<Buffer>? = nil,
        inputGradient: BufferView<Buffer>? = nil
    ) {
        self.loss = loss
        self.perSampleLoss = perSampleLoss
        self.inputGradient = inputGradient
    }
}

/// The options of softmax cross-entropy, with PyTorch's semantics (`nn.CrossEntropyLoss`).
public struct CrossEntropyOptions<Buffer: DeviceBuffer> {
    /// `epsilon` of label smoothing: the target is `(1 - epsilon) onehot(y) + epsilon / C`.
    public var labelSmoothing: Float
    /// One weight per class, or nil for 1 each. The mean divides by the summed weight of the
    /// samples' true classes, as PyTorch does.
    public var classWeights: BufferView<Buffer>?

    public init(labelSmoothing: Float = 0, classWeights: BufferView<Buffer>? = nil) {
        self.labelSmoothing = labelSmoothing
        self.classWeights = classWeights
    }
}

/// The losses of a real-valued prediction against a target, element by element
/// (`x = prediction - target`), averaged over each sample's D outputs, then over the batch.
public enum RegressionLoss: Sendable, Equatable, Codable, CustomStringConvertible {
    /// `x^2`.
    case meanSquaredError
    /// `|x|`; its gradient at 0 is 0.
    case meanAbsoluteError
    /// PyTorch's Huber: `x^2 / 2` for `|x| < delta`, else `delta (|x| - delta / 2)`: quadratic
    /// near 0, linear beyond, continuous with a continuous slope at `|x| = delta`.
    case huber(delta: Float)
    /// `sqrt` of the batch's mean squared error (not a mean of per-sample roots); each sample's
    /// own value is the root of its mean squared error. Its gradient at a loss of 0 is 0.
    case rootMeanSquaredError

    public var description: String {
        switch self {
        case .meanSquaredError: "meanSquaredError"
        case .meanAbsoluteError: "meanAbsoluteError"
        case .huber(let delta): "huber(delta: \(delta))"
        case .rootMeanSquaredError: "rootMeanSquaredError"
        }
    }
}
