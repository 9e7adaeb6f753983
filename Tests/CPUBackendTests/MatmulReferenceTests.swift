import DescentCore
import DescentCPU
import DescentTestSupport
import Testing

/// `CPUBackend.matmul` against products worked out by hand, in every transpose combination.
@Suite struct MatmulReferenceTests {
    let backend = CPUBackend()

    /// Runs `C = alpha op(A) op(B) + beta C` from the logical (untransposed) A (`m x k`) and
    /// B (`k x n`), storing each transposed when `shape` asks for it, and returns C.
    func product(
        _ a: [Float], _ b: [Float], shape: MatmulShape, alpha: Float = 1, beta: Float = 0,
        c: [Float]? = nil
    ) throws -> [Float] {
        let storedA = shape.transposeA ? transposed(a, rows: shape.m, columns: shape.k) : a
        let storedB = shape.transposeB ? transposed(b, rows: shape.k, columns: shape.n) : b
        let cView = try c.map { try backend.view($0) } ?? backend.poisoned(shape.m * shape.n)
        try backend.matmul(
            backend.view(storedA), backend.view(storedB), cView, shape: shape, alpha: alpha,
            beta: beta)
        return try backend.download(cView)
    }

    // [[1, 2, 3], [4, 5, 6]] * [[7, 8], [9, 10], [11, 12]] = [[58, 64], [139, 154]].
    @Test(arguments: [false, true], [false, true])
    func twoByThreeTimesThreeByTwo(transposeA: Bool, transposeB: Bool) throws {
        let shape = MatmulShape(m: 2, n: 2, k: 3, transposeA: transposeA, transposeB: transposeB)
        let c = try product([1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12], shape: shape)
        #expect(c == [58, 64, 139, 154])
    }

    // A non-square product (m = 2, n = 4, k = 3), so that a swapped index cannot go unnoticed:
    // [[1, 0, 2], [-1, 3, 1]] * [[3, 1, 0, 2], [2, 1, -1, 0], [1, 0, 4, 1]] = [[5, 1, 8, 4], [4, 2, 1, -1]].
    @Test(arguments: [false, true], [false, true])
    func twoByThreeTimesThreeByFour(transposeA: Bool, transposeB: Bool) throws {
        let shape = MatmulShape(m: 2, n: 4, k: 3, transposeA: transposeA, transposeB: transposeB)
        let c = try product(
            [1, 0, 2, -1, 3, 1], [3, 1, 0, 2, 2, 1, -1, 0, 1, 0, 4, 1], shape: shape)
        #expect(c == [5, 1, 8, 4, 4, 2, 1, -1])
    }

    @Test func transposedOperandsAreReadInTheirStoredLayout() throws {
        // dW = X^T dY for X = [[1, 2], [3, 4], [5, 6]] (3x2) and dY = [[1, 0], [0, 1], [1, 1]] (3x2):
        // X^T dY = [[1 + 5, 3 + 5], [2 + 6, 4 + 6]] = [[6, 8], [8, 10]].
        let x = try backend.view([1, 2, 3, 4, 5, 6])
        let dy = try backend.view([1, 0, 0, 1, 1, 1])
        let dw = try backend.poisoned(4)
        try backend.matmul(x, dy, dw, shape: MatmulShape(m: 2, n: 2, k: 3, transposeA: true))
        #expect(try backend.download(dw) == [6, 8, 8, 10])

        // dX = dY W^T for dY = [[1, 2]] (1x2) and a dense layer's W = [[1, 4], [2, 5], [3, 6]] stored
        // in x out (3x2, that is n x k): dY W^T = [1 + 8, 2 + 10, 3 + 12] = [9, 12, 15].
        let dx = try backend.poisoned(3)
        try backend.matmul(
            backend.view([1, 2]), backend.view([1, 4, 2, 5, 3, 6]), dx,
            shape: MatmulShape(m: 1, n: 3, k: 2, transposeB: true))
        #expect(try backend.download(dx) == [9, 12, 15])
    }

