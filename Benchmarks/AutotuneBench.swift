import Descent

/// The matmul autotuner's measurements: each candidate variant's time over a training step's
/// products, and which it chose. A full run always tunes afresh (and stores the choice); a quick
/// run tunes only on the device's first use.
enum AutotuneBench {
    /// The tuning to benchmark with, and the tuner's measurements when it ran.
    static func tuning(
        device selector: DeviceSelector, quick: Bool
    ) throws -> (OpenCLTuning, MatmulAutotuner.Result?) {
        if quick { return try MatmulAutotuner.tuningOnFirstUse(device: selector) }
        let result = try MatmulAutotuner.tune(device: selector)
        return (result.tuning, result)
    }

    static func record(
        _ result: MatmulAutotuner.Result?, chosen: OpenCLTuning, _ context: BenchContext
    ) throws {
        guard let result else {
            if context.selected("autotune", "opencl") {
                try context.record(
                    BenchResult(
                        name: "autotune", backend: "opencl", device: context.device,
                        shape: chosen.matmulVariant,
                        timing: Timing(median: 0, min: 0, max: 0), rate: .seconds(0),
                        note: "chosen earlier, read from the tuning cache (a full run tunes afresh)"
                    ))
            }
            return
        }
        let flops = MatmulAutotuner.Workload.mlpStep.shapes.reduce(0.0) {
            $0 + 2 * Double($1.m * $1.n * $1.k)
        }
        for measurement in result.measurements {
            let variant = measurement.tuning.matmulVariant
            guard context.selected("autotune", "opencl", variant) else { continue }
            let measured = measurement.tuning
            var chosenParts: [String] = []
            switch (measured.matmulStrategy, chosen.matmulStrategy) {
            case (.tiled, .tiled):
                if measured.tiledTunables == chosen.tiledTunables { chosenParts.append("chosen") }
            case (.registerBlocked, .registerBlocked):
                if measured.blockedTunables == chosen.blockedTunables {
                    chosenParts.append("chosen for B")
                }
                if measured.dotTunables == chosen.dotTunables {
                    chosenParts.append("chosen for B^T")
                }
            default:
                break
            }
            let milliseconds = measurement.milliseconds
            try context.record(
                BenchResult(
                    name: "autotune", backend: "opencl", device: context.device, shape: variant,
                    timing: Timing(median: milliseconds, min: milliseconds, max: milliseconds),
                    rate: .gflops(flops / (milliseconds * 1e-3) / 1e9), peak: context.peakGigaflops,
                    note: ([
                        "sum of per-product medians over the 8 GEMMs of an MLP step: B \(BenchTable.fixed(measurement.plainMilliseconds, 2)) ms, B^T \(BenchTable.fixed(measurement.transposedBMilliseconds, 2)) ms"
                    ]
                        + chosenParts + ["tuning took \(BenchTable.fixed(result.seconds, 2)) s"])
                        .joined(separator: "; ")))
        }
    }
}
