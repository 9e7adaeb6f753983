import DescentCore
import Dispatch
import Synchronization

/// Chooses the matmul variant for a device by measuring a few candidates on the products of a
/// training step, and remembers the choice (`TuningCache`) so that later backends use it.
///
/// The candidates are a small set per kind of device (`candidates(for:)`); the parity suite runs
/// every one of them, so whichever wins is tested. The register-blocked strategy has two kernel
/// families that are chosen independently: `matmul_blocked`, whose inner loop
/// `dense_forward_blocked` shares (timed on the forward and weight-gradient products), and
/// `matmul_blocked_dot` (the input gradients, B transposed). The tiled strategy is one family,
/// timed on all products. Candidates and products are timed interleaved, as a training step runs
/// them: timing each product in a loop of its own keeps its operands in the cache and favoured, on
/// PoCL, a variant that was 25% slower in training.
public enum MatmulAutotuner {
    /// The products the tuner times.
    public struct Workload: Sendable, Equatable {
        public var shapes: [MatmulShape]

        public init(shapes: [MatmulShape]) {
            self.shapes = shapes
        }

        /// The eight products of a training step of a 784-512-256-10 MLP at batch 128: each
        /// layer's forward X W and weight gradient X^T dY, and the input gradients dY W^T of the
        /// two upper layers (the first layer's is not needed).
        public static let mlpStep = Workload(shapes: [
            MatmulShape(m: 128, n: 512, k: 784), MatmulShape(m: 128, n: 256, k: 512),
            MatmulShape(m: 128, n: 10, k: 256),
            MatmulShape(m: 784, n: 512, k: 128, transposeA: true),
            MatmulShape(m: 512, n: 256, k: 128, transposeA: true),
            MatmulShape(m: 256, n: 10, k: 128, transposeA: true),
            MatmulShape(m: 128, n: 512, k: 256, transposeB: true),
            MatmulShape(m: 128, n: 256, k: 10, transposeB: true),
        ])
    }

    /// One candidate's times over the workload, in milliseconds (sums of per-shape medians).
    public struct Measurement: Sendable, Equatable {
        public var tuning: OpenCLTuning
        /// The products with B as stored, and those with B^T shallow enough to be gathered
        /// (`matmul_blocked` and the dense forward on the register-blocked strategy).
        public var plainMilliseconds: Double
        /// The products with B transposed deeper than `OpenCLBackend.gatheredTransposeMaxDepth`
        /// (`matmul_blocked_dot` on the register-blocked strategy).
        public var transposedBMilliseconds: Double
        public var milliseconds: Double { plainMilliseconds + transposedBMilliseconds }
    }

    /// What a tuning run measured and chose.
    public struct Result: Sendable, Equatable {
        /// The tuning the device should use.
        public var tuning: OpenCLTuning
        /// The times of every candidate that built and ran, in `candidates(for:)` order.
        public var measurements: [Measurement]
        /// Wall time of the whole run (builds included), in seconds.
        public var seconds: Double
    }

    /// The variants worth trying on `device`: register blocks of several shapes on CPUs, tile and
    /// per-item work sizes on every device; only those the device's work-group and local-memory
    /// limits allow.
    public static func candidates(for device: OpenCLDeviceInfo) -> [OpenCLTuning] {
        candidates(
            kind: device.kind, maxWorkGroupSize: device.maxWorkGroupSize,
            localMemoryBytes: device.localMemoryBytes,
            nativeFloatVectorWidth: device.nativeFloatVectorWidth)
    }

    /// The candidates on a device of `kind` with these limits (`OpenCLTuning.forDevice`, varied).
    /// CPUs get three register-blocked variants with 16-wide vectors, a fourth with 4-wide vectors
    /// where the SIMD registers hold at most 4 floats, and the default tiled variant: the tiled
    /// strategy stages tiles in local memory for GPUs, but a CPU driver that vectorizes across
    /// work-items could run it well, so it is measured too (on PoCL and Intel's runtime it runs
    /// 10-30x slower and is dropped after one round). Each candidate costs a program build and
    /// its kernels' compilation on a first run, so the list is kept short.
    public static func candidates(
        kind: OpenCLDeviceKind, maxWorkGroupSize: Int, localMemoryBytes: UInt64,
        nativeFloatVectorWidth: Int
    ) -> [OpenCLTuning] {
        let base = OpenCLTuning.forDevice(maxWorkGroupSize: maxWorkGroupSize, kind: kind)
        var candidates: [OpenCLTuning] = []
        if base.matmulStrategy == .registerBlocked {
            // (rows, vector width, depth, work-group) of matmul_blocked with (rows, columns, vector
            // width, work-group) of matmul_blocked_dot; 4-wide vectors for CPUs with 128-bit SIMD
            // (on AVX-512 they run at half the speed of the others).
            var variants = [
                ((4, 16, 64, 8), (2, 4, 8, 8)), ((6, 16, 64, 8), (2, 4, 8, 16)),
                ((4, 16, 128, 16), (2, 2, 16, 8)),
            ]
            if nativeFloatVectorWidth <= 4 { variants.append(((8, 4, 64, 8), (2, 4, 4, 8))) }
            for ((rows, width, depth, group), (dotRows, dotColumns, dotWidth, dotGroup)) in variants
            {
                var tuning = base
                tuning.matmulBlockedGroup = min(group, max(maxWorkGroupSize, 1))
                tuning.matmulDotGroup = min(dotGroup, max(maxWorkGroupSize, 1))
                tuning.matmulBlockRows = rows
                tuning.matmulVectorWidth = width
                tuning.matmulBlockDepth = depth
                tuning.matmulDotRows = dotRows
                tuning.matmulDotColumns = dotColumns
                tuning.matmulDotVectorWidth = dotWidth
                candidates.append(tuning)
            }
        }
        let tiles =
            kind == .cpu
            ? [(32, 16, 4)]
            : [(32, 16, 4), (64, 16, 8), (64, 8, 4), (32, 8, 2), (16, 16, 2)]
        for (tile, depth, perItem) in tiles {
            var tuning = base
            tuning.matmulStrategy = .tiled
            tuning.matmulTile = tile
            tuning.matmulTileK = depth
            tuning.matmulWorkPerItem = perItem
            let localBytes = UInt64(2 * tile * depth * 4)
            guard tuning.matmulWorkGroupItems <= maxWorkGroupSize, localBytes <= localMemoryBytes
            else { continue }
            candidates.append(tuning)
        }
        return candidates.isEmpty ? [base] : candidates
    }

