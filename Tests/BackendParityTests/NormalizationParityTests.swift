import DescentCore
import DescentCPU
import DescentOpenCL
import DescentTestSupport
import Testing

/// Batch norm (training, inference, backward, the input gradient from given sums) and layer norm
/// (forward, backward) against the CPU.
@Suite(.requiresOpenCL)
struct NormalizationParityTests {
    /// Runs a training step of batch norm, an inference pass and the backward pass; returns every
    /// output the ops write, concatenated.
    func batchNorm<B: Backend>(
        on backend: B, shape: ChannelShape, hyperparameters: BatchNormHyperparameters,
        inPlace: Bool, mean: Float
    ) throws -> [Float] {
        let c = shape.channels
        let x = try backend.paddedView(
            TestData.uniform(shape.count, seed: 70, in: -2...2).map { $0 + mean })
        let parameters = AffineParameters(
            gamma: try backend.paddedView(TestData.uniform(c, seed: 71, in: 0.5...1.5)),
            beta: try backend.paddedView(TestData.uniform(c, seed: 72)))
        let saved = NormalizationStatistics(
            mean: try backend.poisoned(c), inverseStandardDeviation: try backend.poisoned(c))
        let running = RunningStatistics(
            mean: try backend.paddedView(TestData.uniform(c, seed: 73)),
            variance: try backend.paddedView(TestData.uniform(c, seed: 74, in: 0.5...2)))
        let y =
            inPlace
            ? try backend.paddedView(try backend.download(x)) : try backend.poisoned(shape.count)
        let input = inPlace ? y : x
        try backend.batchNormForward(
            input: input, parameters: parameters, output: y, saved: saved, running: running,
            shape: shape,
            hyperparameters: hyperparameters)
        let inference = try backend.poisoned(shape.count)
        try backend.batchNormInference(
            input: x, parameters: parameters, running: running, output: inference, shape: shape,
            epsilon: hyperparameters.epsilon)
        let dy = try backend.paddedView(TestData.uniform(shape.count, seed: 75))
        let dx = inPlace ? dy : try backend.poisoned(shape.count)
        let gradients = AffineParameters(
            gamma: try backend.poisoned(c), beta: try backend.poisoned(c))
        try backend.batchNormBackward(
            input: x, outputGradient: dy, gamma: parameters.gamma, saved: saved, inputGradient: dx,
            parameterGradients: gradients, shape: shape)
        // The input gradient from sums made elsewhere (synchronized batch norm's, over ranks).
        let sums = AffineParameters(
            gamma: try backend.paddedView(TestData.uniform(c, seed: 76, in: -3...3)),
            beta: try backend.paddedView(TestData.uniform(c, seed: 77, in: -3...3)))
        let dxFromSums = try backend.poisoned(shape.count)
        try backend.batchNormInputGradient(
            input: x,
            outputGradient: try backend.paddedView(TestData.uniform(shape.count, seed: 75)),
            gamma: parameters.gamma, saved: saved, sums: sums, inputGradient: dxFromSums,
            shape: shape)
        return try [
            y, saved.mean, saved.inverseStandardDeviation, running.mean, running.variance,
            inference, dx,
            gradients.gamma, gradients.beta, dxFromSums,
        ].flatMap { try backend.download($0) }
    }

    @Test(arguments: ParityShapes.batches.filter { $0.rows > 1 })
    func batchNormMatchesReference(shape: MatrixShape) throws {
        for (hyperparameters, inPlace, mean) in [
            (BatchNormHyperparameters.pytorch, false, Float(0)), (.keras, true, 0),
            (.pytorch, false, 1e4),
        ] {
            let expected = try batchNorm(
                on: CPUBackend(), shape: ChannelShape(shape), hyperparameters: hyperparameters,
                inPlace: inPlace, mean: mean)
            let actual = try batchNorm(
                on: try OpenCLTestSupport.makeBackend(), shape: ChannelShape(shape),
                hyperparameters: hyperparameters,
                inPlace: inPlace, mean: mean)
            expectClose(
                actual, expected, .reduction,
                "batch norm \(shape) \(hyperparameters.convention) inPlace \(inPlace) mean \(mean)")
        }
    }

