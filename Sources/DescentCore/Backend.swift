/// A compute device that runs Descent's ops: the contract every backend implements in full.
///
/// Models, losses and optimizers are written once against this protocol and run unchanged on
/// `CPUBackend` (the readable reference) and `OpenCLBackend`. Requirements are coarse-grained (one
/// per kernel family and direction) and take typed shape descriptors; there are no default
/// implementations, so a backend that lacks an op does not compile.
///
/// Operands are `BufferView`s: ranges of elements of a `Buffer` made by this backend. Matrices are
/// row-major and densely packed. Every op validates its operands before doing anything and throws
/// `DescentError` (a shape mismatch names the op and both shapes).
///
/// Ordering and synchronization: ops are enqueued in program order on one in-order stream and may
/// return before the device has finished. Only `download` (and `synchronize`) wait for the device,
/// so a training step reads nothing back to the host unless asked to. Errors that depend on data
/// that lives on the device (a class label out of range) are found by the kernel and thrown by
/// the next `download` or `synchronize`.
public protocol Backend: AnyObject {
    /// The backend's buffer type.
    associatedtype Buffer: DeviceBuffer
    /// An operand: a range of a buffer.
    typealias View = BufferView<Buffer>

    /// A short human-readable name of the device ops run on.
    var deviceName: String { get }

    // MARK: Buffers

    /// Allocates an uninitialized buffer of `count` elements.
    /// - Throws: `DescentError.invalidArgument` for a negative count,
    ///   `DescentError.outOfDeviceMemory` when the device cannot hold it.
    func makeBuffer(count: Int, elementType: ElementType) throws -> Buffer

    /// Copies `values` into `destination`. Synchronizing: returns once the host array may be reused.
    /// - Throws: `DescentError.shapeMismatch` when the counts differ,
    ///   `DescentError.elementTypeMismatch` when the buffer holds another type.
    func upload<Scalar: DeviceScalar>(_ values: [Scalar], to destination: View) throws

    /// Copies `source` back to the host. Synchronizing: waits for every op enqueued before it.
    /// - Throws: `DescentError.elementTypeMismatch` when the buffer holds another type.
    func download<Scalar: DeviceScalar>(_ source: View, as type: Scalar.Type) throws -> [Scalar]

    /// Sets every element of `destination` to `value` (converted to the buffer's element type).
    func fill(_ destination: View, with value: Float) throws

    /// Copies `source` into `destination`, which must have the same count and element type and
    /// must not overlap it.
    func copy(_ source: View, to destination: View) throws

    /// Waits until every enqueued op has finished.
    func synchronize() throws

    // MARK: Linear algebra

    /// `C = alpha * op(A) * op(B) + beta * C` (see `MatmulShape` for layouts).
    ///
    /// With `beta == 0` the previous contents of C are not read (they may be uninitialized or NaN),
    /// as in BLAS. C must not overlap A or B.
    func matmul(
        _ a: View, _ b: View, _ c: View, shape: MatmulShape, alpha: Float, beta: Float) throws

    /// A dense layer's forward pass in one call: `z = x W + b`, `y = f(z)`, with x of `batch x
    /// inputs`, W of `inputs x outputs` and b of `outputs` elements (or nil). The bias and the
    /// activation are fused into the product's epilogue, so z and y are each written once; z is
    /// written to `preActivation` when it is given (the backward pass of most activations needs it).
    func denseForward(
        input: View, weights: View, bias: View?, activation: Activation, preActivation: View?,
        output: View,
        shape: DenseShape
    ) throws

    /// `output[r, c] = input[r, c] + bias[c]`: adds a row vector to every row. `output` may be `input`.
    func addBias(_ input: View, bias: View, output: View, shape: MatrixShape) throws

    /// `biasGradient[c] = sum over r of outputGradient[r, c]`: the gradient of `addBias` with
    /// respect to the bias, the column sum of the output gradient. Its gradient with respect to the
    /// input is the output gradient itself.
    func biasGradient(_ outputGradient: View, biasGradient: View, shape: MatrixShape) throws

    // MARK: Elementwise