    /// Times every candidate on `workload` on the device `selector` picks and returns the
    /// fastest; stores it in `cache` (the device's choice for every later backend, whatever the
    /// workload) unless that is disabled. About a second on PoCL with warm kernel caches, a few
    /// with cold ones (each candidate is a program build plus its kernels' first-launch compilation).
    /// - Throws: what opening the device or a launch throws when no candidate builds and runs.
    public static func tune(
        device selector: DeviceSelector = .fromEnvironment, workload: Workload = .mlpStep,
        runs: Int = 9,
        cache: TuningCache = .standard
    ) throws -> Result {
        let started = ContinuousClock.now
        let device = try OpenCLDevices.device(for: selector).info
        let candidates = candidates(for: device)
        // The core program does not depend on the matmul variant: it builds on another thread
        // while the candidates build (Intel's runtime compiles a whole program when it is built:
        // ~6 s for the core program on 2 cores; PoCL leaves most of the work to each kernel's
        // first launch), and is finished before anything is timed.
        let coreTuning = OpenCLTuning.forDevice(
            maxWorkGroupSize: device.maxWorkGroupSize, kind: device.kind)
        let coreBuild = DispatchWorkItem {
            _ = try? OpenCLBackend(device: .index(device.index), tuning: coreTuning).prepare(.core)
        }
        DispatchQueue.global().async(execute: coreBuild)
        // The candidates' backends open and build their programs side by side, as many at once as
        // there are cores (Intel's runtime spends ~1.5 s on each; PoCL serializes its builds, which
        // are short). One that fails here is opened again below, where its error is kept.
        let opened = Mutex([OpenCLBackend?](repeating: nil, count: candidates.count))
        DispatchQueue.concurrentPerform(iterations: candidates.count) { index in
            let backend = try? OpenCLBackend(
                device: .index(device.index), tuning: candidates[index])
            guard let backend, (try? backend.prepare(.matmul)) != nil else { return }
            opened.withLock { $0[index] = backend }
        }
        // A candidate that does not build or run on this device (a driver may allow less than
        // the device's maximum work-group for a kernel) is left out; if none runs, the error stands.
        var survivors: [(tuning: OpenCLTuning, backend: OpenCLBackend)] = []
        var operands: [Operands] = []
        var firstError: (any Error)?
        for (candidate, built) in zip(candidates, opened.withLock { $0 }) {
            do {
                let backend =
                    try built ?? OpenCLBackend(device: .index(device.index), tuning: candidate)
                if operands.isEmpty {
                    operands = try workload.shapes.map { try Operands(shape: $0, on: backend) }
                    try backend.synchronize()
                }
                // Builds and compiles the kernels.
                for operand in operands { try operand.run(on: backend) }
                try backend.synchronize()
                survivors.append((candidate, backend))
            } catch {
                firstError = firstError ?? error
            }
        }
        coreBuild.wait()
        if survivors.isEmpty, let firstError { throw firstError }
        let backends = survivors.map(\.backend)
        // Candidates and shapes interleave, as in training: a shape's operands are not still in
        // the cache from its previous run, and a change in the machine's load hits every candidate.
        var times = [[[Double]]](
            repeating: [[Double]](repeating: [], count: operands.count), count: backends.count)
        var timed = Array(backends.indices)
        for run in 0..<max(runs, 1) {
            for index in timed {
                for (shape, operand) in operands.enumerated() {
                    let start = ContinuousClock.now
                    try operand.run(on: backends[index])
                    try backends[index].synchronize()
                    times[index][shape].append(milliseconds(since: start))
                }
            }
            if run == 0 {
                // A candidate over three times slower than the fastest cannot win: it is timed no
                // more (the tiled strategy on PoCL runs ~30x slower than the register-blocked one).
                let totals = timed.map { times[$0].compactMap(\.last).reduce(0, +) }
                let fastest = totals.min() ?? 0
                timed = zip(timed, totals).filter { $0.1 <= 3 * fastest }.map(\.0)
            }
        }
        let measurements = zip(survivors.map(\.tuning), times).map { candidate, perShape in
            let medians = perShape.map { $0.sorted()[$0.count / 2] }
            let dot = zip(workload.shapes, medians).filter { OpenCLBackend.runsDotKernel($0.0) }
                .map(\.1).reduce(0, +)
            return Measurement(
                tuning: candidate, plainMilliseconds: medians.reduce(0, +) - dot,
                transposedBMilliseconds: dot)
        }
        // Only candidates timed in every round compete: a dropped one has a single cold sample.
        let tuning = fastest(of: timed.map { measurements[$0] })
        cache.store(tuning, for: device)
        return Result(
            tuning: tuning, measurements: measurements, seconds: milliseconds(since: started) / 1000
        )
    }