    /// Batch norm over the channels of NCHW images (`BatchNorm2d`).
    @Test(arguments: ParityShapes.channelBatches)
    func channelBatchNormMatchesReference(shape: ChannelShape) throws {
        for (hyperparameters, inPlace) in [
            (BatchNormHyperparameters.pytorch, false), (.keras, true),
        ] {
            let expected = try batchNorm(
                on: CPUBackend(), shape: shape, hyperparameters: hyperparameters, inPlace: inPlace,
                mean: 0)
            let actual = try batchNorm(
                on: try OpenCLTestSupport.makeBackend(), shape: shape,
                hyperparameters: hyperparameters, inPlace: inPlace, mean: 0)
            expectClose(actual, expected, .reduction, "batch norm \(shape) inPlace \(inPlace)")
        }
    }

    func layerNorm<B: Backend>(on backend: B, shape: MatrixShape, inPlace: Bool) throws -> [Float] {
        let c = shape.columns
        let x = try backend.paddedView(TestData.uniform(shape.count, seed: 80, in: -3...3))
        let parameters = AffineParameters(
            gamma: try backend.paddedView(TestData.uniform(c, seed: 81, in: 0.5...1.5)),
            beta: try backend.paddedView(TestData.uniform(c, seed: 82)))
        let saved = NormalizationStatistics(
            mean: try backend.poisoned(shape.rows),
            inverseStandardDeviation: try backend.poisoned(shape.rows))
        let y =
            inPlace
            ? try backend.paddedView(try backend.download(x)) : try backend.poisoned(shape.count)
        try backend.layerNormForward(
            input: inPlace ? y : x, parameters: parameters, output: y, saved: saved, shape: shape,
            epsilon: 1e-5)
        let dy = try backend.paddedView(TestData.uniform(shape.count, seed: 83))
        let dx = inPlace ? dy : try backend.poisoned(shape.count)
        let gradients = AffineParameters(
            gamma: try backend.poisoned(c), beta: try backend.poisoned(c))
        try backend.layerNormBackward(
            input: x, outputGradient: dy, gamma: parameters.gamma, saved: saved, inputGradient: dx,
            parameterGradients: gradients, shape: shape)
        return try [
            y, saved.mean, saved.inverseStandardDeviation, dx, gradients.gamma, gradients.beta,
        ]
        .flatMap { try backend.download($0) }
    }

    @Test(arguments: ParityShapes.batches)
    func layerNormMatchesReference(shape: MatrixShape) throws {
        for inPlace in [false, true] {
            let expected = try layerNorm(on: CPUBackend(), shape: shape, inPlace: inPlace)
            let actual = try layerNorm(
                on: try OpenCLTestSupport.makeBackend(), shape: shape, inPlace: inPlace)
            expectClose(actual, expected, .reduction, "layer norm \(shape) inPlace \(inPlace)")
        }
    }

    @Test func batchOfOneIsRejectedAlike() throws {
        func attempt<B: Backend>(_ backend: B) throws -> String {
            let one = try backend.makeBuffer(count: 3).view
            let stats = NormalizationStatistics(
                mean: one, inverseStandardDeviation: try backend.makeBuffer(count: 3).view)
            do {
                try backend.batchNormForward(
                    input: try backend.makeBuffer(count: 3).view,
                    parameters: AffineParameters(
                        gamma: try backend.makeBuffer(count: 3).view,
                        beta: try backend.makeBuffer(count: 3).view),
                    output: try backend.makeBuffer(count: 3).view, saved: stats,
                    running: RunningStatistics(
                        mean: try backend.makeBuffer(count: 3).view,
                        variance: try backend.makeBuffer(count: 3).view),
                    shape: MatrixShape(rows: 1, columns: 3), hyperparameters: .pytorch)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        let expected = try attempt(CPUBackend())
        #expect(expected.contains("batch of 1"))
        #expect(try attempt(try OpenCLTestSupport.makeBackend()) == expected)
    }
}
