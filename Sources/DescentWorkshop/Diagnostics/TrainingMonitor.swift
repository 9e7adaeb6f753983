import DescentCore
import DescentTraining

/// Watches a training run every `interval` steps (and at its first step), on the device: each
/// layer's activation mean and standard deviation, its dead-ReLU or saturation fraction, each
/// parameter's weight, gradient and update norms, and non-finite values (seed notes 002,
/// "Monitoring the learning process"; DeepDiagnosis's symptoms).
///
/// At a monitored step the statistics are computed with the backend's reductions and
/// elementwise ops into one small buffer, read back in a single download (a few floats per
/// layer and parameter, and one per unit of the ReLU layers); other steps read nothing. The
/// update is `w_after - w_before`: the arena is copied on the device before each monitored step.
/// Findings are raised the moment they are seen (`onFinding`, once per code and layer); a
/// non-finite value ends the epoch, stops training and puts back the model of the last monitored
/// step where every value was finite (`Trainer.restoreLastFiniteState`: its parameters and batch
/// norm's running statistics; the optimizer's state is not rewound).
///
/// Create it right before `fit`: it reads the initial weights (for `symmetric-weights`) and
/// copies the arena for the first step's update when it is made.
///
/// ```swift
/// let monitor = try TrainingMonitor(trainer: trainer) { print($0.line) }
/// let history = try trainer.fit(train, validation: validation, epochs: 10, batchSize: 32, callbacks: [monitor])
/// let findings = Diagnosis.diagnose(history, monitor: monitor.record, classCount: 10)
/// ```
public final class TrainingMonitor<B: Backend>: Callback {
    /// One step in 100. A monitored step of the demo MLP (784-256-128-10 with batch norm, batch
    /// 32) costs about 7 ms more on PoCL (2 CPU cores) than a 32 ms step, so about 0.2% at 100.
    public static var defaultInterval: Int { 100 }
    /// The snapshots kept at most (about 3 KB each for the demo MLP): older ones are thinned, so
    /// a week-long run's record stays within a few megabytes.
    public static var defaultSnapshotLimit: Int { 1000 }

    public let trainer: Trainer<B>
    public let interval: Int
    /// The most snapshots `record` keeps (see `MonitorRecord.append(_:keepingAtMost:)`).
    public let snapshotLimit: Int
    public var thresholds: DiagnosisThresholds
    /// Called with each finding as it is raised, on the thread that runs `fit`.
    public var onFinding: ((Finding) -> Void)?
    /// Everything measured so far.
    public private(set) var record: MonitorRecord
    /// Every finding raised so far, in order.
    public private(set) var findings: [Finding] = []
    /// The fatal finding that stopped training, if any.
    public private(set) var fatal: Finding?

    private var model: Model<B> { trainer.model }
    private var backend: B { trainer.backend }
    private let layers: [MonitoredLayer]
    private let statistics: B.Buffer
    private let before: B.Buffer
    private let scratch: B.Buffer
    private let slotOffset: Int
    /// The optimizer step the monitor has seen last: it starts at the trainer's count, so that a
    /// monitor made for a resumed run measures at the steps the uninterrupted run did.
    private var step: Int
    private var reported: Set<String> = []

    private struct MonitoredLayer {
        let name: String
        /// Values per sample of the layer's output.
        let features: Int
        /// The units whose death is counted: an image output's channels (a channel is dead when
        /// it is <= 0 at every position of every sample), else each feature.
        let units: Int
        let dead: Bool
        /// For sigmoid and tanh: the negated center, and the negated squared radius, of the
        /// non-saturated range, as bias rows.
        let saturation: (center: B.Buffer, radius: B.Buffer)?
        /// Where its sums, saturation count and column maxima start in the statistics buffer.
        let offset: Int
    }