    /// `output[i] = a[i] (op) b[i]` for equally sized views. `output` may be `a` or `b`.
    func elementwise(_ operation: ElementwiseOperation, _ a: View, _ b: View, output: View) throws

    /// `output[i] = factor * input[i]`. `output` may be `input`.
    func scale(_ input: View, by factor: Float, output: View) throws

    /// `y[i] += alpha * x[i]` (BLAS axpy). `x` must not overlap `y`.
    func axpy(alpha: Float, x: View, y: View) throws

    // MARK: Activations

    /// `output[i] = f(input[i])`. `output` may be `input`.
    func activationForward(_ activation: Activation, input: View, output: View) throws

    /// `inputGradient[i] = f'(input[i]) * outputGradient[i]`, where `output` is what
    /// `activationForward` returned for `input` (some derivatives are cheaper from it).
    /// `inputGradient` may be `outputGradient`.
    func activationBackward(
        _ activation: Activation, input: View, output: View, outputGradient: View,
        inputGradient: View
    ) throws

    /// Row-wise softmax, numerically stable: `y[r, c] = e^(x[r, c] - m_r) / sum_j e^(x[r, j] - m_r)`
    /// with `m_r` the row maximum. `output` may be `input`.
    func softmaxForward(input: View, output: View, shape: MatrixShape) throws

    /// Softmax backward from its output: `dx[r, c] = y[r, c] * (dy[r, c] - sum_j dy[r, j] y[r, j])`.
    /// `inputGradient` may be `outputGradient`.
    func softmaxBackward(
        output: View, outputGradient: View, inputGradient: View, shape: MatrixShape) throws

    // MARK: Reductions

    /// Reduces `input` (a matrix of `shape`) over `axis` with `operation` into `output`, which holds
    /// `axis.outputCount(for: shape)` values and must not overlap the input.
    func reduce(
        _ operation: ReductionOperation, _ input: View, axis: ReductionAxis, output: View,
        shape: MatrixShape
    ) throws

    /// `output[r]` = the column index of the largest element of row r (an int32 buffer). Ties go
    /// to the first index; a NaN counts as larger than any number, as in PyTorch.
    func argmaxRows(_ input: View, output: View, shape: MatrixShape) throws

    // MARK: Normalization

    /// Training-mode batch norm: each channel of `shape` (see `ChannelShape`: feature vectors, or
    /// the channels of NCHW images) is normalized over its `batch x spatial` values.
    ///
    /// Per channel c: `mean_c` and the biased `var_c` of its values, then
    /// `y = gamma_c (x - mean_c) / sqrt(var_c + eps) + beta_c`. Saves `mean_c` and
    /// `1 / sqrt(var_c + eps)` in `saved` for the backward pass, and moves the running estimates
    /// toward the batch's as `hyperparameters.convention` says (PyTorch's running variance is the
    /// unbiased one). Mean and variance take two passes, never `E[x^2] - E[x]^2`: the corrected
    /// two-pass algorithm (Chan, Golub & LeVeque, 1983) sums `d = x - mean0` and `d^2` after the
    /// first mean, then `mean = mean0 + sum d / N` and `var = (sum d^2 - (sum d)^2 / N) / N`, so
    /// features with a large mean (1e4 with std 1) keep their precision. `output` may be `input`.
    /// - Throws: `DescentError.invalidArgument` for a channel of one value (a batch of one
    ///   feature vector), as in PyTorch.
    func batchNormForward(
        input: View, parameters: AffineParameters<Buffer>, output: View,
        saved: NormalizationStatistics<Buffer>,
        running: RunningStatistics<Buffer>, shape: ChannelShape,
        hyperparameters: BatchNormHyperparameters
    ) throws

    /// Inference-mode batch norm from the running estimates:
    /// `y = gamma_c (x - running mean_c) / sqrt(running var_c + eps) + beta_c`. `output` may be `input`.
    func batchNormInference(
        input: View, parameters: AffineParameters<Buffer>, running: RunningStatistics<Buffer>,
        output: View,
        shape: ChannelShape, epsilon: Float
    ) throws

