@_spi(Benchmarking) import DescentOpenCL
import Descent

/// The fused kernels of a training step, each validated against the CPU reference before it is
/// timed: dense forward (matmul + bias + ReLU), softmax cross-entropy forward + backward, batch
/// norm forward + backward, and one optimizer step over a 10M-parameter arena.
enum KernelBench {
    static func run(_ context: BenchContext) throws {
        for batch in [128, 1024] {
            if context.selected("dense_forward", "opencl", "batch=\(batch)") {
                try denseForward(context, batch: batch)
            }
            if context.selected("softmax_cross_entropy", "opencl", "batch=\(batch)") {
                try crossEntropy(context, batch: batch)
            }
            if context.selected("batch_norm", "opencl", "batch=\(batch)") {
                try batchNorm(context, batch: batch)
            }
        }
        for (name, optimizer) in [
            ("sgd_momentum_step", SGD(learningRate: 0.01, momentum: 0.9) as any Optimizer),
            ("adam_step", Adam(learningRate: 1e-3)),
        ] where context.selected(name, "opencl") {
            try optimizerStep(context, name: name, optimizer: optimizer)
        }
    }

    /// Runs `body` on both backends with the same inputs and compares `output` of each.
    private static func validate(
        _ what: String, _ context: BenchContext, _ body: (any Backend) throws -> [Float]
    ) throws {
        let device = try body(context.openCL), reference = try body(context.cpu)
        let error = worstError(device, reference)
        guard error <= 1 else { throw ValidationFailure(what: what, error: error) }
    }

    private static func denseForward(_ context: BenchContext, batch: Int) throws {
        let shape = DenseShape(batch: batch, inputs: 784, outputs: 512)
        let x = benchValues(batch * 784, seed: 3),
            w = benchValues(784 * 512, seed: 4).map { $0 * 0.05 }, b = benchValues(512, seed: 5)
        func make<B: Backend>(
            _ backend: B
        ) throws -> (B.Buffer, B.Buffer, B.Buffer, B.Buffer, B.Buffer) {
            (
                try backend.makeBuffer(x), try backend.makeBuffer(w), try backend.makeBuffer(b),
                try backend.makeBuffer(count: batch * 512),
                try backend.makeBuffer(count: batch * 512)
            )
        }
        func forward<B: Backend>(
            _ backend: B, _ buffers: (B.Buffer, B.Buffer, B.Buffer, B.Buffer, B.Buffer)
        ) throws {
            try backend.denseForward(
                input: buffers.0.view, weights: buffers.1.view, bias: buffers.2.view,
                activation: .relu,
                preActivation: buffers.3.view, output: buffers.4.view, shape: shape)
        }
        try validate("dense forward batch \(batch)", context) { backend in
            func run<B: Backend>(_ backend: B) throws -> [Float] {
                let buffers = try make(backend)
                try forward(backend, buffers)
                return try backend.download(buffers.4.view)
            }
            return try run(backend)
        }
        let buffers = try make(context.openCL)
        let timing = try context.timeOpenCL { try forward(context.openCL, buffers) }
        try context.record(
            BenchResult(
                name: "dense_forward", backend: "opencl", device: context.device,
                shape: "batch=\(batch) 784->512 relu", timing: timing,
                rate: .gflops(shape.matmul.flops / (timing.median * 1e-3) / 1e9),
                peak: context.peakGigaflops,
                note: "matmul + bias + ReLU fused"))
    }

    private static func crossEntropy(_ context: BenchContext, batch: Int) throws {
        let classes = 10, shape = MatrixShape(rows: batch, columns: classes)
        let logits = benchValues(batch * classes, seed: 6).map { $0 * 4 }
        let labels = (0..<batch).map { Int32($0 % classes) }
        func run<B: Backend>(_ backend: B, time: Bool) throws -> ([Float], Timing?) {
            let z = try backend.makeBuffer(logits), y = try backend.makeBuffer(labels)
            let loss = try backend.makeBuffer(count: 1),
                gradient = try backend.makeBuffer(count: batch * classes)
            let step = {
                try backend.softmaxCrossEntropy(
                    logits: z.view, labels: y.view, shape: shape, options: CrossEntropyOptions(),
                    sampleWeights: nil,
                    outputs: LossOutputs(loss: loss.view, inputGradient: gradient.view))
            }
            try step()
            let timing = time ? try context.timeOpenCL(step) : nil
            return (try backend.download(gradient.view) + backend.download(loss.view), timing)
        }
        try validate("softmax cross-entropy batch \(batch)", context) { backend in
            try run(backend, time: false).0
        }
        guard let timing = try run(context.openCL, time: true).1 else { return }
        let bytes = Double(batch * classes * 8 + batch * 4)
        try context.record(
            BenchResult(
                name: "softmax_cross_entropy", backend: "opencl", device: context.device,
                shape: "batch=\(batch) classes=\(classes)",
                timing: timing, rate: .gbps(bytes / (timing.median * 1e-3) / 1e9),
                peak: context.peakGigabytesPerSecond,
                note: "forward + backward, one launch"))
    }

