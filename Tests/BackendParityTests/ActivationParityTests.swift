import DescentCore
import DescentCPU
import DescentOpenCL
import DescentTestSupport
import Testing

/// Every activation, forward and backward, against the CPU reference, on inputs that span the
/// saturated tails, the kink at 0 and softplus's threshold.
@Suite(.requiresOpenCL)
struct ActivationParityTests {
    static let activations: [Activation] =
        Activation.allWithDefaults + [.leakyReLU(slope: 0.2), .elu(alpha: 0.5)]

    /// Inputs on [-12, 12] plus the special points 0, ±20 (softplus's threshold), ±40, ±infinity
    /// and NaN.
    static func inputs(_ count: Int) -> [Float] {
        let special: [Float] = [
            0, -0.0, 20, 20.5, -20, 40, -40, 1e-4, -1e-4, .infinity, -.infinity, .nan,
        ]
        return Array((special + TestData.uniform(count, seed: 30, in: -12...12)).prefix(count))
    }

    func run<B: Backend>(on backend: B, _ activation: Activation, count: Int) throws -> [Float] {
        let x = try backend.paddedView(Self.inputs(count))
        let y = try backend.poisoned(count)
        try backend.activationForward(activation, input: x, output: y)
        let dy = try backend.paddedView(TestData.uniform(count, seed: 31))
        let dx = try backend.poisoned(count)
        try backend.activationBackward(
            activation, input: x, output: y, outputGradient: dy, inputGradient: dx)
        // In place: the gradient overwrites the output gradient.
        try backend.activationBackward(
            activation, input: x, output: y, outputGradient: dy, inputGradient: dy)
        return try backend.download(y) + backend.download(dx) + backend.download(dy)
    }

    @Test(arguments: activations, ParityShapes.counts)
    func forwardAndBackwardMatchReference(activation: Activation, count: Int) throws {
        let expected = try run(on: CPUBackend(), activation, count: count)
        let actual = try run(on: try OpenCLTestSupport.makeBackend(), activation, count: count)
        expectClose(
            Array(actual[0..<count]), Array(expected[0..<count]), .elementwise,
            "\(activation) forward, \(count)")
        expectClose(
            Array(actual[count...]), Array(expected[count...]), .elementwise,
            "\(activation) backward, \(count)")
    }

    func inPlaceForward<B: Backend>(on backend: B, _ activation: Activation) throws -> [Float] {
        let x = try backend.paddedView(Self.inputs(257))
        try backend.activationForward(activation, input: x, output: x)
        return try backend.download(x)
    }

    @Test(arguments: activations)
    func inPlaceForwardMatchesReference(activation: Activation) throws {
        let expected = try inPlaceForward(on: CPUBackend(), activation)
        let actual = try inPlaceForward(on: try OpenCLTestSupport.makeBackend(), activation)
        expectClose(actual, expected, .elementwise, "\(activation) in place")
    }
}
