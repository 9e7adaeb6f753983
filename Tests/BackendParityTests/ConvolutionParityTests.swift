import DescentCore
import DescentCPU
import DescentOpenCL
import DescentTestSupport
import Testing

/// Convolution forward, input gradient and weight gradient against the CPU reference over the
/// awkward shapes of `ParityShapes.convolutions`, with operands at non-zero offsets, outputs
/// poisoned with NaN and a workspace that starts as NaN.
@Suite(.requiresOpenCL)
struct ConvolutionParityTests {
    /// Every output of the three ops, concatenated: the forward pass with and without a bias,
    /// the input gradient, and the weight and bias gradients.
    func convolution<B: Backend>(on backend: B, _ shape: ConvolutionShape) throws -> [Float] {
        let x = try backend.paddedView(TestData.uniform(shape.inputCount, seed: 90, in: -2...2))
        let w = try backend.paddedView(TestData.uniform(shape.weightCount, seed: 91))
        let b = try backend.paddedView(TestData.uniform(shape.outputChannels, seed: 92))
        let dy = try backend.paddedView(TestData.uniform(shape.outputCount, seed: 93))
        let workspace = try backend.poisoned(shape.workspaceCount)
        let withBias = try backend.poisoned(shape.outputCount)
        try backend.convolutionForward(
            input: x, weights: w, bias: b, output: withBias, workspace: workspace, shape: shape)
        let withoutBias = try backend.poisoned(shape.outputCount)
        try backend.convolutionForward(
            input: x, weights: w, bias: nil, output: withoutBias, workspace: workspace,
            shape: shape)
        let dx = try backend.poisoned(shape.inputCount)
        try backend.convolutionInputGradient(
            outputGradient: dy, weights: w, inputGradient: dx, workspace: workspace, shape: shape)
        let dw = try backend.poisoned(shape.weightCount)
        let db = try backend.poisoned(shape.outputChannels)
        try backend.convolutionWeightGradient(
            input: x, outputGradient: dy, weightGradient: dw, biasGradient: db,
            workspace: workspace, shape: shape)
        return try [withBias, withoutBias, dx, dw, db].flatMap { try backend.download($0) }
    }

    @Test(arguments: ParityShapes.convolutions)
    func convolutionMatchesReference(shape: ConvolutionShape) throws {
        let expected = try convolution(on: CPUBackend(), shape)
        let actual = try convolution(on: try OpenCLTestSupport.makeBackend(), shape)
        expectClose(actual, expected, .matmul, "convolution \(shape)")
    }

    /// The input gradient is a gather with no atomics: two runs give the same bits.
    @Test func inputGradientIsDeterministic() throws {
        let backend = try OpenCLTestSupport.makeBackend()
        let shape = ConvolutionShape(
            batch: 3, inputChannels: 5, inputHeight: 9, inputWidth: 8, outputChannels: 7,
            kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1)
        let first = try convolution(on: backend, shape),
            second = try convolution(on: backend, shape)
        #expect(first == second)
    }
}