    @Test func betaZeroIgnoresNaNAndInfinityAlreadyInC() throws {
        let shape = MatmulShape(m: 2, n: 2, k: 3)
        let a: [Float] = [1, 2, 3, 4, 5, 6], b: [Float] = [7, 8, 9, 10, 11, 12]
        #expect(
            try product(a, b, shape: shape, beta: 0, c: [.nan, .nan, .nan, .nan]) == [
                58, 64, 139, 154,
            ])
        #expect(
            try product(a, b, shape: shape, beta: 0, c: [.infinity, -.infinity, .nan, 1]) == [
                58, 64, 139, 154,
            ])
        #expect(
            try product(a, b, shape: shape, alpha: 2, beta: 0, c: [.nan, .nan, .nan, .nan]) == [
                116, 128, 278, 308,
            ])
    }

    @Test func betaOneAccumulatesIntoC() throws {
        let shape = MatmulShape(m: 2, n: 2, k: 3)
        let a = try backend.view([1, 2, 3, 4, 5, 6]), b = try backend.view([7, 8, 9, 10, 11, 12])
        let c = try backend.view([1, 2, 3, 4])
        try backend.matmul(a, b, c, shape: shape, alpha: 1, beta: 1)
        #expect(try backend.download(c) == [59, 66, 142, 158])
        try backend.matmul(a, b, c, shape: shape, alpha: 1, beta: 1)
        #expect(try backend.download(c) == [117, 130, 281, 312])
    }

    @Test func alphaAndBetaScaleTheirTerms() throws {
        let shape = MatmulShape(m: 2, n: 2, k: 3)
        let a: [Float] = [1, 2, 3, 4, 5, 6], b: [Float] = [7, 8, 9, 10, 11, 12]
        // 0.5 * [[58, 64], [139, 154]] + 2 * [[1, 2], [3, 4]].
        #expect(
            try product(a, b, shape: shape, alpha: 0.5, beta: 2, c: [1, 2, 3, 4]) == [
                31, 36, 75.5, 85,
            ])
        #expect(try product(a, b, shape: shape, alpha: -1, beta: 0) == [-58, -64, -139, -154])
        // alpha = 0, beta = 1 leaves C as it was.
        #expect(
            try product(a, b, shape: shape, alpha: 0, beta: 1, c: [1, 2, 3, 4]) == [1, 2, 3, 4])
    }

    @Test(arguments: [false, true], [false, true])
    func oneByOneByOne(transposeA: Bool, transposeB: Bool) throws {
        let shape = MatmulShape(m: 1, n: 1, k: 1, transposeA: transposeA, transposeB: transposeB)
        #expect(try product([3], [-4], shape: shape) == [-12])
        #expect(try product([3], [-4], shape: shape, alpha: 0.5, beta: 1, c: [10]) == [4])
    }

    // K = 1 is an outer product: [1, 2, 3]^T [4, 5] = [[4, 5], [8, 10], [12, 15]].
    @Test(arguments: [false, true], [false, true])
    func innerDimensionOneIsAnOuterProduct(transposeA: Bool, transposeB: Bool) throws {
        let shape = MatmulShape(m: 3, n: 2, k: 1, transposeA: transposeA, transposeB: transposeB)
        #expect(try product([1, 2, 3], [4, 5], shape: shape) == [4, 5, 8, 10, 12, 15])
    }

    // M = 1: a row vector times a matrix, [1, 2] [[1, 2, 3], [4, 5, 6]] = [9, 12, 15].
    @Test(arguments: [false, true], [false, true])
    func singleRowOfC(transposeA: Bool, transposeB: Bool) throws {
        let shape = MatmulShape(m: 1, n: 3, k: 2, transposeA: transposeA, transposeB: transposeB)
        #expect(try product([1, 2], [1, 2, 3, 4, 5, 6], shape: shape) == [9, 12, 15])
    }

    // N = 1: a matrix times a column vector, [[1, 2], [3, 4], [5, 6]] [2, -1]^T = [0, 2, 4].
    @Test(arguments: [false, true], [false, true])
    func singleColumnOfC(transposeA: Bool, transposeB: Bool) throws {
        let shape = MatmulShape(m: 3, n: 1, k: 2, transposeA: transposeA, transposeB: transposeB)
        #expect(try product([1, 2, 3, 4, 5, 6], [2, -1], shape: shape) == [0, 2, 4])
    }

    @Test func operandsAtOffsetsInsideOneBufferLeaveTheRestAlone() throws {
        let buffer = try backend.sentinelBuffer(count: 40)
        let a = try backend.place([1, 2, 3, 4, 5, 6], in: buffer, at: 3)
        let b = try backend.place([7, 8, 9, 10, 11, 12], in: buffer, at: 13)
        let c = try backend.place([.nan, .nan, .nan, .nan], in: buffer, at: 29)
        try backend.matmul(a, b, c, shape: MatmulShape(m: 2, n: 2, k: 3))
        #expect(try backend.download(c) == [58, 64, 139, 154])
        let all = try backend.download(buffer.view)
        expectSentinelsIntact(all, outside: [a, b, c])
        #expect(Array(all[3..<9]) == [1, 2, 3, 4, 5, 6], "matmul must not write A")
        #expect(Array(all[13..<19]) == [7, 8, 9, 10, 11, 12], "matmul must not write B")
    }

    /// Larger random products against a triple loop in Double.
    @Test(arguments: [(7, 5, 9), (1, 33, 4), (17, 1, 3), (6, 6, 1), (13, 11, 64)], [false, true])
    func randomProductsMatchADoubleReference(
        dimensions: (Int, Int, Int), transposeBoth: Bool
    ) throws {
        let (m, n, k) = dimensions
        for (transposeA, transposeB) in [
            (transposeBoth, transposeBoth), (transposeBoth, !transposeBoth),
        ] {
            let a = TestData.uniform(m * k, seed: 11), b = TestData.uniform(k * n, seed: 12)
            let c0 = TestData.uniform(m * n, seed: 13)
            let shape = MatmulShape(
                m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
            let actual = try product(a, b, shape: shape, alpha: 0.75, beta: -0.5, c: c0)
            let reference = (0..<(m * n)).map { index -> Float in
                let (i, j) = index.quotientAndRemainder(dividingBy: n)
                let sum = (0..<k).reduce(0.0) { $0 + Double(a[i * k + $1]) * Double(b[$1 * n + j]) }
                return Float(0.75 * sum - 0.5 * Double(c0[index]))
            }
            expectClose(actual, reference, .matmul, "matmul \(shape)")
        }
    }
}
