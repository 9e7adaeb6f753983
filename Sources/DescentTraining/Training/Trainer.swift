#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

/// Trains a `Sequential` model on a backend: mini-batches, validation, callbacks, evaluation.
///
/// An epoch uploads the shuffled training set to the device once; each step then runs forward,
/// the loss, backward and one fused optimizer launch per parameter group, and reads nothing back.
/// The epoch's loss is summed on the device and its predictions gathered there; both are read
/// once, at the end of the epoch. With a `communicator` of several ranks (`mpirun`), `fit` trains
/// data-parallel: each rank its share of every batch, the gradients summed over the ranks each
/// step (see `Trainer+DataParallel.swift`).
public final class Trainer<B: Backend> {
    public let model: Model<B>
    /// What the model learns: decides how labels are read, scored and measured.
    public let task: LearningTask
    public let loss: LossFunction
    public let optimizer: FusedOptimizer<B>
    public var backend: B { model.backend }
    /// The last training step's mean batch loss, on the device (1 element), for monitors.
    public private(set) var lastBatchLoss: B.View?
    /// The model's state when it was last known to be finite (see `keepLastFiniteState`).
    private var lastFinite: LastFiniteState<B>?
    /// The loss's gradient with respect to the outputs, `maxBatch` rows.
    private let outputGradient: B.Buffer
    /// The job `fit` trains in: one process, or the ranks of a data-parallel run (see
    /// `synchronizeStart`), each of which builds the same trainer and calls `fit` with the same
    /// data.
    public var communicator: any Communicator = SingleProcessCommunicator()
    /// The seconds data-parallel training has spent summing gradients across ranks (the
    /// arena's download, allreduce and upload), over every `fit` so far: 0 in one process.
    public internal(set) var communicationSeconds = 0.0

    /// - Parameters:
    ///   - inputShape: the shape of each input sample (a data set's `sampleShape`); nil takes
    ///     the first layer's inputs when it is a `Dense`.
    ///   - task: what the model learns; its width must be the model's output width.
    ///   - loss: nil trains with the task's default loss.
    ///   - maxBatch: the largest batch `fit`, `evaluate` and `predict` will use.
    /// - Throws: `DescentError.invalidArgument` when the loss does not fit the task, or
    ///   `.shapeMismatch` when the task's width is not the model's.
    public convenience init(
        architecture: Sequential, inputShape: SampleShape? = nil, on backend: B, task: LearningTask,
        loss: LossFunction? = nil,
        optimizer: any Optimizer, schedule: (any LearningRateSchedule)? = nil,
        clipping: GradientClipping = .none,
        maxBatch: Int = 1024
    ) throws {
        let model = try Self.model(
            architecture, inputShape: inputShape, on: backend, maxBatch: maxBatch)
        try self.init(
            built: model, task: task, loss: loss ?? task.defaultLoss, optimizer: optimizer,
            schedule: schedule, clipping: clipping)
    }

    /// A trainer for the task `loss` implies on the model's outputs (`LearningTask(loss:outputs:)`):
    /// binary cross-entropy on one output is binary classification, cross-entropy multi-class.
    public convenience init(
        architecture: Sequential, inputShape: SampleShape? = nil, on backend: B, loss: LossFunction,
        optimizer: any Optimizer, schedule: (any LearningRateSchedule)? = nil,
        clipping: GradientClipping = .none,
        maxBatch: Int = 1024
    ) throws {
        let model = try Self.model(
            architecture, inputShape: inputShape, on: backend, maxBatch: maxBatch)
        try self.init(
            built: model, task: LearningTask(loss: loss, outputs: model.outputFeatures), loss: loss,
            optimizer: optimizer,
            schedule: schedule, clipping: clipping)
    }

