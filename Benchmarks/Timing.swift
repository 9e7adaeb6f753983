import Descent

/// Wall times of one benchmark, in milliseconds per run of its body.
struct Timing {
    var median: Double
    var min: Double
    var max: Double

    /// Times `body` after `warmup` runs: each of `runs` samples runs it enough times back to back
    /// (found from the warm-up) to last about `sampleSeconds`, then waits for the device with
    /// `synchronize`; the sample's time is divided by its repetitions, so launch-bound kernels are
    /// not drowned in the cost of waiting.
    static func measure(
        runs: Int, warmup: Int = 1, sampleSeconds: Double = 0.05, synchronize: () throws -> Void,
        _ body: () throws -> Void
    ) throws -> Timing {
        var single = Double.infinity
        for _ in 0..<Swift.max(warmup, 1) {
            let started = monotonicSeconds()
            try body()
            try synchronize()
            single = Swift.min(single, monotonicSeconds() - started)
        }
        let repetitions = Swift.max(
            1, Swift.min(1000, Int(sampleSeconds / Swift.max(single, 1e-7))))
        var samples: [Double] = []
        for _ in 0..<Swift.max(runs, 1) {
            let started = monotonicSeconds()
            for _ in 0..<repetitions { try body() }
            try synchronize()
            samples.append((monotonicSeconds() - started) / Double(repetitions) * 1000)
        }
        return Timing(samples: samples)
    }
}

extension Timing {
    /// The median (the mean of the middle two for an even count), min and max of `samples` (not empty).
    init(samples: [Double]) {
        let sorted = samples.sorted()
        let middle = sorted.count / 2
        self.init(
            median: sorted.count % 2 == 1
                ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2,
            min: sorted[0], max: sorted[sorted.count - 1])
    }
}