    /// - Parameters:
    ///   - interval: measure every `interval` steps (>= 1), `defaultInterval` unless given.
    ///   - snapshotLimit: the most snapshots kept (>= 2), `defaultSnapshotLimit` unless given.
    ///   - onFinding: called with each finding as it is raised (the CLI prints it).
    /// - Throws: `DescentError.invalidArgument` for an interval below 1 or a limit below 2;
    ///   allocation errors.
    public init(
        trainer: Trainer<B>, interval: Int = TrainingMonitor.defaultInterval,
        snapshotLimit: Int = TrainingMonitor.defaultSnapshotLimit,
        thresholds: DiagnosisThresholds = DiagnosisThresholds(),
        onFinding: ((Finding) -> Void)? = nil
    ) throws {
        guard interval >= 1 else {
            throw DescentError.invalidArgument(
                operation: "TrainingMonitor", reason: "the interval must be >= 1, got \(interval)")
        }
        guard snapshotLimit >= 2 else {
            throw DescentError.invalidArgument(
                operation: "TrainingMonitor",
                reason: "the snapshot limit must be >= 2, got \(snapshotLimit)")
        }
        self.snapshotLimit = snapshotLimit
        self.trainer = trainer
        self.interval = interval
        self.thresholds = thresholds
        self.onFinding = onFinding
        let model = trainer.model, backend = trainer.backend
        var offset = 1, layers: [MonitoredLayer] = [], widest = 1
        for (index, layer) in model.architecture.layers.enumerated() {
            let shape = model.layerShapes[index], features = shape.count
            let units = shape.image?.channels ?? features
            widest = max(widest, features)
            let activation =
                (layer as? Dense)?.activation ?? (layer as? ActivationLayer)?.activation
            var saturation: (B.Buffer, B.Buffer)? = nil
            if let activation, let bounds = Self.saturationRange(activation) {
                let center = try backend.makeBuffer(count: features),
                    radius = try backend.makeBuffer(count: features)
                try backend.fill(center.view, with: -bounds.center)
                try backend.fill(radius.view, with: -bounds.radius * bounds.radius)
                saturation = (center, radius)
            }
            let dead = activation == .relu
            layers.append(
                MonitoredLayer(
                    name: "layer \(index) \(layer)", features: features, units: units,
                    dead: dead, saturation: saturation, offset: offset))
            offset += 3 + (dead ? units : 0)
        }
        self.layers = layers
        step = trainer.optimizer.stepCount
        slotOffset = offset
        statistics = try backend.makeBuffer(count: offset + 3 * model.slots.count)
        before = try backend.makeBuffer(count: model.arenaCount)
        scratch = try backend.makeBuffer(count: model.maxBatch * widest)
        try backend.copy(model.parameters.view, to: before.view)
        record = MonitorRecord(
            interval: interval, initialParameters: try Self.initialStatistics(of: model))
        try trainer.keepLastFiniteState()
        for finding in Diagnosis.initialization(record.initialParameters) { raise(finding) }
    }

    /// The output range outside which a sigmoid or tanh is saturated (within 1e-2 of its bounds).
    private static func saturationRange(_ activation: Activation) -> (center: Float, radius: Float)?
    {
        switch activation {
        case .sigmoid: (0.5, 0.49)
        case .tanh: (0, 0.99)
        default: nil
        }
    }

    public var requestsStop: Bool { fatal != nil }

    public func batchEnded(batch: Int, of batchCount: Int, epoch: Int, samplesDone: Int) {
        step += 1
        guard fatal == nil else { return }
        do {
            if step == 1 || step % interval == 0 { try measure(epoch: epoch) }
            // Put back the last finite model at once, so that the epoch's validation runs on it.
            if fatal != nil { try trainer.restoreLastFiniteState() }
            if (step + 1) % interval == 0 {
                try backend.copy(model.parameters.view, to: before.view)
            }
        } catch {
            raise(
                Finding(
                    code: "monitor-failed", severity: .warning,
                    message: "The training monitor could not measure step \(step): \(error).",
                    advice: "Training goes on unmonitored.", epoch: epoch))
        }
    }