    private init(
        built model: Model<B>, task: LearningTask, loss: LossFunction, optimizer: any Optimizer,
        schedule: (any LearningRateSchedule)?, clipping: GradientClipping
    ) throws {
        guard LearningTask(loss: loss, outputs: task.outputFeatures) == task else {
            throw DescentError.invalidArgument(
                operation: "Trainer",
                reason: "\(loss) does not train \(task); use \(task.defaultLoss)")
        }
        guard model.outputFeatures == task.outputFeatures else {
            throw DescentError.shapeMismatch(
                operation: "Trainer",
                expected: "a model of \(task.outputFeatures) outputs for \(task)",
                actual: "\(model.outputFeatures) outputs")
        }
        self.model = model
        self.task = task
        self.loss = loss
        outputGradient = try model.backend.makeBuffer(count: model.maxBatch * model.outputFeatures)
        self.optimizer = try FusedOptimizer(
            optimizer, on: model.backend, parameterCount: model.arenaCount,
            groups: model.parameterGroups,
            schedule: schedule, clipping: clipping)
    }

    private static func model(
        _ architecture: Sequential, inputShape: SampleShape?, on backend: B, maxBatch: Int
    ) throws -> Model<B> {
        guard
            let shape = inputShape
                ?? (architecture.layers.first as? Dense).map({ .features($0.inputs) })
        else {
            throw DescentError.invalidArgument(
                operation: "Trainer",
                reason: "pass inputShape (the data set's sampleShape): the first layer does not "
                    + "say what it takes")
        }
        return try Model(architecture, inputShape: shape, on: backend, maxBatch: maxBatch)
    }

