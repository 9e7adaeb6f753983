@_spi(Benchmarking) import DescentOpenCL
import Descent
#if canImport(Glibc)
import Glibc
#endif

/// The cold-start cost: time from opening the backend to the end of the first training step, in
/// a fresh process, with empty kernel caches (`XDG_CACHE_HOME` pointed at a new directory, which
/// holds both Descent's and PoCL's) and then with the caches that run filled.
enum ColdStartBench {
    /// The flag that makes the executable run one probe and print its time.
    static let probeFlag = "--cold-start-probe"

    static func run(_ context: BenchContext) throws {
        guard context.selected("first_step", "opencl") else { return }
        let directory = "/tmp/descent-bench-cache-\(getpid())"
        defer { _ = system("rm -rf '\(directory)'") }
        for (label, note) in [
            ("empty kernel cache", "kernels compiled (Descent's and the driver's caches empty)"),
            ("warm kernel cache", "kernels from the caches the first run filled"),
        ] {
            let seconds = try probe(cacheDirectory: directory)
            try context.record(
                BenchResult(
                    name: "first_step", backend: "opencl", device: context.device, shape: label,
                    timing: Timing(
                        median: seconds * 1000, min: seconds * 1000, max: seconds * 1000),
                    rate: .seconds(seconds),
                    note: "fresh process: open device + first step; \(note)"))
        }
    }

    /// Runs the probe in a child process with `XDG_CACHE_HOME=cacheDirectory` and returns its time.
    private static func probe(cacheDirectory: String) throws -> Double {
        let executable =
            (try? String(resolvingSymlink: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let device = getenv(DeviceSelector.environmentVariable).map { String(cString: $0) } ?? ""
        let command =
            "XDG_CACHE_HOME='\(cacheDirectory)' \(DeviceSelector.environmentVariable)='\(device)' '\(executable)' \(probeFlag)"
        guard let pipe = popen(command, "r") else {
            throw DescentError.invalidArgument(
                operation: "descent-bench", reason: "cannot start \(command)")
        }
        var output = ""
        var buffer = [CChar](repeating: 0, count: 256)
        while fgets(&buffer, Int32(buffer.count), pipe) != nil {
            output += String(
                decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        let status = pclose(pipe)
        guard status == 0, let seconds = output.split(separator: "\n").last.flatMap({ Double($0) })
        else {
            throw DescentError.invalidArgument(
                operation: "descent-bench",
                reason: "the cold-start probe failed (\(status)): \(output)")
        }
        return seconds
    }

    /// The probe itself: open the backend, build a small MLP trainer and run one step; prints seconds.
    static func runProbe() throws {
        let started = monotonicSeconds()
        let backend = try OpenCLBackend()
        let data = try Dataset(
            features: benchValues(128 * 784, seed: 12), featureCount: 784,
            classIndices: (0..<128).map { Int32($0 % 10) }, classCount: 10)
        let trainer = try Trainer(
            architecture: TrainingBench.architecture(batchNorm: true), on: backend,
            loss: .softmaxCrossEntropy,
            optimizer: Adam(learningRate: 1e-3), maxBatch: 128)
        _ = try trainer.fit(data, epochs: 1, batchSize: 128)
        try backend.synchronize()
        print(monotonicSeconds() - started)
    }
}

extension String {
    /// The target of the symbolic link at `path`.
    init(resolvingSymlink path: String) throws {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink(path, &buffer, buffer.count - 1)
        guard length > 0 else {
            throw DescentError.invalidArgument(operation: "readlink", reason: path)
        }
        self = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