    /// The fastest tuning the measurements allow. The register-blocked strategy's two kernel
    /// families are chosen independently (the best `matmul_blocked` with the best
    /// `matmul_blocked_dot`); that pair is then compared with the best tiled candidate on the
    /// whole workload.
    static func fastest(of measurements: [Measurement]) -> OpenCLTuning {
        var choices: [(tuning: OpenCLTuning, milliseconds: Double)] = []
        let blocked = measurements.filter { $0.tuning.matmulStrategy == .registerBlocked }
        if let plain = blocked.min(by: { $0.plainMilliseconds < $1.plainMilliseconds }),
            let dot = blocked.min(by: { $0.transposedBMilliseconds < $1.transposedBMilliseconds })
        {
            var tuning = plain.tuning
            tuning.matmulDotRows = dot.tuning.matmulDotRows
            tuning.matmulDotColumns = dot.tuning.matmulDotColumns
            tuning.matmulDotVectorWidth = dot.tuning.matmulDotVectorWidth
            tuning.matmulDotGroup = dot.tuning.matmulDotGroup
            choices.append((tuning, plain.plainMilliseconds + dot.transposedBMilliseconds))
        }
        let tiledMeasurements = measurements.filter { $0.tuning.matmulStrategy == .tiled }
        if let tiled = tiledMeasurements.min(by: { $0.milliseconds < $1.milliseconds }) {
            choices.append((tiled.tuning, tiled.milliseconds))
        }
        return choices.min { $0.milliseconds < $1.milliseconds }?.tuning ?? measurements[0].tuning
    }

    /// The tuning stored for the device, else a fresh tuning run's choice (stored for next time).
    /// With the cache disabled or not writable, the device-kind defaults: a choice that cannot be
    /// kept is not worth seconds on every start. While another process tunes the same device,
    /// this one says so through `waiting` and then uses that process's choice.
    public static func tuningOnFirstUse(
        device selector: DeviceSelector = .fromEnvironment, cache: TuningCache = .standard,
        waiting: (String) -> Void = { _ in }
    ) throws -> (tuning: OpenCLTuning, measured: Result?) {
        let device = try OpenCLDevices.device(for: selector).info
        if let stored = cache.load(for: device) { return (stored, nil) }
        guard cache.isWritable else {
            return (.forDevice(maxWorkGroupSize: device.maxWorkGroupSize, kind: device.kind), nil)
        }
        // One tuner per device at a time: a second process waits for the first's result and uses
        // it, so that two runs started together agree on one variant.
        let lock = cache.lock(for: device, waiting: waiting)
        defer { lock?.release() }
        if let stored = cache.load(for: device) { return (stored, nil) }
        let result = try tune(device: .index(device.index), cache: cache)
        return (result.tuning, result)
    }

    /// One product's operands. Forward products run as plain products, not as the fused dense
    /// forward that training uses: the two share their inner loop, so they rank the variants
    /// alike, and on a first run PoCL would otherwise compile the dense kernel (~1.2 s cold) for
    /// every candidate instead of once for the winner.
    private struct Operands {
        let shape: MatmulShape
        let a: OpenCLBuffer, b: OpenCLBuffer, c: OpenCLBuffer

        init(shape: MatmulShape, on backend: OpenCLBackend) throws {
            self.shape = shape
            a = try backend.makeBuffer(count: shape.m * shape.k)
            b = try backend.makeBuffer(count: shape.k * shape.n)
            c = try backend.makeBuffer(count: shape.m * shape.n)
            try backend.fill(a.view, with: 0.5)
            try backend.fill(b.view, with: 0.25)
        }

        func run(on backend: OpenCLBackend) throws {
            try backend.matmul(a.view, b.view, c.view, shape: shape)
        }
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        (ContinuousClock.now - start) / .milliseconds(1)
    }
}
