@_spi(Benchmarking) import DescentOpenCL
import Descent

/// End-to-end training speed: samples per second of `Trainer.fit` on an MLP 784-512-256-10 with
/// Adam (and with batch norm), on synthetic data; and once with the training monitor on, for its
/// overhead. `fit` uploads the shuffled epoch to the device once and then runs every step there,
/// reading nothing back until the epoch ends.
enum TrainingBench {
    static func architecture(batchNorm: Bool) -> Sequential {
        var layers: [any Layer] = []
        var inputs = 784
        for width in [512, 256] {
            layers.append(
                Dense(
                    inputs, width, activation: batchNorm ? .identity : .relu,
                    initializer: .heUniform))
            if batchNorm { layers += [BatchNorm(width), ReLU()] }
            inputs = width
        }
        layers.append(Dense(inputs, 10))
        return Sequential(seed: 1, layers: layers)
    }

    /// The CNN of `descent train --model cnn` on 1x28x28 images, with its augmentation.
    static let cnnArchitecture = Sequential(seed: 1) {
        RandomCropFlip(padding: 0, flip: true)
        Conv2D(1, 32, kernelSize: 3, padding: .same, useBias: false, initializer: .heUniform)
        BatchNorm(32)
        ReLU()
        Conv2D(32, 32, kernelSize: 3, padding: .same, useBias: false, initializer: .heUniform)
        BatchNorm(32)
        ReLU()
        MaxPool2D(2)
        Conv2D(32, 64, kernelSize: 3, padding: .same, useBias: false, initializer: .heUniform)
        BatchNorm(64)
        ReLU()
        Conv2D(64, 64, kernelSize: 3, padding: .same, useBias: false, initializer: .heUniform)
        BatchNorm(64)
        ReLU()
        MaxPool2D(2)
        Flatten()
        Dense(64 * 7 * 7, 128, activation: .relu, initializer: .heUniform)
        Dropout(0.3)
        Dense(128, 10)
    }

    static func run(_ context: BenchContext) throws {
        let samples = context.quick ? 4096 : 16384
        let data = try Dataset(
            features: benchValues(samples * 784, seed: 11), featureCount: 784,
            classIndices: (0..<samples).map { Int32($0 * 7 % 10) }, classCount: 10)
        for batchNorm in [false, true] {
            for batch in context.quick ? [128] : [128, 1024] {
                let shape = "784-512-256-10\(batchNorm ? " bn" : "") batch=\(batch)"
                if context.selected("train_mlp", "opencl", shape) {
                    let plain = try measure(
                        on: context.openCL, device: context.device, data: data, batch: batch,
                        batchNorm: batchNorm, shape: shape, epochs: 4)
                    try context.record(plain)
                    if batch == 128 && !batchNorm {
                        var monitored = try measure(
                            on: context.openCL, device: context.device, data: data, batch: batch,
                            batchNorm: batchNorm,
                            shape: shape + " monitored", epochs: 4, monitored: true)
                        let overhead = 100 * (1 - monitored.rate.value / plain.rate.value)
                        monitored.note =
                            "with TrainingMonitor every \(TrainingMonitor<OpenCLBackend>.defaultInterval) steps: "
                            + "\(BenchTable.fixed(abs(overhead), 1))% \(overhead >= 0 ? "slower" : "faster") than the row above"
                            + (abs(overhead) > 10
                                ? " (more than the monitor costs: the machine's load changed)" : "")
                        try context.record(monitored)
                    }
                }
                if context.selected("train_mlp", "cpu", shape),
                    !context.quick || (batch == 128 && !batchNorm)
                {
                    let subset = try data.gathering(Array(0..<min(samples, 2048)))
                    try context.record(
                        try measure(
                            on: context.cpu, device: context.cpu.deviceName, data: subset,
                            batch: batch, batchNorm: batchNorm, shape: shape, epochs: 2))
                }
            }
        }
    }

    /// Trains `epochs` epochs and reports the median time per step, and the rate at that time, of
    /// all but the first epoch (which builds kernels and warms caches).
    private static func measure<B: Backend>(
        on backend: B, device: String, data: Dataset, batch: Int, batchNorm: Bool, shape: String,
        epochs: Int,
        monitored: Bool = false
    ) throws -> BenchResult {
        let trainer = try Trainer(
            architecture: architecture(batchNorm: batchNorm), on: backend,
            loss: .softmaxCrossEntropy,
            optimizer: Adam(learningRate: 1e-3), maxBatch: batch)
        let callbacks: [any Callback] = monitored ? [try TrainingMonitor(trainer: trainer)] : []
        let history = try trainer.fit(
            data, epochs: epochs, batchSize: batch, seed: 2, callbacks: callbacks)
        let timed = history.epochs.dropFirst()
        guard timed.allSatisfy({ $0.loss.isFinite }) else {
            throw ValidationFailure(
                what: "training \(shape) on \(backend.deviceName): non-finite loss",
                error: .infinity)
        }
        let steps = Double((data.sampleCount + batch - 1) / batch)
        let timing = Timing(samples: timed.map { $0.seconds * 1000 / steps })
        return BenchResult(
            name: "train_mlp", backend: backend is OpenCLBackend ? "opencl" : "cpu", device: device,
            shape: shape,
            timing: timing,
            rate: .samplesPerSecond(Double(data.sampleCount) / (timing.median * steps / 1000)),
            note: "Adam, Trainer.fit; ms per step")
    }
}
