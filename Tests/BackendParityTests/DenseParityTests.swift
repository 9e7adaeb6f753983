import DescentCore
import DescentCPU
import DescentOpenCL
import DescentTestSupport
import Testing

/// The fused dense forward pass (matmul + bias + activation) against the CPU's composition, for
/// every matmul strategy.
@Suite(.requiresOpenCL)
struct DenseParityTests {
    func dense<B: Backend>(
        on backend: B, shape: DenseShape, activation: Activation, withBias: Bool,
        savePreActivation: Bool
    ) throws -> [Float] {
        let x = try backend.paddedView(TestData.uniform(shape.batch * shape.inputs, seed: 130))
        let w = try backend.paddedView(
            TestData.uniform(shape.inputs * shape.outputs, seed: 131, in: -0.5...0.5))
        let b = withBias ? try backend.paddedView(TestData.uniform(shape.outputs, seed: 132)) : nil
        let count = shape.batch * shape.outputs
        let z = savePreActivation ? try backend.poisoned(count) : nil
        let y = try backend.poisoned(count)
        try backend.denseForward(
            input: x, weights: w, bias: b, activation: activation, preActivation: z, output: y,
            shape: shape)
        return try backend.download(y) + (z.map { try backend.download($0) } ?? [])
    }

    static var shapes: [DenseShape] {
        ParityShapes.matmul.map { DenseShape(batch: $0.m, inputs: $0.k, outputs: $0.n) }
    }

    @Test(arguments: shapes, [Activation.identity, .relu, .leakyReLU(slope: 0.1), .gelu, .sigmoid])
    func fusedForwardMatchesReference(shape: DenseShape, activation: Activation) throws {
        for strategy in OpenCLTuning.MatmulStrategy.allCases {
            try fusedForwardMatchesReference(
                shape: shape, activation: activation, strategy: strategy)
        }
    }

    func fusedForwardMatchesReference(
        shape: DenseShape, activation: Activation, strategy: OpenCLTuning.MatmulStrategy
    ) throws {
        for (withBias, savePreActivation) in [(true, true), (false, false), (true, false)] {
            let expected = try dense(
                on: CPUBackend(), shape: shape, activation: activation, withBias: withBias,
                savePreActivation: savePreActivation)
            let actual = try dense(
                on: try OpenCLTestSupport.makeBackend(matmulStrategy: strategy), shape: shape,
                activation: activation,
                withBias: withBias, savePreActivation: savePreActivation)
            expectClose(
                actual, expected, .matmul,
                "dense \(strategy) \(shape) \(activation) bias \(withBias) z \(savePreActivation)")
        }
    }

    /// A NaN in a sample's inputs makes its whole output row NaN through the fused ReLU, for every
    /// matmul strategy (a divergence is seen, not zeroed), and leaves the other rows alone.
    @Test func aNaNInputStaysNaNThroughTheFusedReLU() throws {
        let shape = DenseShape(batch: 5, inputs: 7, outputs: 9)
        for strategy in OpenCLTuning.MatmulStrategy.allCases {
            let backend = try OpenCLTestSupport.makeBackend(matmulStrategy: strategy)
            var inputs = TestData.uniform(shape.batch * shape.inputs, seed: 133)
            inputs[2 * shape.inputs + 3] = .nan
            let y = try backend.poisoned(shape.batch * shape.outputs)
            try backend.denseForward(
                input: try backend.paddedView(inputs),
                weights: try backend.paddedView(
                    TestData.uniform(shape.inputs * shape.outputs, seed: 134)),
                bias: nil, activation: .relu, preActivation: nil, output: y, shape: shape)
            let rows = try backend.download(y).chunked(shape.outputs)
            let poisoned = rows[2].allSatisfy { $0.isNaN }
            #expect(poisoned, "\(strategy): \(rows[2])")
            #expect(
                rows.enumerated().filter { $0.offset != 2 }.allSatisfy {
                    $0.element.allSatisfy(\.isFinite)
                }, "\(strategy)")
        }
    }
}

extension Array {
    /// Consecutive slices of `size` elements.
    fileprivate func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