    /// Batch norm backward from the saved statistics, in closed form. Per channel, over its N
    /// values, with `xhat = (x - mean) istd`: `dbeta = sum dy`, `dgamma = sum dy xhat`, and
    /// `dx = gamma istd / N (N dy - dbeta - xhat dgamma)`. `inputGradient` may be `outputGradient`.
    func batchNormBackward(
        input: View, outputGradient: View, gamma: View, saved: NormalizationStatistics<Buffer>,
        inputGradient: View, parameterGradients: AffineParameters<Buffer>, shape: ChannelShape
    ) throws

    /// The input gradient of batch norm backward from per-channel sums computed elsewhere (over
    /// the ranks of synchronized batch norm): with `N` this batch's values per channel,
    /// `dx = gamma istd / N (N dy - sums.beta - xhat sums.gamma)`, where `sums.beta` stands for
    /// `sum dy` and `sums.gamma` for `sum dy xhat`. `inputGradient` may be `outputGradient`.
    func batchNormInputGradient(
        input: View, outputGradient: View, gamma: View, saved: NormalizationStatistics<Buffer>,
        sums: AffineParameters<Buffer>, inputGradient: View, shape: ChannelShape
    ) throws

    /// Layer norm over the features of each row (`shape`: N rows x C features): per row r,
    /// `y = gamma (x - mean_r) / sqrt(var_r + eps) + beta` with the biased variance of the row
    /// (corrected two-pass, as in batch norm). Saves each row's mean and inverse standard deviation. PyTorch's default
    /// epsilon is 1e-5. `output` may be `input`.
    func layerNormForward(
        input: View, parameters: AffineParameters<Buffer>, output: View,
        saved: NormalizationStatistics<Buffer>,
        shape: MatrixShape, epsilon: Float
    ) throws

    /// Layer norm backward. Per row, with `g = dy gamma` and `xhat = (x - mean) istd`:
    /// `dx = istd / C (C g - sum g - xhat sum g xhat)`; `dgamma = sum over rows of dy xhat` and
    /// `dbeta = sum over rows of dy`. `inputGradient` may be `outputGradient`.
    func layerNormBackward(
        input: View, outputGradient: View, gamma: View, saved: NormalizationStatistics<Buffer>,
        inputGradient: View, parameterGradients: AffineParameters<Buffer>, shape: MatrixShape
    ) throws

    // MARK: Convolution

    /// 2-D convolution forward over NCHW images with OIHW weights (see `ConvolutionShape`):
    /// `output[n, o, y, x] = bias[o] + sum over c, i, j of weights[o, c, i, j] *
    /// input[n, c, y stride - padding + i, x stride - padding + j]`, the input being 0 outside the
    /// image. `bias` holds `outputChannels` values or is nil. `workspace` is scratch of at least
    /// `shape.workspaceCount` elements whose contents are overwritten. The backends lower it to
    /// one product: the batch's patches (im2col) times the weight matrix.
    func convolutionForward(
        input: View, weights: View, bias: View?, output: View, workspace: View,
        shape: ConvolutionShape
    ) throws

    /// The gradient of `convolutionForward` with respect to its input, from the output's
    /// gradient: the patches' gradients `W^T dY`, each gathered back to the input position it
    /// came from (col2im as a gather: every input element sums its own terms in a fixed order,
    /// with no atomics, so the result is the same run to run).
    func convolutionInputGradient(
        outputGradient: View, weights: View, inputGradient: View, workspace: View,
        shape: ConvolutionShape
    ) throws

    /// The gradients of `convolutionForward` with respect to its weights (`dY` times the
    /// patches' transpose, summed over the batch) and, when `biasGradient` is given, its bias
    /// (the sum of `dY` over the batch and positions of each output channel). Both are
    /// overwritten, not accumulated.
    func convolutionWeightGradient(
        input: View, outputGradient: View, weightGradient: View, biasGradient: View?,
        workspace: View, shape: ConvolutionShape
    ) throws

    // MARK: Pooling

    /// 2-D pooling forward over NCHW images (see `PoolingShape` and `Pooling`).
    func poolingForward(_ pooling: Pooling, input: View, output: View, shape: PoolingShape) throws

