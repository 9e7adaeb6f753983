@_spi(Benchmarking) import DescentOpenCL
import Descent

/// Convolution throughput on three convolutions of `descent train --model cnn` (batch 128: 1 to
/// 32 channels at 28x28, 32 to 64 and 64 to 64 at 14x14; the preset's 32-to-32 at 28x28 has no
/// row yet):
/// Descent's forward pass, input gradient and weight gradient, each validated against the CPU
/// reference before it is timed, beside CLBlast's `Xconvgemm` forward on the same device; and
/// the CNN's training rate end to end.
enum ConvolutionBench {
    static func shapes(batch: Int) -> [ConvolutionShape] {
        [
            ConvolutionShape(
                batch: batch, inputChannels: 1, inputHeight: 28, inputWidth: 28, outputChannels: 32,
                kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1),
            ConvolutionShape(
                batch: batch, inputChannels: 32, inputHeight: 14, inputWidth: 14,
                outputChannels: 64, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1),
            ConvolutionShape(
                batch: batch, inputChannels: 64, inputHeight: 14, inputWidth: 14,
                outputChannels: 64, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1),
        ]
    }

    static func describe(_ shape: ConvolutionShape) -> String {
        "n=\(shape.batch) \(shape.inputChannels)x\(shape.inputHeight)x\(shape.inputWidth) "
            + "-> \(shape.outputChannels) k=\(shape.kernelHeight)"
    }

    static func run(_ context: BenchContext, clblast: Result<CLBlast, CLBlast.LoadFailure>) throws {
        for shape in shapes(batch: 128) {
            try run(shape, context, clblast: clblast)
        }
        try trainCNN(context)
    }

    private static func run(
        _ shape: ConvolutionShape, _ context: BenchContext,
        clblast: Result<CLBlast, CLBlast.LoadFailure>
    ) throws {
        let description = describe(shape)
        let x = benchValues(shape.inputCount, seed: 21),
            w = benchValues(shape.weightCount, seed: 22)
        let dy = benchValues(shape.outputCount, seed: 23)
        let cpu = context.cpu, backend = context.openCL
        let peak = context.peakGigaflops
        // The reference: the CPU backend's three ops, once.
        let reference: [String: [Float]] = try {
            guard
                ["conv_forward", "conv_input_gradient", "conv_weight_gradient"].contains(where: {
                    context.selected($0, "", description)
                })
            else { return [:] }
            let cx = try cpu.makeBuffer(x), cw = try cpu.makeBuffer(w), cdy = try cpu.makeBuffer(dy)
            let workspace = try cpu.makeBuffer(count: shape.workspaceCount)
            let y = try cpu.makeBuffer(count: shape.outputCount)
            let dx = try cpu.makeBuffer(count: shape.inputCount)
            let dw = try cpu.makeBuffer(count: shape.weightCount)
            try cpu.convolutionForward(
                input: cx.view, weights: cw.view, bias: nil, output: y.view,
                workspace: workspace.view, shape: shape)
            try cpu.convolutionInputGradient(
                outputGradient: cdy.view, weights: cw.view, inputGradient: dx.view,
                workspace: workspace.view, shape: shape)
            try cpu.convolutionWeightGradient(
                input: cx.view, outputGradient: cdy.view, weightGradient: dw.view,
                biasGradient: nil, workspace: workspace.view, shape: shape)
            return [
                "conv_forward": try cpu.download(y.view),
                "conv_input_gradient": try cpu.download(dx.view),
                "conv_weight_gradient": try cpu.download(dw.view),
            ]
        }()
        let bx = try backend.makeBuffer(x), bw = try backend.makeBuffer(w)
        let bdy = try backend.makeBuffer(dy)
        let workspace = try backend.makeBuffer(count: shape.workspaceCount)
        let y = try backend.makeBuffer(count: shape.outputCount)
        let dx = try backend.makeBuffer(count: shape.inputCount)
        let dw = try backend.makeBuffer(count: shape.weightCount)
        let ops: [(name: String, output: OpenCLBuffer, run: () throws -> Void)] = [
            (
                "conv_forward", y,
                {
                    try backend.convolutionForward(
                        input: bx.view, weights: bw.view, bias: nil, output: y.view,
                        workspace: workspace.view, shape: shape)
                }
            ),
            (
                "conv_input_gradient", dx,
                {
                    try backend.convolutionInputGradient(
                        outputGradient: bdy.view, weights: bw.view, inputGradient: dx.view,
                        workspace: workspace.view, shape: shape)
                }
            ),
            (
                "conv_weight_gradient", dw,
                {
                    try backend.convolutionWeightGradient(
                        input: bx.view, outputGradient: bdy.view, weightGradient: dw.view,
                        biasGradient: nil, workspace: workspace.view, shape: shape)
                }
            ),
        ]
        for op in ops where context.selected(op.name, "opencl", description) {
            try op.run()
            try validate(
                op.output, against: reference[op.name], "OpenCL \(op.name) \(description)", backend,
                longSums: op.name == "conv_weight_gradient")
            let timing = try context.timeOpenCL(op.run)
            try context.record(
                BenchResult(
                    name: op.name, backend: "opencl", device: context.device, shape: description,
                    timing: timing, rate: .gflops(shape.flops / (timing.median * 1e-3) / 1e9),
                    peak: peak, note: "im2col + matmul"))
        }
        if case .success(let library) = clblast, library.hasConvolution,
            context.selected("conv_forward", "clblast", description)
        {
            try backend.fill(y.view, with: .nan)
            try library.convolve(bx, bw, y, shape: shape, on: backend)
            try validate(
                y, against: reference["conv_forward"], "CLBlast Xconvgemm \(description)", backend)
            let timing = try context.timeOpenCL {
                try library.convolve(bx, bw, y, shape: shape, on: backend)
            }
            try context.record(
                BenchResult(
                    name: "conv_forward", backend: "clblast", device: context.device,
                    shape: description, timing: timing,
                    rate: .gflops(shape.flops / (timing.median * 1e-3) / 1e9), peak: peak,
                    note: "Xconvgemm"))
        }
    }