    /// Trains for `epochs` epochs in batches of `batchSize` (the last one partial; a last batch of
    /// one sample is merged into the one before, see `batches`), shuffling the
    /// training set each epoch with `seed`, evaluating `validation` after each epoch, and calling
    /// `callbacks` in order; stops early when one asks.
    ///
    /// A run that diverges ends as a result, not as an error: when an epoch's training loss, or
    /// its validation loss (batch norm's running statistics), is NaN or infinite, the model's last
    /// finite state is put back before validation (the end of the previous epoch, or the last
    /// step a `TrainingMonitor` found finite), the epoch is recorded with its non-finite loss, and
    /// training stops with `History.stopReason` starting `non-finite-loss:`. The loss and
    /// accuracy of an epoch that a callback ended early cover only the steps that ran.
    /// - Parameter resuming: where a run restored by `TrainingCheckpoint.resume` continues: from
    ///   epoch `epochsDone`, its history continuing the saved one.
    /// - Throws: `DescentError.invalidArgument` for an empty data set, a batch size outside
    ///   1...maxBatch, features or labels that do not fit the model and loss, or more than one
    ///   `LearningRateController` among the callbacks.
    public func fit(
        _ train: Dataset, validation: Dataset? = nil, epochs: Int, batchSize: Int, seed: UInt64 = 0,
        callbacks: [any Callback] = [], resuming: ResumePoint? = nil
    ) throws -> History {
        try check(train, batchSize: batchSize, operation: "fit")
        let controllers = callbacks.filter { $0 is any LearningRateController }
        guard controllers.count <= 1 else {
            throw DescentError.invalidArgument(
                operation: "fit",
                reason:
                    "\(controllers.map { "\(type(of: $0))" }.joined(separator: " and ")) each set the learning rate "
                    + "after every epoch, so one would silently undo the other; keep one (a per-step shape goes in the optimizer's schedule)"
            )
        }
        if let validation {
            try check(validation, batchSize: batchSize, operation: "fit(validation:)")
        }
        let n = train.sampleCount
        let features = try backend.makeBuffer(count: n * model.inputFeatures)
        let labels = try labelBuffer(count: n)
        let predictions = try backend.makeBuffer(count: n, elementType: .int32)
        let binary = isBinaryClassification(train)
        let logits = binary ? try backend.makeBuffer(count: n) : nil
        let lossSum = try backend.makeBuffer(count: 1)
        let batchLoss = try backend.makeBuffer(count: 1)
        lastBatchLoss = batchLoss.view
        let batches = Self.batches(sampleCount: n, batchSize: batchSize, maxBatch: model.maxBatch)
        let batchCount = batches.count
        optimizer.stepsPerEpoch = batchCount
        var history = resuming?.history ?? History()
        let distributed = communicator.isDistributed
        model.dataParallel.communicator = communicator
        if distributed {
            try synchronizeStart(train, validation: validation, batchSize: batchSize, seed: seed)
        }
        try keepLastFiniteState()

        for epoch in min(resuming?.epochsDone ?? 0, epochs)..<epochs {
            let started = monotonicSeconds()
            let shuffled = train.shuffled(seed: seed &+ UInt64(epoch))
            try backend.upload(shuffled.features, to: features.view)
            try upload(labelsOf: shuffled, to: labels)
            try backend.fill(lossSum.view, with: 0)
            if distributed {
                // Each rank writes its own samples' results; the sum over the ranks has them all.
                try backend.upload([Int32](repeating: 0, count: n), to: predictions.view)
                if let logits { try backend.fill(logits.view, with: 0) }
            }
            var learningRate = Double(optimizer.learningRate(of: optimizer.groups[0]))
            var learningRateCurve: [RatePoint] = []
            let curveSpacing = max(1, batchCount / EpochRecord.ratePointsPerEpoch)
            // A callback may end the epoch early (the monitor, on a non-finite value): the epoch's
            // loss and accuracy then cover the samples of the steps that ran, and no others.
            var samplesDone = 0
            for (index, (start, batch)) in batches.enumerated() {
                learningRate = Double(optimizer.learningRate(of: optimizer.groups[0]))
                if index % curveSpacing == 0 || index == batchCount - 1 {
                    learningRateCurve.append(
                        RatePoint(
                            epoch: Double(epoch) + Double(index) / Double(batchCount),
                            rate: learningRate))
                }
                // This rank's rows of the step's batch: all of them in one process.
                let slice = RankSlice(rows: batch, rank: communicator.rank, size: communicator.size)
                let first = start + slice.offset, rows = slice.count
                model.dataParallel.rows = rows
                model.dataParallel.globalRows = batch
                if rows > 0 {
                    let x = try features.view(
                        offset: first * model.inputFeatures, count: rows * model.inputFeatures)
                    try computeGradients(
                        x, labels: labels, start: first, batch: rows, firstRow: slice.offset,
                        loss: batchLoss.view
                    ) { output in
                        try self.backend.axpy(
                            alpha: Float(rows), x: batchLoss.view, y: lossSum.view)
                        if let logits {
                            try self.backend.copy(
                                output, to: try logits.view(offset: first, count: rows))
                        } else if self.loss.takesClasses {
                            try self.backend.argmaxRows(
                                output, output: try predictions.view(offset: first, count: rows),
                                shape: MatrixShape(rows: rows, columns: self.model.outputFeatures))
                        }
                    }
                } else {
                    // A batch too small to reach this rank: it adds nothing to the sums.
                    try backend.fill(model.gradients.view, with: 0)
                    try model.sitOutStep()
                }
                if distributed { try sumGradients(rows: rows, of: batch) }
                try optimizer.step(
                    parameters: model.parameters.view, gradients: model.gradients.view)
                samplesDone = start + batch
                for callback in callbacks {
                    callback.batchEnded(
                        batch: index + 1, of: batchCount, epoch: epoch, samplesDone: samplesDone)
                }
                var stops = callbacks.contains(where: \.requestsStop)
                if distributed { stops = try anyRankRequestsStop(stops) }
                if stops { break }
            }
            var lossTotal = [Double(try backend.download(lossSum.view)[0])]
            if distributed {
                try communicator.allreduceSum(&lossTotal)
                if !model.dataParallel.synchronizing { try averageRunningStatistics() }
            }
            let meanLoss = lossTotal[0] / Double(max(samplesDone, 1))
            var accuracy: Double? = nil
            if let classes = shuffled.classIndices, let classCount = shuffled.classCount,
                samplesDone > 0
            {
                // Each rank wrote its own samples' results and zeros elsewhere: the sum over the
                // ranks (nothing to sum in one process) has them all.
                let predicted =
                    try logits.map {
                        var values = try backend.download(
                            try $0.view(offset: 0, count: samplesDone))
                        if distributed { try communicator.allreduceSum(&values) }
                        return values.map(LearningTask.binaryPrediction)
                    }
                    ?? {
                        var values = try backend.download(
                            try predictions.view(offset: 0, count: samplesDone), as: Int32.self)
                        if distributed { try communicator.allreduceSum(&values) }
                        return values
                    }()
                accuracy = try ClassificationMetrics.accuracy(
                    labels: Array(classes.prefix(samplesDone)), predictions: predicted,
                    classCount: classCount)
            }
            let trainingSeconds = monotonicSeconds() - started
            var diverged = !meanLoss.isFinite
            if diverged { try restoreLastFiniteState() }
            var evaluation = try validation.map { try evaluate($0, batchSize: batchSize) }
            // The record keeps a non-finite validation loss; the metrics are the restored model's.
            let validationLoss = evaluation?.loss
            if !diverged, let validationLoss, !validationLoss.isFinite {
                // Finite training steps but non-finite running statistics: inference diverged.
                diverged = true
                try restoreLastFiniteState()
                evaluation = try validation.map { try evaluate($0, batchSize: batchSize) }
            }
            if !diverged { try keepLastFiniteState() }
            let record = EpochRecord(
                epoch: epoch, loss: meanLoss, accuracy: accuracy, validationLoss: validationLoss,
                validationAccuracy: evaluation?.accuracy, learningRate: learningRate,
                seconds: monotonicSeconds() - started,
                samplesPerSecond: Double(samplesDone) / max(trainingSeconds, 1e-9),
                learningRateCurve: learningRateCurve)
            history.epochs.append(record)
            var stop: String? = nil
            for callback in callbacks {
                if case .stop(let reason) = try callback.epochEnded(record, trainer: self),
                    stop == nil
                {
                    stop = reason
                }
            }
            // A divergence is the reason, whatever else a callback saw in this epoch.
            if diverged && !(stop?.hasPrefix("non-finite-loss") ?? false) {
                let what =
                    meanLoss.isFinite
                    ? "validation loss (batch norm's running statistics)" : "training loss"
                stop =
                    "non-finite-loss: the \(what) of epoch \(epoch + 1) is not finite; the model's last finite state was restored."
            }
            if let stop {
                history.stopReason = stop
                break
            }
        }
        for callback in callbacks { try callback.trainingEnded(trainer: self) }
        return history
    }

