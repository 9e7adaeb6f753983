/// The shape of a 2-D convolution (cross-correlation, as in every deep-learning library) over a
/// batch of images.
///
/// Activations are NCHW: `batch x inputChannels x inputHeight x inputWidth`, row-major, as PyTorch
/// lays them out. Weights are OIHW: `outputChannels x inputChannels x kernelHeight x kernelWidth`,
/// which is also the `outputChannels x patchSize` matrix the backends multiply. The input is
/// zero-padded by `padding` on each side of both axes and the kernel moves by `stride` on both.
/// An output of `outputHeight x outputWidth` positions follows from
/// `(inputHeight + 2 padding - kernelHeight) / stride + 1` (rounded down), as in PyTorch.
public struct ConvolutionShape: Sendable, Equatable, CustomStringConvertible {
    public var batch: Int
    public var inputChannels: Int
    public var inputHeight: Int
    public var inputWidth: Int
    public var outputChannels: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var stride: Int
    public var padding: Int

    public init(
        batch: Int, inputChannels: Int, inputHeight: Int, inputWidth: Int, outputChannels: Int,
        kernelHeight: Int, kernelWidth: Int, stride: Int = 1, padding: Int = 0
    ) {
        self.batch = batch
        self.inputChannels = inputChannels
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.outputChannels = outputChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
    }

    /// Output rows: `(inputHeight + 2 padding - kernelHeight) / stride + 1`.
    public var outputHeight: Int { (inputHeight + 2 * padding - kernelHeight) / stride + 1 }
    /// Output columns: `(inputWidth + 2 padding - kernelWidth) / stride + 1`.
    public var outputWidth: Int { (inputWidth + 2 * padding - kernelWidth) / stride + 1 }
    /// Output positions per image and channel.
    public var outputPositions: Int { outputHeight * outputWidth }
    /// Inputs one output value reads: `inputChannels x kernelHeight x kernelWidth`, the length of
    /// a row of the weight matrix and of a column of the patch matrix.
    public var patchSize: Int { inputChannels * kernelHeight * kernelWidth }

    /// Elements of the input, `batch x inputChannels x inputHeight x inputWidth`.
    public var inputCount: Int { batch * inputChannels * inputHeight * inputWidth }
    /// Elements of the output, `batch x outputChannels x outputHeight x outputWidth`.
    public var outputCount: Int { batch * outputChannels * outputPositions }
    /// Elements of the weights, `outputChannels x patchSize`.
    public var weightCount: Int { outputChannels * patchSize }

    /// Elements of the scratch the backends need for one op: the patch matrix (im2col) of the
    /// whole batch, `patchSize x (batch outputPositions)`, and the product in channel-major order,
    /// `outputChannels x (batch outputPositions)`.
    public var workspaceCount: Int { (patchSize + outputChannels) * batch * outputPositions }

    /// Floating-point operations of the forward pass (`2 x output values x patchSize`); each of
    /// the two gradients costs as much.
    public var flops: Double { 2 * Double(outputCount) * Double(patchSize) }

    public var description: String {
        "[\(batch), \(inputChannels), \(inputHeight), \(inputWidth)] * "
            + "[\(outputChannels), \(inputChannels), \(kernelHeight), \(kernelWidth)] "
            + "stride \(stride) padding \(padding) -> "
            + "[\(batch), \(outputChannels), \(outputHeight), \(outputWidth)]"
    }
}