    /// - Parameter longSums: the weight gradient sums over the whole batch's positions (100,352
    ///   products for the first convolution), where float32 rounding in another order than the
    ///   CPU's loop reaches 1e-3 of the value: checked at 10x the usual tolerance.
    private static func validate(
        _ buffer: OpenCLBuffer, against reference: [Float]?, _ what: String,
        _ backend: OpenCLBackend, longSums: Bool = false
    ) throws {
        guard let reference else { return }
        let error = worstError(
            try backend.download(buffer.view), reference, atol: longSums ? 1e-3 : 1e-4,
            rtol: longSums ? 1e-2 : 1e-3)
        guard error <= 1 else { throw ValidationFailure(what: what, error: error) }
    }

    /// The CNN of `descent train --model cnn` (with its augmentation), Adam, batch 128: the
    /// median time per step of the epochs after the first, on random 28x28 images.
    private static func trainCNN(_ context: BenchContext) throws {
        let shape = "cnn 32-64-64 batch=128"
        guard context.selected("train_cnn", "opencl", shape) else { return }
        let samples = context.quick ? 1024 : 4096, epochs = 3
        let data = try Dataset(
            features: benchValues(samples * 784, seed: 12), featureCount: 784,
            classIndices: (0..<samples).map { Int32($0 * 7 % 10) }, classCount: 10
        ).reshaped(to: .image(channels: 1, height: 28, width: 28))
        let trainer = try Trainer(
            architecture: TrainingBench.cnnArchitecture, inputShape: data.sampleShape,
            on: context.openCL, loss: .softmaxCrossEntropy, optimizer: Adam(learningRate: 1e-3),
            maxBatch: 128)
        let history = try trainer.fit(data, epochs: epochs, batchSize: 128, seed: 2)
        let timed = history.epochs.dropFirst()
        guard timed.allSatisfy({ $0.loss.isFinite }) else {
            throw ValidationFailure(what: "training \(shape): non-finite loss", error: .infinity)
        }
        let steps = Double((samples + 127) / 128)
        let timing = Timing(samples: timed.map { $0.seconds * 1000 / steps })
        try context.record(
            BenchResult(
                name: "train_cnn", backend: "opencl", device: context.device, shape: shape,
                timing: timing,
                rate: .samplesPerSecond(Double(samples) / (timing.median * steps / 1000)),
                note: "Adam, Trainer.fit, crop+flip; ms per step"))
    }
}
