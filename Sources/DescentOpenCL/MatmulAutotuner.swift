import DescentCore

/// Chooses the matmul variant for a device by measuring a few candidates on the products of a
/// training step, and remembers the choice (`TuningCache`) so that later backends use it.
///
/// The candidates are a small set per kind of device (`candidates(for:)`); the parity suite runs
/// every one of them, so whichever wins is tested. The register-blocked strategy has two kernels
/// that are timed apart and chosen independently: `matmul_blocked` (also the dense forward's
/// product) on the forward and weight-gradient shapes, `matmul_blocked_dot` on the
/// input-gradient shape (B transposed). The tiled strategy is one kernel, timed on all shapes.
public enum MatmulAutotuner {
    /// One product the tuner times.
    public struct Workload: Sendable, Equatable {
        public var shapes: [MatmulShape]

        public init(shapes: [MatmulShape]) {
            self.shapes = shapes
        }

        /// The products of a training step of a 784-512-256-10 MLP at batch 128: each layer's
        /// forward X W, weight gradient X^T dY and input gradient dY W^T.
        public static let mlpStep = Workload(shapes: [
            MatmulShape(m: 128, n: 512, k: 784), MatmulShape(m: 128, n: 256, k: 512),
            MatmulShape(m: 784, n: 512, k: 128, transposeA: true), MatmulShape(m: 512, n: 256, k: 128, transposeA: true),
            MatmulShape(m: 128, n: 512, k: 256, transposeB: true), MatmulShape(m: 128, n: 784, k: 512, transposeB: true),
        ])
    }

    /// One candidate's times over the workload, in milliseconds (sums of per-shape medians).
    public struct Measurement: Sendable, Equatable {
        public var tuning: OpenCLTuning
        /// The products with B as stored.
        public var plainMilliseconds: Double
        /// The products with B transposed.
        public var transposedBMilliseconds: Double
        public var milliseconds: Double { plainMilliseconds + transposedBMilliseconds }
    }

    /// What a tuning run measured and chose.
    public struct Result: Sendable, Equatable {
        /// The tuning the device should use.
        public var tuning: OpenCLTuning
        /// Every candidate's times, in `candidates(for:)` order.
        public var measurements: [Measurement]
        /// Wall time of the whole run (builds included), in seconds.
        public var seconds: Double
    }

    /// The variants worth trying on `device`: register blocks of several shapes on CPUs, tile and
    /// per-item work sizes on GPUs; only those the device's work-group and local-memory limits allow.
    public static func candidates(for device: OpenCLDeviceInfo) -> [OpenCLTuning] {
        candidates(kind: device.kind, maxWorkGroupSize: device.maxWorkGroupSize, localMemoryBytes: device.localMemoryBytes)
    }

    /// The candidates on a device of `kind` with these limits (`OpenCLTuning.forDevice`, varied).
    public static func candidates(kind: OpenCLDeviceKind, maxWorkGroupSize: Int, localMemoryBytes: UInt64) -> [OpenCLTuning] {
        let base = OpenCLTuning.forDevice(maxWorkGroupSize: maxWorkGroupSize, kind: kind)
        var candidates: [OpenCLTuning] = []
        switch base.matmulStrategy {
        case .registerBlocked:
            // (rows, vector width) of matmul_blocked with (rows, columns, vector width) of matmul_blocked_dot.
            let variants = [((4, 16), (2, 4, 8)), ((2, 16), (4, 4, 8)), ((8, 8), (2, 2, 16)), ((4, 8), (1, 4, 16))]
            for ((rows, width), (dotRows, dotColumns, dotWidth)) in variants {
                var tuning = base
                tuning.matmulBlockRows = rows
                tuning.matmulVectorWidth = width
                tuning.matmulDotRows = dotRows
                tuning.matmulDotColumns = dotColumns
                tuning.matmulDotVectorWidth = dotWidth
                candidates.append(tuning)
            }
        case .tiled:
            for (tile, depth, perItem) in [(32, 16, 4), (64, 16, 8), (64, 8, 4), (32, 8, 2), (16, 16, 2)] {
                var tuning = base
                tuning.matmulTile = tile
                tuning.matmulTileK = depth
                tuning.matmulWorkPerItem = perItem
                let localBytes = UInt64(2 * tile * depth * 4)
                guard tuning.matmulWorkGroupItems <= maxWorkGroupSize, localBytes <= localMemoryBytes else { continue }
                candidates.append(tuning)
            }
        }
        return candidates.isEmpty ? [base] : candidates
    }

