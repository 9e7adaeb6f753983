import Descent
import DescentTestSupport
import Testing

/// The README's example, verbatim in spirit: one generic function, both backends, same result.
@Suite(.requiresOpenCL)
struct ReadmeExampleTests {
    func dense<B: Backend>(on backend: B) throws -> [Float] {
        // A batch of 2 samples with 3 features, times a 3x4 weight matrix, plus a bias, then ReLU.
        let x = try backend.makeBuffer([Float]([1, 2, 3, 4, 5, 6]))
        let w = try backend.makeBuffer(count: 12)
        try backend.randomFill(w.view, distribution: .normal(mean: 0, standardDeviation: 0.5), key: RandomKey(seed: 42))
        let b = try backend.makeBuffer([Float]([0.1, 0.2, 0.3, 0.4]))
        let y = try backend.makeBuffer(count: 8)
        try backend.matmul(x.view, w.view, y.view, shape: MatmulShape(m: 2, n: 4, k: 3))
        try backend.addBias(y.view, bias: b.view, output: y.view, shape: MatrixShape(rows: 2, columns: 4))
        try backend.activationForward(.relu, input: y.view, output: y.view)
        return try backend.download(y.view)
    }

    @Test func bothBackendsComputeTheSameLayer() throws {
        let onCPU = try dense(on: CPUBackend())
        let onOpenCL = try dense(on: OpenCLTestSupport.makeBackend())
        #expect(onCPU.count == 8)
        #expect(onCPU.contains { $0 > 0 }, "some units are active")
        #expect(onCPU.allSatisfy { $0 >= 0 }, "ReLU output")
        expectClose(onOpenCL, onCPU, .matmul, "README example")
    }
}