    /// Pooling backward: each input element gathers the gradients of the windows that used it
    /// (for max pooling, the windows whose largest value it is, found again from `input`), in a
    /// fixed order, so the result is the same run to run. `input` is the forward pass's input.
    func poolingBackward(
        _ pooling: Pooling, input: View, outputGradient: View, inputGradient: View,
        shape: PoolingShape
    ) throws

    // MARK: Dropout

    /// Training-mode inverted dropout: `y = x / (1 - p)` where `DropoutMask` keeps the unit, else 0.
    /// The mask comes from Philox at `key`, so every backend drops the same units, and nothing is
    /// stored: the backward pass draws it again. Inference-mode dropout is the identity and needs
    /// no op. `output` may be `input`.
    /// - Throws: `DescentError.invalidArgument` unless `0 <= probability < 1`.
    func dropoutForward(input: View, output: View, probability: Float, key: RandomKey) throws

    /// Dropout backward: `dx = dy / (1 - p)` where the forward pass with the same `key` kept the
    /// unit, else 0. `inputGradient` may be `outputGradient`.
    func dropoutBackward(
        outputGradient: View, inputGradient: View, probability: Float, key: RandomKey) throws

    // MARK: Augmentation

    /// Writes `input`'s images randomly cropped and flipped into `output` (see
    /// `ImageAugmentation` for the draws, which every backend makes alike). `output` must not
    /// overlap `input`.
    /// - Throws: `DescentError.invalidArgument` for a negative padding or one of 2^15 or more.
    func augmentImages(
        input: View, output: View, shape: ImageBatchShape, augmentation: ImageAugmentation,
        key: RandomKey
    ) throws

    // MARK: Losses

    // Every loss writes its mean over the batch, and optionally each sample's loss and the
    // gradient of the mean with respect to its input, in one call. Optional `sampleWeights`
    // (N values >= 0) weigh the samples: the mean is `sum s_i l_i / sum s_i` (0 when the weights
    // sum to 0), so rows of weight 0 pad a last partial batch without changing anything.

    /// Softmax cross-entropy from logits (N x C) and int32 class labels (N), fused and stable:
    /// `-log p_c = logsumexp(z) - z_c`. With label smoothing `eps` and class weights `w`
    /// (PyTorch's `CrossEntropyLoss`): `l_i = (1 - eps) w_y (-log p_y) + eps / C sum_c w_c (-log p_c)`
    /// and the mean is `sum s_i l_i / sum s_i w_y_i`; the gradient of `l_i` is
    /// `(1 - eps) w_y (p - onehot(y)) + eps / C (W p - w)` with `W = sum_c w_c`.
    /// - Throws: `DescentError.invalidArgument` naming the first label outside `[0, C)`. The CPU
    ///   reference throws from this call; a device backend finds bad labels in its kernel and
    ///   throws from the next synchronizing call (`download`, `synchronize`), as GPU runtimes
    ///   report asynchronous errors, so that the step needs no round trip.
    func softmaxCrossEntropy(
        logits: View, labels: View, shape: MatrixShape, options: CrossEntropyOptions<Buffer>,
        sampleWeights: View?, outputs: LossOutputs<Buffer>
    ) throws

    /// Binary cross-entropy from logits `z` (N x D) and targets `t` in [0, 1] (N x D), in the
    /// stable form of PyTorch's `BCEWithLogitsLoss`: with `lw = 1 + (posWeight_d - 1) t`,
    /// `l = (1 - t) z + lw (log(1 + e^-|z|) + max(-z, 0))`, averaged over the D outputs; its
    /// gradient is `(1 - t) - lw sigmoid(-z)`. `positiveWeight` holds D values or is nil (1 each).
    func binaryCrossEntropy(
        logits: View, targets: View, shape: MatrixShape, positiveWeight: View?,
        sampleWeights: View?,
        outputs: LossOutputs<Buffer>
    ) throws

    /// A regression loss of predictions against targets (both N x D), see `RegressionLoss`.
    func regressionLoss(
        _ loss: RegressionLoss, predictions: View, targets: View, shape: MatrixShape,
        sampleWeights: View?,
        outputs: LossOutputs<Buffer>
    ) throws

    // MARK: Optimizer

