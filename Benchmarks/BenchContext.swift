@_spi(Benchmarking) import DescentOpenCL
import Descent

/// What every benchmark section shares: the backends, the options, the measured peaks, and
/// where rows go.
final class BenchContext {
    let openCL: OpenCLBackend
    let cpu = CPUBackend()
    let quick: Bool
    let runs: Int
    private let filter: [String]
    private let emit: (BenchResult) throws -> Void
    /// The device's measured limits, once the peak section has run.
    var peakGigabytesPerSecond: Double?
    var peakGigaflops: Double?

    var device: String { openCL.device.name }

    init(
        openCL: OpenCLBackend, quick: Bool, runs: Int, filter: [String],
        emit: @escaping (BenchResult) throws -> Void
    ) {
        self.openCL = openCL
        self.quick = quick
        self.runs = runs
        self.filter = filter
        self.emit = emit
    }

    /// Whether a row called `name` on `backend` with `shape` is selected by `--filter`
    /// (every filter word must appear in "name backend shape").
    func selected(_ name: String, _ backend: String = "", _ shape: String = "") -> Bool {
        let text = "\(name) \(backend) \(shape)"
        return filter.allSatisfy { text.contains($0) }
    }

    func record(_ row: BenchResult) throws { try emit(row) }

    /// Times work on the OpenCL backend.
    func timeOpenCL(_ body: () throws -> Void) throws -> Timing {
        try Timing.measure(runs: runs, synchronize: { try openCL.synchronize() }, body)
    }

    /// Times work on the CPU backend (fewer runs: it is slow).
    func timeCPU(_ body: () throws -> Void) throws -> Timing {
        try Timing.measure(
            runs: max(1, runs / 2), warmup: 1, sampleSeconds: 0.01, synchronize: {}, body)
    }
}

/// Deterministic test values in [-1, 1), different per `seed`.
func benchValues(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(Int64(bitPattern: state) >> 40) / Float(1 << 23)
    }
}

/// The largest `|x - ref| / (atol + rtol |ref|)` over the pairs: <= 1 means within tolerance.
func worstError(
    _ values: [Float], _ reference: [Float], atol: Float = 1e-4, rtol: Float = 1e-3
) -> Float {
    zip(values, reference).reduce(0) { worst, pair in
        let error = abs(pair.0 - pair.1) / (atol + rtol * abs(pair.1))
        return pair.0.isNaN ? .infinity : max(worst, error)
    }
}

/// Thrown when a result does not match the CPU reference: the row is not timed.
struct ValidationFailure: Error, CustomStringConvertible {
    var what: String
    var error: Float
    var description: String {
        "\(what) differs from the CPU reference (worst error \(error) x tolerance)"
    }
}
