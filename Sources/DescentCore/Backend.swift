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
/// so a training step reads nothing back to the host unless asked to.
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
    func matmul(_ a: View, _ b: View, _ c: View, shape: MatmulShape, alpha: Float, beta: Float) throws

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
        _ activation: Activation, input: View, output: View, outputGradient: View, inputGradient: View
    ) throws

    /// Row-wise softmax, numerically stable: `y[r, c] = e^(x[r, c] - m_r) / sum_j e^(x[r, j] - m_r)`
    /// with `m_r` the row maximum. `output` may be `input`.
    func softmaxForward(input: View, output: View, shape: MatrixShape) throws

    /// Softmax backward from its output: `dx[r, c] = y[r, c] * (dy[r, c] - sum_j dy[r, j] y[r, j])`.
    /// `inputGradient` may be `outputGradient`.
    func softmaxBackward(output: View, outputGradient: View, inputGradient: View, shape: MatrixShape) throws

    // MARK: Reductions

    /// Reduces `input` (a matrix of `shape`) over `axis` with `operation` into `output`, which holds
    /// `axis.outputCount(for: shape)` values and must not overlap the input.
    func reduce(
        _ operation: ReductionOperation, _ input: View, axis: ReductionAxis, output: View, shape: MatrixShape
    ) throws

    /// `output[r]` = the column index of the largest element of row r (an int32 buffer). Ties go
    /// to the first index; a NaN counts as larger than any number, as in PyTorch.
    func argmaxRows(_ input: View, output: View, shape: MatrixShape) throws

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

    /// `C = op(A) * op(B)`.
    public func matmul(_ a: View, _ b: View, _ c: View, shape: MatmulShape) throws {
        try matmul(a, b, c, shape: shape, alpha: 1, beta: 0)
    }
}