    /// Times every candidate on `workload` on the device `selector` picks and returns the
    /// fastest; stores it in `cache` unless that is disabled. Takes a few seconds on PoCL (each
    /// candidate is a program build plus its kernels' first-launch compilation).
    /// - Throws: what opening the device, building a candidate or a launch throws.
    public static func tune(
        device selector: DeviceSelector = .fromEnvironment, workload: Workload = .mlpStep, runs: Int = 5,
        cache: TuningCache = .standard
    ) throws -> Result {
        let started = ContinuousClock.now
        let device = try OpenCLDevices.device(for: selector).info
        let candidates = candidates(for: device)
        var measurements: [Measurement] = []
        for candidate in candidates {
            let backend = try OpenCLBackend(device: .index(device.index), tuning: candidate)
            var plain = 0.0, transposedB = 0.0
            for shape in workload.shapes {
                let milliseconds = try median(of: max(runs, 1), shape: shape, on: backend)
                if shape.transposeB { transposedB += milliseconds } else { plain += milliseconds }
            }
            measurements.append(Measurement(tuning: candidate, plainMilliseconds: plain, transposedBMilliseconds: transposedB))
        }
        var tuning: OpenCLTuning
        switch candidates[0].matmulStrategy {
        case .tiled:
            tuning = measurements[indexOfMinimum(measurements.map(\.milliseconds))].tuning
        case .registerBlocked:
            tuning = measurements[indexOfMinimum(measurements.map(\.plainMilliseconds))].tuning
            let dot = measurements[indexOfMinimum(measurements.map(\.transposedBMilliseconds))].tuning
            tuning.matmulDotRows = dot.matmulDotRows
            tuning.matmulDotColumns = dot.matmulDotColumns
            tuning.matmulDotVectorWidth = dot.matmulDotVectorWidth
        }
        cache.store(tuning, for: device)
        let elapsed = ContinuousClock.now - started
        return Result(
            tuning: tuning, measurements: measurements,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }

    /// The tuning stored for the device, else a fresh tuning run's choice (stored for next time).
    /// With the cache disabled, the device-kind defaults: a choice that cannot be kept is not
    /// worth seconds on every start.
    public static func tuningOnFirstUse(
        device selector: DeviceSelector = .fromEnvironment, cache: TuningCache = .standard
    ) throws -> (tuning: OpenCLTuning, measured: Result?) {
        let device = try OpenCLDevices.device(for: selector).info
        if let stored = cache.load(for: device) { return (stored, nil) }
        guard cache.directory != nil else {
            return (.forDevice(maxWorkGroupSize: device.maxWorkGroupSize, kind: device.kind), nil)
        }
        let result = try tune(device: .index(device.index), cache: cache)
        return (result.tuning, result)
    }

    /// The median wall time of `runs` launches of one product, in milliseconds, after one
    /// unmeasured launch (which compiles the kernel on drivers that compile at first launch).
    private static func median(of runs: Int, shape: MatmulShape, on backend: OpenCLBackend) throws -> Double {
        let rowsA = shape.transposeA ? shape.k : shape.m, columnsA = shape.transposeA ? shape.m : shape.k
        let rowsB = shape.transposeB ? shape.n : shape.k, columnsB = shape.transposeB ? shape.k : shape.n
        let a = try backend.makeBuffer(count: rowsA * columnsA), b = try backend.makeBuffer(count: rowsB * columnsB)
        let c = try backend.makeBuffer(count: shape.m * shape.n)
        try backend.fill(a.view, with: 0.5)
        try backend.fill(b.view, with: 0.25)
        try backend.matmul(a.view, b.view, c.view, shape: shape)
        try backend.synchronize()
        var times: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            try backend.matmul(a.view, b.view, c.view, shape: shape)
            try backend.synchronize()
            let elapsed = ContinuousClock.now - start
            times.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15)
        }
        return times.sorted()[times.count / 2]
    }

    private static func indexOfMinimum(_ values: [Double]) -> Int {
        values.indices.min { values[$0] < values[$1] } ?? 0
    }
}