    /// The (start, size) of each training step of an epoch over `sampleCount` samples: batches of
    /// `batchSize`, the last one partial. A last batch of one sample (which batch norm cannot
    /// normalize, and which would weigh one sample as much as a whole batch) is merged into the
    /// batch before it, or, when that would exceed `maxBatch`, left out of the epoch (each epoch
    /// shuffles anew, so another sample is last the next time).
    static func batches(
        sampleCount: Int, batchSize: Int, maxBatch: Int
    ) -> [(start: Int, size: Int)] {
        var batches = stride(from: 0, to: sampleCount, by: batchSize).map {
            ($0, min(batchSize, sampleCount - $0))
        }
        if batchSize > 1, batches.count > 1, batches[batches.count - 1].1 == 1 {
            batches.removeLast()
            if batchSize + 1 <= maxBatch { batches[batches.count - 1].1 += 1 }
        }
        return batches
    }

    /// Copies the model's current state (parameters and running statistics) on the device as the
    /// last one known to be finite; `fit` calls it before training and after each finite epoch,
    /// a `TrainingMonitor` at each step it measured finite.
    public func keepLastFiniteState() throws {
        if lastFinite == nil { lastFinite = try LastFiniteState(of: model) }
        try lastFinite?.keep()
    }

    /// Puts back the state last kept with `keepLastFiniteState` (nothing before the first keep).
    public func restoreLastFiniteState() throws {
        try lastFinite?.restore()
    }

