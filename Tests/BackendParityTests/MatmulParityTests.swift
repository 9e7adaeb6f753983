import DescentCore
import DescentCPU
import DescentOpenCL
import DescentTestSupport
import Testing

/// `matmul` on OpenCL against the CPU reference, over 1, primes and partial tiles, in all four
/// transpose combinations, with and without accumulation into C, for every matmul strategy.
@Suite(.requiresOpenCL)
struct MatmulParityTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let shape: MatmulShape
        let strategy: OpenCLTuning.MatmulStrategy
        var testDescription: String { "\(shape) \(strategy)" }
    }

    static var cases: [Case] {
        OpenCLTuning.MatmulStrategy.allCases.flatMap { strategy in
            ParityShapes.matmul.flatMap { size in
                [(false, false), (true, false), (false, true), (true, true)].map {
                    Case(
                        shape: MatmulShape(
                            m: size.m, n: size.n, k: size.k, transposeA: $0.0, transposeB: $0.1),
                        strategy: strategy)
                }
            }
        }
    }

    func product<B: Backend>(
        on backend: B, shape: MatmulShape, alpha: Float, beta: Float, initialC: [Float]
    ) throws -> [Float] {
        let a = try backend.paddedView(TestData.uniform(shape.aShape.count, seed: 1))
        let b = try backend.paddedView(TestData.uniform(shape.bShape.count, seed: 2))
        let c = try backend.paddedView(initialC)
        try backend.matmul(a, b, c, shape: shape, alpha: alpha, beta: beta)
        return try backend.download(c)
    }

    @Test(arguments: cases)
    func productMatchesReference(_ testCase: Case) throws {
        let shape = testCase.shape
        // C starts as NaN: with beta = 0 it must not be read.
        let initial = [Float](repeating: .nan, count: shape.cShape.count)
        let expected = try product(
            on: CPUBackend(), shape: shape, alpha: 1, beta: 0, initialC: initial)
        let actual = try product(
            on: try OpenCLTestSupport.makeBackend(matmulStrategy: testCase.strategy), shape: shape,
            alpha: 1, beta: 0,
            initialC: initial)
        expectClose(actual, expected, .matmul, "matmul \(testCase.strategy) \(shape)")
    }

    @Test(arguments: cases.filter { $0.shape.m * $0.shape.n < 5000 })
    func scaledProductAccumulatesIntoC(_ testCase: Case) throws {
        let shape = testCase.shape
        let initial = TestData.uniform(shape.cShape.count, seed: 3)
        let expected = try product(
            on: CPUBackend(), shape: shape, alpha: -0.5, beta: 1.5, initialC: initial)
        let actual = try product(
            on: try OpenCLTestSupport.makeBackend(matmulStrategy: testCase.strategy), shape: shape,
            alpha: -0.5,
            beta: 1.5, initialC: initial)
        expectClose(
            actual, expected, .matmul, "matmul \(testCase.strategy) alpha -0.5 beta 1.5 \(shape)")
    }
}
