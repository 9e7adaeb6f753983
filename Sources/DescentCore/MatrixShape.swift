/// The shape of a row-major matrix: `rows` x `columns`, element (r, c) at index `r * columns + c`.
///
/// A batch of feature vectors is a matrix with one sample per row.
public struct MatrixShape: Sendable, Equatable, CustomStringConvertible {
    public var rows: Int
    public var columns: Int

    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
    }

    /// `rows * columns`.
    public var count: Int { rows * columns }

    public var description: String { "[\(rows), \(columns)]" }
}

/// The shape of a dense layer's forward pass: `batch` samples of `inputs` features to `outputs`.
public struct DenseShape: Sendable, Equatable, CustomStringConvertible {
    public var batch: Int
    public var inputs: Int
    public var outputs: Int

    public init(batch: Int, inputs: Int, outputs: Int) {
        self.batch = batch
        self.inputs = inputs
        self.outputs = outputs
    }

    /// The product `x W`.
    public var matmul: MatmulShape { MatmulShape(m: batch, n: outputs, k: inputs) }
    /// The shape of the output, `batch x outputs`.
    public var outputShape: MatrixShape { MatrixShape(rows: batch, columns: outputs) }

    public var description: String { "[\(batch), \(inputs)] -> [\(batch), \(outputs)]" }
}

/// The shape of `C = alpha * op(A) * op(B) + beta * C`, all row-major and densely packed.
///
/// `op(A)` is `m x k` and `op(B)` is `k x n`; C is `m x n`. With `transposeA`, A is stored as
/// `k x m` (its transpose is used), and with `transposeB`, B is stored as `n x k`. This is how a
/// dense layer's backward pass is written without copies: `dW = X^T * dY` is
/// `MatmulShape(m: in, n: out, k: batch, transposeA: true)` and `dX = dY * W^T` is
/// `MatmulShape(m: batch, n: in, k: out, transposeB: true)`.
public struct MatmulShape: Sendable, Equatable, CustomStringConvertible {
    public var m: Int
    public var n: Int
    public var k: Int
    public var transposeA: Bool
    public var transposeB: Bool

    public init(m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false) {
        self.m = m
        self.n = n
        self.k = k
        self.transposeA = transposeA
        self.transposeB = transposeB
    }

    /// The stored shape of A: `m x k`, or `k x m` when transposed.
    public var aShape: MatrixShape {
        transposeA ? MatrixShape(rows: k, columns: m) : MatrixShape(rows: m, columns: k)
    }

    /// The stored shape of B: `k x n`, or `n x k` when transposed.
    public var bShape: MatrixShape {
        transposeB ? MatrixShape(rows: n, columns: k) : MatrixShape(rows: k, columns: n)
    }

    /// The shape of C: `m x n`.
    public var cShape: MatrixShape { MatrixShape(rows: m, columns: n) }

    /// Floating-point operations of one product (`2 m n k`).
    public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }

    public var description: String {
        "M=\(m) N=\(n) K=\(k)\(transposeA ? " A^T" : "")\(transposeB ? " B^T" : "")"
    }
}