    /// The loss and metrics of the model (in inference mode) on `data`.
    public func evaluate(_ data: Dataset, batchSize: Int? = nil) throws -> Evaluation {
        let batchSize = batchSize ?? model.maxBatch
        try check(data, batchSize: batchSize, operation: "evaluate")
        let n = data.sampleCount
        let features = try backend.makeBuffer(data.features)
        let labels = try labelBuffer(count: n)
        try upload(labelsOf: data, to: labels)
        let outputs = try backend.makeBuffer(count: n * model.outputFeatures)
        let lossSum = try backend.makeBuffer(count: 1), batchLoss = try backend.makeBuffer(count: 1)
        try backend.fill(lossSum.view, with: 0)
        for start in stride(from: 0, to: n, by: batchSize) {
            let batch = min(batchSize, n - start)
            let output = try model.forward(
                try features.view(
                    offset: start * model.inputFeatures, count: batch * model.inputFeatures),
                batch: batch, training: false)
            try backend.copy(
                output,
                to: try outputs.view(
                    offset: start * model.outputFeatures, count: batch * model.outputFeatures))
            try lossStep(
                output, labels: labels, start: start, batch: batch, loss: batchLoss.view,
                gradient: nil)
            try backend.axpy(alpha: Float(batch), x: batchLoss.view, y: lossSum.view)
        }
        let meanLoss = Double(try backend.download(lossSum.view)[0]) / Double(n)
        let outputValues = try backend.download(outputs.view)
        guard let classes = data.classIndices, let classCount = data.classCount else {
            return Evaluation(
                loss: meanLoss, report: nil,
                regression: try RegressionMetrics(
                    targets: data.targets ?? [], predictions: outputValues),
                outputs: outputValues)
        }
        let binary = isBinaryClassification(data)
        let scores = task.scores(fromOutputs: outputValues)
        // The backends' argmax (as in fit), whose NaN rule measures a model gone NaN instead of refusing it.
        let predictions: [Int32]
        if binary {
            predictions = outputValues.map(LearningTask.binaryPrediction)
        } else {
            let classes = try backend.makeBuffer(count: n, elementType: .int32)
            try backend.argmaxRows(
                outputs.view, output: classes.view,
                shape: MatrixShape(rows: n, columns: model.outputFeatures))
            predictions = try backend.download(classes.view, as: Int32.self)
        }
        let report = try ClassificationReport(
            labels: classes, predictions: predictions, classCount: max(classCount, binary ? 2 : 0),
            classNames: data.classNames)
        return Evaluation(loss: meanLoss, report: report, regression: nil, outputs: scores)
    }

    /// The model's outputs (logits, or predictions for regression) for every sample of `data`,
    /// row-major `sampleCount x outputFeatures`.
    public func predict(_ data: Dataset, batchSize: Int? = nil) throws -> [Float] {
        let batchSize = batchSize ?? model.maxBatch
        try check(data, batchSize: batchSize, operation: "predict", labels: false)
        return try model.outputs(for: data.features, batchSize: batchSize)
    }

    // MARK: Steps

    /// One training step on `batch` samples on the device (`computeGradients`, then one
    /// optimizer step at the optimizer's current rate). Reads nothing back.
    /// - Parameters:
    ///   - labels: the labels as `labels(of:)` lays them out; the batch's start at `start`.
    package func trainingStep(
        _ x: B.View, labels: B.Buffer, start: Int, batch: Int, loss lossView: B.View,
        observe: (B.View) throws -> Void = { _ in }
    ) throws {
        try computeGradients(
            x, labels: labels, start: start, batch: batch, firstRow: 0, loss: lossView,
            observe: observe)
        try optimizer.step(parameters: model.parameters.view, gradients: model.gradients.view)
    }

    /// The gradient of the mean loss of `batch` samples into the gradient arena: the forward
    /// pass in training mode (random layers drawing at `firstRow` of the step's global batch),
    /// the loss (its mean into `lossView`) and its gradient, `observe` with the outputs (before
    /// the backward pass may reuse their memory), and the backward pass.
    private func computeGradients(
        _ x: B.View, labels: B.Buffer, start: Int, batch: Int, firstRow: Int,
        loss lossView: B.View, observe: (B.View) throws -> Void
    ) throws {
        let output = try model.forward(x, batch: batch, training: true, firstRow: firstRow)
        let gradient = try outputGradient.view(offset: 0, count: batch * model.outputFeatures)
        try lossStep(
            output, labels: labels, start: start, batch: batch, loss: lossView, gradient: gradient)
        try observe(output)
        try model.backward(gradient, batch: batch)
    }

