@_spi(Benchmarking) import DescentOpenCL
import Descent

/// The device's own limits: streaming bandwidth (copy) and FMA throughput, the denominators of
/// the "% peak" column.
enum PeakBench {
    static func run(_ context: BenchContext) throws {
        let backend = context.openCL
        let count = context.quick ? 1 << 23 : 1 << 25
        let source = try backend.makeBuffer(count: count),
            destination = try backend.makeBuffer(count: count)
        try backend.fill(source.view, with: 1)
        let copy = try context.timeOpenCL { try backend.streamCopy(source, to: destination) }
        let bandwidth = 8 * Double(count) / (copy.median * 1e-3) / 1e9
        context.peakGigabytesPerSecond = bandwidth
        try context.record(
            BenchResult(
                name: "peak_bandwidth", backend: "peak", device: context.device,
                shape: "copy \((count * 4) >> 20) MiB",
                timing: copy, rate: .gbps(bandwidth), note: "stream copy, read + write"))

        let items = backend.device.computeUnits * 4096, iterations = context.quick ? 2048 : 8192
        let output = try backend.makeBuffer(count: items)
        let fma = try context.timeOpenCL {
            try backend.fmaChain(output: output, iterations: iterations)
        }
        let gigaflops = 128 * Double(items) * Double(iterations) / (fma.median * 1e-3) / 1e9
        context.peakGigaflops = gigaflops
        try context.record(
            BenchResult(
                name: "peak_compute", backend: "peak", device: context.device,
                shape: "\(items) items x \(iterations) x 64 FMA",
                timing: fma, rate: .gflops(gigaflops), note: "float8 FMA chains"))
    }
}
