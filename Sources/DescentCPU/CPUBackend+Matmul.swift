import DescentCore

extension CPUBackend {
    /// The textbook triple loop: `C[i, j] = alpha * sum_p opA[i, p] * opB[p, j] + beta * C[i, j]`,
    /// accumulated in float32 in order of increasing `p`.
    public func matmul(
        _ a: View, _ b: View, _ c: View, shape: MatmulShape, alpha: Float, beta: Float
    ) throws {
        try Validation.matmul(a, b, c, shape: shape)
        let aValues = a.floats, bValues = b.floats, cValues = c.floats
        let (m, n, k) = (shape.m, shape.n, shape.k)
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    let aElement = shape.transposeA ? aValues[p * m + i] : aValues[i * k + p]
                    let bElement = shape.transposeB ? bValues[j * k + p] : bValues[p * n + j]
                    sum += aElement * bElement
                }
                // With beta == 0, C is not read: it may hold garbage or NaN (BLAS semantics).
                cValues[i * n + j] =
                    beta == 0 ? alpha * sum : alpha * sum + beta * cValues[i * n + j]
            }
        }
    }
}
