import DescentCore
import DescentCPU
import DescentOpenCL
import DescentTestSupport
import Testing

/// Row-wise softmax forward and backward against the CPU, including rows of huge logits that
/// would overflow without subtracting the row maximum.
@Suite(.requiresOpenCL)
struct SoftmaxParityTests {
    func run<B: Backend>(
        on backend: B, shape: MatrixShape, logitScale: Float, inPlace: Bool
    ) throws -> [Float] {
        let logits = TestData.uniform(shape.count, seed: 40).map { $0 * logitScale }
        let x = try backend.paddedView(logits)
        let y = inPlace ? x : try backend.poisoned(shape.count)
        try backend.softmaxForward(input: x, output: y, shape: shape)
        let dy = try backend.paddedView(TestData.uniform(shape.count, seed: 41))
        let dx = inPlace ? dy : try backend.poisoned(shape.count)
        try backend.softmaxBackward(output: y, outputGradient: dy, inputGradient: dx, shape: shape)
        return try backend.download(y) + backend.download(dx)
    }

    @Test(arguments: ParityShapes.matrices, [Float(3), 1000])
    func forwardAndBackwardMatchReference(shape: MatrixShape, logitScale: Float) throws {
        for inPlace in [false, true] {
            let expected = try run(
                on: CPUBackend(), shape: shape, logitScale: logitScale, inPlace: inPlace)
            let actual = try run(
                on: try OpenCLTestSupport.makeBackend(), shape: shape, logitScale: logitScale,
                inPlace: inPlace)
            #expect(
                actual.allSatisfy { $0.isFinite },
                "softmax of logits up to \(logitScale) must stay finite")
            expectClose(
                Array(actual[0..<shape.count]), Array(expected[0..<shape.count]), .reduction,
                "softmax forward \(shape) scale \(logitScale) inPlace \(inPlace)")
            expectClose(
                Array(actual[shape.count...]), Array(expected[shape.count...]), .reduction,
                "softmax backward \(shape) scale \(logitScale) inPlace \(inPlace)")
        }
    }
}
