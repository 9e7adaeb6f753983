import DescentCore
import DescentCPU
import DescentOpenCL
import DescentTestSupport
import Testing

/// add, subtract, multiply, scale and axpy against the CPU, out of place and in place. Their
/// backward passes are these same ops (the gradient of a + b is the output gradient; of a * b it
/// is a product), so forward parity covers them.
@Suite(.requiresOpenCL)
struct ElementwiseParityTests {
    func binary<B: Backend>(
        on backend: B, _ operation: ElementwiseOperation, count: Int, inPlace: Bool
    ) throws -> [Float] {
        let a = try backend.paddedView(TestData.uniform(count, seed: 20))
        let b = try backend.paddedView(TestData.uniform(count, seed: 21))
        let output = inPlace ? a : try backend.poisoned(count)
        try backend.elementwise(operation, a, b, output: output)
        return try backend.download(output)
    }

    @Test(arguments: ElementwiseOperation.allCases, ParityShapes.counts)
    func binaryMatchesReference(operation: ElementwiseOperation, count: Int) throws {
        for inPlace in [false, true] {
            let expected = try binary(on: CPUBackend(), operation, count: count, inPlace: inPlace)
            let actual = try binary(
                on: try OpenCLTestSupport.makeBackend(), operation, count: count, inPlace: inPlace)
            expectClose(
                actual, expected, .elementwise, "\(operation) of \(count) inPlace \(inPlace)")
        }
    }

    func scaleAndAxpy<B: Backend>(on backend: B, count: Int) throws -> [Float] {
        let x = try backend.paddedView(TestData.uniform(count, seed: 22))
        let y = try backend.paddedView(TestData.uniform(count, seed: 23))
        let scaled = try backend.poisoned(count)
        try backend.scale(x, by: -2.5, output: scaled)
        try backend.scale(y, by: 0.75, output: y)
        try backend.axpy(alpha: 0.3, x: scaled, y: y)
        return try backend.download(scaled) + backend.download(y)
    }

    @Test(arguments: ParityShapes.counts)
    func scaleAndAxpyMatchReference(count: Int) throws {
        let expected = try scaleAndAxpy(on: CPUBackend(), count: count)
        let actual = try scaleAndAxpy(on: try OpenCLTestSupport.makeBackend(), count: count)
        expectClose(actual, expected, .elementwise, "scale and axpy of \(count)")
    }
}