    private static func batchNorm(_ context: BenchContext, batch: Int) throws {
        let features = 512, shape = MatrixShape(rows: batch, columns: features)
        let x = benchValues(batch * features, seed: 7), dy = benchValues(batch * features, seed: 8)
        let hyperparameters = BatchNormHyperparameters(
            epsilon: 1e-5, momentum: 0.1, convention: .pytorch)
        func run<B: Backend>(_ backend: B, time: Bool) throws -> ([Float], Timing?) {
            let input = try backend.makeBuffer(x), gradient = try backend.makeBuffer(dy)
            let gamma = try backend.makeBuffer([Float](repeating: 1.5, count: features)),
                beta = try backend.makeBuffer(count: features)
            let output = try backend.makeBuffer(count: x.count),
                inputGradient = try backend.makeBuffer(count: x.count)
            let mean = try backend.makeBuffer(count: features),
                inverse = try backend.makeBuffer(count: features)
            let runningMean = try backend.makeBuffer(count: features),
                runningVariance = try backend.makeBuffer(count: features)
            let gammaGradient = try backend.makeBuffer(count: features),
                betaGradient = try backend.makeBuffer(count: features)
            try backend.fill(beta.view, with: 0)
            try backend.fill(runningMean.view, with: 0)
            try backend.fill(runningVariance.view, with: 1)
            let saved = NormalizationStatistics(
                mean: mean.view, inverseStandardDeviation: inverse.view)
            let step = {
                try backend.batchNormForward(
                    input: input.view,
                    parameters: AffineParameters(gamma: gamma.view, beta: beta.view),
                    output: output.view,
                    saved: saved,
                    running: RunningStatistics(
                        mean: runningMean.view, variance: runningVariance.view),
                    shape: shape, hyperparameters: hyperparameters)
                try backend.batchNormBackward(
                    input: input.view, outputGradient: gradient.view, gamma: gamma.view,
                    saved: saved,
                    inputGradient: inputGradient.view,
                    parameterGradients: AffineParameters(
                        gamma: gammaGradient.view, beta: betaGradient.view), shape: shape)
            }
            try step()
            let values =
                try backend.download(output.view) + backend.download(inputGradient.view)
                + backend.download(gammaGradient.view)
            return (values, time ? try context.timeOpenCL(step) : nil)
        }
        try validate("batch norm batch \(batch)", context) { backend in
            func values<B: Backend>(_ backend: B) throws -> [Float] {
                try run(backend, time: false).0
            }
            return try values(backend)
        }
        guard let timing = try run(context.openCL, time: true).1 else { return }
        // Forward reads x and writes y; backward reads x and dy and writes dx (each at least once).
        let bytes = Double(5 * batch * features * 4)
        try context.record(
            BenchResult(
                name: "batch_norm", backend: "opencl", device: context.device,
                shape: "batch=\(batch) features=\(features)",
                timing: timing, rate: .gbps(bytes / (timing.median * 1e-3) / 1e9),
                peak: context.peakGigabytesPerSecond,
                note: "forward + backward (training)"))
    }

    private static func optimizerStep(
        _ context: BenchContext, name: String, optimizer: any Optimizer
    ) throws {
        let count = context.quick ? 2_000_000 : 10_000_000
        let validationCount = 100_003
        try validate("\(name) (\(validationCount) parameters)", context) { backend in
            func values<B: Backend>(_ backend: B) throws -> [Float] {
                let parameters = try backend.makeBuffer(benchValues(validationCount, seed: 9))
                let gradients = try backend.makeBuffer(benchValues(validationCount, seed: 10))
                let fused = try FusedOptimizer(
                    optimizer, on: backend, parameterCount: validationCount)
                for _ in 0..<3 {
                    try fused.step(parameters: parameters.view, gradients: gradients.view)
                }
                return try backend.download(parameters.view)
            }
            return try values(backend)
        }
        let backend = context.openCL
        let parameters = try backend.makeBuffer(count: count),
            gradients = try backend.makeBuffer(count: count)
        try backend.fill(parameters.view, with: 0.5)
        try backend.fill(gradients.view, with: 0.001)
        let fused = try FusedOptimizer(optimizer, on: backend, parameterCount: count)
        let timing = try context.timeOpenCL {
            try fused.step(parameters: parameters.view, gradients: gradients.view)
        }
        // Each parameter: read w, g and every state array; write w and every state array.
        let bytes = Double(count * 4 * (3 + 2 * optimizer.stateCount))
        try context.record(
            BenchResult(
                name: name, backend: "opencl", device: context.device, shape: "\(count) params",
                timing: timing,
                rate: .gbps(bytes / (timing.median * 1e-3) / 1e9),
                peak: context.peakGigabytesPerSecond,
                note: "one fused launch, \(optimizer.stateCount) state arrays"))
    }
}
