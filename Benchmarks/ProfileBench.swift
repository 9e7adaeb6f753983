import DescentOpenCL
import Descent

/// `--profile`: one epoch of the benchmark MLP (with batch norm, Adam, batch 128) on a backend
/// that times every kernel, and where the device time went, kernel by kernel.
enum ProfileBench {
    static func run(device selector: DeviceSelector, quick: Bool, cnn: Bool, json: Bool) throws {
        let backend = try OpenCLBackend(device: selector, profiling: true)
        let samples = quick || cnn ? 4096 : 16384
        let data = try Dataset(
            features: benchValues(samples * 784, seed: 13), featureCount: 784,
            classIndices: (0..<samples).map { Int32($0 * 3 % 10) }, classCount: 10)
        let trainer = try Trainer(
            architecture: cnn
                ? TrainingBench.cnnArchitecture : TrainingBench.architecture(batchNorm: true),
            inputShape: cnn ? .image(channels: 1, height: 28, width: 28) : .features(784),
            on: backend,
            loss: .softmaxCrossEntropy,
            optimizer: Adam(learningRate: 1e-3), maxBatch: 128)
        _ = try trainer.fit(data, epochs: 1, batchSize: 128)
        _ = try backend.kernelProfile()
        let started = monotonicSeconds()
        _ = try trainer.fit(data, epochs: 1, batchSize: 128, seed: 1)
        let profile = try backend.kernelProfile()
        let wall = (monotonicSeconds() - started) * 1000
        let total = profile.reduce(0) { $0 + $1.milliseconds }
        if json {
            for time in profile {
                StandardOutput.line(
                    try JSON.text(
                        KernelLine(
                            device: backend.device.name, kernel: time.kernel,
                            launches: time.launches,
                            totalMs: time.milliseconds, averageMs: time.averageMilliseconds)))
            }
            return
        }
        StandardOutput.line(
            "Kernel profile of one epoch (\(samples) samples, \(cnn ? "the CNN of --model cnn" : "MLP 784-512-256-10 with batch norm"), Adam, batch 128) on \(backend.device.name):"
        )
        StandardOutput.line(
            "wall \(BenchTable.fixed(wall, 1)) ms, device time in kernels \(BenchTable.fixed(total, 1)) ms"
        )
        let rows = profile.map { time in
            [
                time.kernel, String(time.launches), BenchTable.fixed(time.milliseconds, 2),
                BenchTable.fixed(time.averageMilliseconds, 4),
                BenchTable.fixed(total > 0 ? 100 * time.milliseconds / total : 0, 1),
            ]
        }
        StandardOutput.line(
            BenchTable.render(
                rows,
                header: ["kernel", "launches", "total ms", "ms per launch", "% of kernel time"]))
    }

    /// One kernel's line of `--json`.
    private struct KernelLine: Encodable {
        var name = "profile", backend = "opencl"
        var device, kernel: String
        var launches: Int
        var totalMs, averageMs: Double

        enum CodingKeys: String, CodingKey {
            case name, backend, device, kernel, launches
            case totalMs = "total_ms"
            case averageMs = "average_ms"
        }
    }
}