    public func epochEnded<T: Backend>(
        _ epochRecord: EpochRecord, trainer: Trainer<T>
    ) throws -> CallbackAction {
        if fatal == nil, let finding = Diagnosis.nonFiniteLoss(History(epochs: [epochRecord])).first
        {
            fatal = finding
            raise(finding)
        }
        guard let fatal else { return .proceed }
        return .stop(
            reason:
                "\(fatal.code): \(fatal.message) The model of the last finite monitored step was restored."
        )
    }

    /// Computes the step's statistics on the device, reads them in one download, records them
    /// and raises what they show.
    private func measure(epoch: Int) throws {
        guard model.layerOutputs.count == layers.count else { return }
        let stats = statistics
        func slot(_ offset: Int, _ count: Int = 1) throws -> B.View {
            try stats.view(offset: offset, count: count)
        }
        if let loss = trainer.lastBatchLoss {
            try backend.copy(loss, to: try slot(0))
        } else {
            try backend.fill(try slot(0), with: 0)
        }
        for (layer, output) in zip(layers, model.layerOutputs) {
            let shape = MatrixShape(rows: output.count / layer.features, columns: layer.features)
            try backend.reduce(
                .sum, output, axis: .all, output: try slot(layer.offset), shape: shape)
            try backend.reduce(
                .sumOfSquares, output, axis: .all, output: try slot(layer.offset + 1), shape: shape)
            if layer.dead {
                let rows = output.count / layer.features
                var perUnit = output
                if layer.units < layer.features {
                    // Each sample's channel maximum over its positions first.
                    perUnit = try scratch.view(offset: 0, count: rows * layer.units)
                    try backend.reduce(
                        .max, output, axis: .eachRow, output: perUnit,
                        shape: MatrixShape(
                            rows: rows * layer.units, columns: layer.features / layer.units))
                }
                try backend.reduce(
                    .max, perUnit, axis: .eachColumn,
                    output: try slot(layer.offset + 3, layer.units),
                    shape: MatrixShape(rows: rows, columns: layer.units))
            }
            if let (center, radius) = layer.saturation {
                // A step function from existing ops: sigmoid(1e5 ((y - c)^2 - r^2)) is 1 where |y - c| > r.
                let s = try scratch.view(offset: 0, count: output.count)
                try backend.addBias(output, bias: center.view, output: s, shape: shape)
                try backend.elementwise(.multiply, s, s, output: s)
                try backend.addBias(s, bias: radius.view, output: s, shape: shape)
                try backend.scale(s, by: 1e5, output: s)
                try backend.activationForward(.sigmoid, input: s, output: s)
                try backend.reduce(
                    .sum, s, axis: .all, output: try slot(layer.offset + 2),
                    shape: MatrixShape(rows: 1, columns: s.count))
            }
        }
        try backend.elementwise(.subtract, model.parameters.view, before.view, output: before.view)
        for (index, parameter) in model.slots.enumerated() {
            let shape = MatrixShape(rows: 1, columns: parameter.spec.count)
            for (k, arena) in [model.parameters, model.gradients, before].enumerated() {
                try backend.reduce(
                    .sumOfSquares,
                    try arena.view(offset: parameter.offset, count: parameter.spec.count),
                    axis: .all,
                    output: try slot(slotOffset + 3 * index + k), shape: shape)
            }
        }
        let values = try backend.download(statistics.view).map(Double.init)
        let snapshot = self.snapshot(values, epoch: epoch)
        if snapshot.nonFinite == nil { try trainer.keepLastFiniteState() }
        for finding in Diagnosis.snapshotRules(
            snapshot, first: record.snapshots.first, epoch: epoch, thresholds: thresholds)
        {
            if finding.severity == .error && fatal == nil { fatal = finding }
            raise(finding)
        }
        record.append(snapshot, keepingAtMost: snapshotLimit)
    }