    /// The labels of `data` on the device, laid out as the loss reads them: class indices, or
    /// `outputFeatures` real values per sample.
    package func labels(of data: Dataset) throws -> B.Buffer {
        let buffer = try labelBuffer(count: data.sampleCount)
        try upload(labelsOf: data, to: buffer)
        return buffer
    }

    private func lossStep(
        _ output: B.View, labels: B.Buffer, start: Int, batch: Int, loss lossView: B.View,
        gradient: B.View?
    ) throws {
        let shape = MatrixShape(rows: batch, columns: model.outputFeatures)
        let outputs = LossOutputs(loss: lossView, inputGradient: gradient)
        let labelView = try labels.view(
            offset: start * (loss.takesClasses ? 1 : model.outputFeatures),
            count: batch * (loss.takesClasses ? 1 : model.outputFeatures))
        try loss.enqueue(
            on: backend, output: output, labels: labelView, shape: shape, outputs: outputs)
    }

    private func labelBuffer(count: Int) throws -> B.Buffer {
        loss.takesClasses
            ? try backend.makeBuffer(count: count, elementType: .int32)
            : try backend.makeBuffer(count: count * model.outputFeatures)
    }

    private func upload(labelsOf data: Dataset, to buffer: B.Buffer) throws {
        if loss.takesClasses {
            try backend.upload(data.classIndices ?? [], to: buffer.view)
        } else {
            try backend.upload(data.targetValues, to: buffer.view)
        }
    }

    /// Whether `data` holds the class labels 0/1 of a binary task (learned through one logit,
    /// the target being the class index).
    private func isBinaryClassification(_ data: Dataset) -> Bool {
        task == .binaryClassification && (data.classCount ?? 3) <= 2
    }

    private func check(
        _ data: Dataset, batchSize: Int, operation: String, labels: Bool = true
    ) throws {
        guard data.sampleCount > 0 else {
            throw DescentError.invalidArgument(
                operation: operation, reason: "the data set is empty")
        }
        guard (1...model.maxBatch).contains(batchSize) else {
            throw DescentError.invalidArgument(
                operation: operation,
                reason: "the batch size must be in 1...\(model.maxBatch), got \(batchSize)")
        }
        guard data.featureCount == model.inputFeatures else {
            throw DescentError.shapeMismatch(
                operation: operation,
                expected: "\(model.inputFeatures) features per sample (the model's input)",
                actual: "\(data.featureCount)")
        }
        guard labels else { return }
        if isBinaryClassification(data) { return }
        if loss.takesClasses {
            guard let classCount = data.classCount, classCount <= model.outputFeatures else {
                throw DescentError.invalidArgument(
                    operation: operation,
                    reason:
                        "\(loss) needs class labels in 0..<\(model.outputFeatures) (the model's outputs)"
                )
            }
        } else {
            guard data.targets != nil, data.labelWidth == model.outputFeatures else {
                throw DescentError.invalidArgument(
                    operation: operation,
                    reason: "\(loss) needs \(model.outputFeatures) real-valued targets per sample"
                        + (loss == .binaryCrossEntropy
                            ? ", or class labels 0/1 with one output" : ""))
            }
        }
    }

}

/// The result of `Trainer.evaluate`.
public struct Evaluation: Sendable {
    /// The mean loss.
    public var loss: Double
    /// Accuracy, confusion matrix and per-class precision/recall/F1 (classification).
    public var report: ClassificationReport?
    /// MSE, MAE, RMSE, R^2 (regression).
    public var regression: RegressionMetrics?
    /// The model's outputs per sample, row-major: class scores (logits; for binary
    /// cross-entropy the pair `[0, z]`, whose softmax is the sigmoid's two probabilities) or
    /// the regression predictions.
    public var outputs: [Float]

    public var accuracy: Double? { report?.accuracy }
}
