import DescentCore
import DescentCPU
import DescentOpenCL
import DescentTestSupport
import Testing

/// `addBias` (forward) and `biasGradient` (its backward, the column sum) against the CPU.
@Suite(.requiresOpenCL)
struct BiasParityTests {
    func addBias<B: Backend>(on backend: B, shape: MatrixShape, inPlace: Bool) throws -> [Float] {
        let input = try backend.paddedView(TestData.uniform(shape.count, seed: 10))
        let bias = try backend.paddedView(TestData.uniform(shape.columns, seed: 11))
        let output = inPlace ? input : try backend.poisoned(shape.count)
        try backend.addBias(input, bias: bias, output: output, shape: shape)
        return try backend.download(output)
    }

    func biasGradient<B: Backend>(on backend: B, shape: MatrixShape) throws -> [Float] {
        let outputGradient = try backend.paddedView(TestData.uniform(shape.count, seed: 12))
        let gradient = try backend.paddedView([Float](repeating: .nan, count: shape.columns))
        try backend.biasGradient(outputGradient, biasGradient: gradient, shape: shape)
        return try backend.download(gradient)
    }

    @Test(arguments: ParityShapes.matrices, [false, true])
    func forwardMatchesReference(shape: MatrixShape, inPlace: Bool) throws {
        let expected = try addBias(on: CPUBackend(), shape: shape, inPlace: inPlace)
        let actual = try addBias(
            on: try OpenCLTestSupport.makeBackend(), shape: shape, inPlace: inPlace)
        expectClose(actual, expected, .elementwise, "addBias \(shape) inPlace \(inPlace)")
    }

    @Test(arguments: ParityShapes.matrices)
    func backwardMatchesReference(shape: MatrixShape) throws {
        let expected = try biasGradient(on: CPUBackend(), shape: shape)
        let actual = try biasGradient(on: try OpenCLTestSupport.makeBackend(), shape: shape)
        expectClose(actual, expected, .reduction, "biasGradient \(shape)")
    }
}