    private func snapshot(_ values: [Double], epoch: Int) -> MonitorSnapshot {
        var nonFinite: NonFiniteValue? =
            values[0].isFinite ? nil : NonFiniteValue(pass: .loss, layerIndex: nil, name: "loss")
        let layerStatistics = layers.enumerated().map { index, layer -> LayerStatistics in
            let count = Double(model.layerOutputs[index].count)
            let mean = values[layer.offset] / count
            let finite = values[layer.offset].isFinite && values[layer.offset + 1].isFinite
            if !finite && nonFinite == nil {
                nonFinite = NonFiniteValue(pass: .forward, layerIndex: index, name: layer.name)
            }
            let dead =
                layer.dead
                ? Double(
                    values[layer.offset + 3..<layer.offset + 3 + layer.units].filter { $0 <= 0 }
                        .count) / Double(layer.units)
                : nil
            return LayerStatistics(
                layerIndex: index, name: layer.name, mean: mean,
                standardDeviation: max(values[layer.offset + 1] / count - mean * mean, 0)
                    .squareRoot(),
                deadFraction: dead,
                saturatedFraction: layer.saturation == nil ? nil : values[layer.offset + 2] / count,
                nonFinite: !finite)
        }
        var parameterStatistics: [ParameterStatistics] = []
        for pass in [NonFiniteValue.Pass.backward, .update] {
            for (index, slot) in model.slots.enumerated() {
                let base = slotOffset + 3 * index
                let name = GradientCheck.name(of: slot, in: model.architecture)
                let bad =
                    pass == .backward
                    ? !values[base + 1].isFinite
                    : !(values[base].isFinite && values[base + 2].isFinite)
                if bad && nonFinite == nil {
                    nonFinite = NonFiniteValue(pass: pass, layerIndex: slot.layerIndex, name: name)
                }
                guard pass == .update else { continue }
                parameterStatistics.append(
                    ParameterStatistics(
                        slotIndex: index, layerIndex: slot.layerIndex, name: name,
                        count: slot.spec.count, isWeight: slot.spec.decays,
                        weightNorm: values[base].squareRoot(),
                        gradientNorm: values[base + 1].squareRoot(),
                        updateNorm: values[base + 2].squareRoot(),
                        nonFinite:
                            !(values[base].isFinite && values[base + 1].isFinite
                            && values[base + 2].isFinite)))
            }
        }
        return MonitorSnapshot(
            step: step, epoch: epoch, loss: values[0], layers: layerStatistics,
            parameters: parameterStatistics, nonFinite: nonFinite)
    }

    /// Records `finding` and passes it on, once per code and layer or parameter.
    private func raise(_ finding: Finding) {
        let key =
            finding.code + "|" + (finding.evidence["layer"] ?? finding.evidence["parameter"] ?? "")
        guard reported.insert(key).inserted else { return }
        findings.append(finding)
        onFinding?(finding)
    }

    /// The mean and standard deviation of each parameter, and whether a weight matrix's units
    /// all start alike: one download, before training.
    private static func initialStatistics(of model: Model<B>) throws -> [InitialParameterStatistics]
    {
        let arena = try model.backend.download(model.parameters.view)
        return model.slots.enumerated().map { index, slot in
            let values = arena[slot.offset..<slot.offset + slot.spec.count].map(Double.init)
            let mean = values.reduce(0, +) / Double(values.count)
            let variance =
                values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
            var identical = false
            if slot.spec.decays, slot.spec.shape.count == 2, slot.spec.shape[1] > 1 {
                let units = slot.spec.shape[1]
                identical = stride(from: 0, to: values.count, by: units).allSatisfy { row in
                    values[row..<row + units].allSatisfy { $0 == values[row] }
                }
            }
            return InitialParameterStatistics(
                slotIndex: index, layerIndex: slot.layerIndex,
                name: GradientCheck.name(of: slot, in: model.architecture),
                shape: slot.spec.shape, isWeight: slot.spec.decays, mean: mean,
                standardDeviation: variance.squareRoot(),
                identicalUnits: identical)
        }
    }
}
