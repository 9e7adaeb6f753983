import DescentCore
import DescentCPU
import DescentOpenCL
import DescentTestSupport
import Testing

/// Every matmul variant `MatmulAutotuner` may choose, on CPUs and on GPUs, against the CPU
/// reference: whichever the tuner picks on a device has been tested on this one. Matmul in all
/// four transpose combinations and the fused dense forward, over shapes that are not multiples
/// of any block or tile, with k past the register-blocked kernel's depth (`matmulBlockDepth`).
@Suite(.requiresOpenCL)
struct MatmulCandidateParityTests {
    static let shapes: [(m: Int, n: Int, k: Int)] =
        ParityShapes.reduced
        ? [(1, 1, 1), (33, 37, 130)] : [(1, 1, 1), (7, 33, 5), (65, 67, 129), (130, 17, 31)]

    /// The candidates of `kind` for narrow (4-float) and wide SIMD alike.
    static func candidates(_ kind: OpenCLDeviceKind) throws -> [OpenCLTuning] {
        let device = try OpenCLTestSupport.makeBackend().device
        var all: [OpenCLTuning] = []
        for width in [4, 16] {
            for candidate in MatmulAutotuner.candidates(
                kind: kind, maxWorkGroupSize: device.maxWorkGroupSize,
                localMemoryBytes: device.localMemoryBytes,
                nativeFloatVectorWidth: width) where !all.contains(candidate)
            {
                all.append(candidate)
            }
        }
        return all
    }

    @Test(arguments: [OpenCLDeviceKind.cpu, .gpu])
    func everyCandidateMatchesReference(kind: OpenCLDeviceKind) throws {
        let candidates = try Self.candidates(kind)
        #expect(!candidates.isEmpty, "\(kind): no candidates")
        let reference = CPUBackend()
        for tuning in candidates {
            let backend = try OpenCLBackend(device: .fromEnvironment, tuning: tuning)
            for size in Self.shapes {
                for (transposeA, transposeB) in [
                    (false, false), (true, false), (false, true), (true, true),
                ] {
                    let shape = MatmulShape(
                        m: size.m, n: size.n, k: size.k, transposeA: transposeA,
                        transposeB: transposeB)
                    expectClose(
                        try product(on: backend, shape: shape),
                        try product(on: reference, shape: shape), .matmul,
                        "matmul \(tuning) \(shape)")
                }
                let dense = DenseShape(batch: size.m, inputs: size.k, outputs: size.n)
                expectClose(
                    try denseForward(on: backend, shape: dense),
                    try denseForward(on: reference, shape: dense), .matmul,
                    "dense \(tuning) \(dense)")
            }
        }
    }

    func product<B: Backend>(on backend: B, shape: MatmulShape) throws -> [Float] {
        let a = try backend.paddedView(TestData.uniform(shape.aShape.count, seed: 1))
        let b = try backend.paddedView(TestData.uniform(shape.bShape.count, seed: 2))
        let c = try backend.paddedView([Float](repeating: .nan, count: shape.cShape.count))
        try backend.matmul(a, b, c, shape: shape, alpha: 1, beta: 0)
        return try backend.download(c)
    }

    func denseForward<B: Backend>(on backend: B, shape: DenseShape) throws -> [Float] {
        let input = try backend.paddedView(TestData.uniform(shape.batch * shape.inputs, seed: 4))
        let weights = try backend.paddedView(
            TestData.uniform(shape.inputs * shape.outputs, seed: 5))
        let bias = try backend.paddedView(TestData.uniform(shape.outputs, seed: 6))
        let output = try backend.paddedView(
            [Float](repeating: .nan, count: shape.batch * shape.outputs))
        try backend.denseForward(
            input: input, weights: weights, bias: bias, activation: .relu, preActivation: nil,
            output: output, shape: shape)
        return try backend.download(output)
    }
}