    /// One fused optimizer step over a parameter group: every element of `parameters` is updated
    /// from its gradient and its `state` arrays (as many as `step.rule.stateCount`, laid out like
    /// the parameters) in a single launch. `gradientScale` (1 element on the device, or nil) is
    /// the global-norm clipping factor of `clipScaleForGlobalNorm`. See `OptimizerStep` for the
    /// gradient's clipping and penalties and `UpdateRule` for the update rules.
    /// - Throws: `DescentError.invalidArgument` naming a bad learning rate, beta, epsilon or state
    ///   count; `.shapeMismatch` when the arrays differ in size.
    func optimizerStep(
        _ step: OptimizerStep, parameters: View, gradients: View, state: [View],
        gradientScale: View?
    ) throws

    /// Writes PyTorch's global-norm clipping factor `min(1, maxNorm / (||g||_2 + 1e-6))` of all
    /// of `gradients` into `scale` (1 element), on the device: no round trip.
    func clipScaleForGlobalNorm(gradients: View, maxNorm: Float, scale: View) throws

    /// Keras's `MaxNorm`: each column of `weights` (`shape`: inputs x units, one column per unit's
    /// incoming weights) with L2 norm `n` is multiplied by `min(n, maxNorm) / (n + 1e-7)`.
    func maxNormConstraint(weights: View, shape: MatrixShape, maxNorm: Float) throws

    // MARK: Random numbers

    /// Fills `destination` with random numbers: element `i` gets the value at counter position
    /// `key.offset + i` of the Philox4x32-10 stream `(key.seed, key.stream)`. Every backend produces
    /// bit-identical values for the same key (see `Philox`).
    func randomFill(_ destination: View, distribution: RandomDistribution, key: RandomKey) throws
}

extension Backend {
    /// Allocates a float32 buffer of `count` elements.
    public func makeBuffer(count: Int) throws -> Buffer {
        try makeBuffer(count: count, elementType: .float32)
    }

    /// Allocates a buffer and uploads `values` into it.
    public func makeBuffer<Scalar: DeviceScalar>(_ values: [Scalar]) throws -> Buffer {
        let buffer = try makeBuffer(count: values.count, elementType: Scalar.elementType)
        try upload(values, to: buffer.view)
        return buffer
    }

    /// Downloads a float32 view. Synchronizing.
    public func download(_ source: View) throws -> [Float] {
        try download(source, as: Float.self)
    }

    /// Training-mode batch norm over a batch of feature vectors (`shape`: N samples x C
    /// features): `batchNormForward` with `ChannelShape(shape)`.
    public func batchNormForward(
        input: View, parameters: AffineParameters<Buffer>, output: View,
        saved: NormalizationStatistics<Buffer>, running: RunningStatistics<Buffer>,
        shape: MatrixShape, hyperparameters: BatchNormHyperparameters
    ) throws {
        try batchNormForward(
            input: input, parameters: parameters, output: output, saved: saved, running: running,
            shape: ChannelShape(shape), hyperparameters: hyperparameters)
    }

    /// Inference-mode batch norm over feature vectors: `batchNormInference` with `ChannelShape(shape)`.
    public func batchNormInference(
        input: View, parameters: AffineParameters<Buffer>, running: RunningStatistics<Buffer>,
        output: View, shape: MatrixShape, epsilon: Float
    ) throws {
        try batchNormInference(
            input: input, parameters: parameters, running: running, output: output,
            shape: ChannelShape(shape), epsilon: epsilon)
    }

    /// Batch norm backward over feature vectors: `batchNormBackward` with `ChannelShape(shape)`.
    public func batchNormBackward(
        input: View, outputGradient: View, gamma: View, saved: NormalizationStatistics<Buffer>,
        inputGradient: View, parameterGradients: AffineParameters<Buffer>, shape: MatrixShape
    ) throws {
        try batchNormBackward(
            input: input, outputGradient: outputGradient, gamma: gamma, saved: saved,
            inputGradient: inputGradient, parameterGradients: parameterGradients,
            shape: ChannelShape(shape))
    }

    /// `C = op(A) * op(B)`.
    public func matmul(_ a: View, _ b: View, _ c: View, shape: MatmulShape) throws {
        try matmul(a, b, c, shape: shape, alpha: 1, beta: 0)
    }
}
