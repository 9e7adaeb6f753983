import DescentCore
import DescentCPU
import DescentOpenCL
import DescentTestSupport
import Testing

/// Max and average pooling, forward and backward, against the CPU reference, including ties
/// (inputs drawn from a few values) and NaN inputs for max pooling.
@Suite(.requiresOpenCL)
struct PoolingParityTests {
    func pooling<B: Backend>(
        on backend: B, _ pooling: Pooling, _ shape: PoolingShape, input values: [Float]
    ) throws -> [Float] {
        let x = try backend.paddedView(values)
        let dy = try backend.paddedView(TestData.uniform(shape.outputCount, seed: 95))
        let y = try backend.poisoned(shape.outputCount)
        try backend.poolingForward(pooling, input: x, output: y, shape: shape)
        let dx = try backend.poisoned(shape.inputCount)
        try backend.poolingBackward(
            pooling, input: x, outputGradient: dy, inputGradient: dx, shape: shape)
        return try backend.download(y) + backend.download(dx)
    }

    /// Uniform inputs, inputs with many ties, and inputs with NaNs.
    static func inputs(_ count: Int) -> [(String, [Float])] {
        let uniform = TestData.uniform(count, seed: 94, in: -3...3)
        return [
            ("uniform", uniform),
            ("ties", uniform.map { ($0 * 2).rounded() / 2 }),
            ("NaN", uniform.enumerated().map { $0 % 5 == 2 ? .nan : $1 }),
        ]
    }

    @Test(arguments: ParityShapes.poolings)
    func poolingMatchesReference(shape: PoolingShape) throws {
        let opencl = try OpenCLTestSupport.makeBackend()
        for kind in Pooling.allCases {
            for (name, values) in Self.inputs(shape.inputCount) {
                let expected = try pooling(on: CPUBackend(), kind, shape, input: values)
                let actual = try pooling(on: opencl, kind, shape, input: values)
                expectClose(
                    actual, expected, .reduction, "\(kind) pooling \(shape), \(name) inputs")
            }
        }
    }
}
