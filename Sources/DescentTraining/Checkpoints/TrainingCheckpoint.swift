import DescentCore

/// A resumable checkpoint of a training run, rewritten atomically after every epoch: the model
/// (parameters and running statistics), the optimizer's state arrays, its step count and
/// learning rate, the model's count of training passes (the dropout masks' counter), the
/// history so far, and the state of early stopping (with its best weights) and of a plateau
/// reducer. Shuffles are seeded per epoch, so a run resumed from the end of epoch `k` trains
/// epoch `k + 1` on exactly the batches and masks the uninterrupted run did: it ends with the
/// same weights. Put it after the callbacks whose state it keeps, so it saves their state of the
/// epoch. The checkpoint outlives `fit`: remove it (`FileIO.remove`) once the run's results are
/// written, so that a kill before then still leaves something to resume.
///
/// The file is safetensors: the model's tensors under `model.`, the optimizer's state arrays as
/// `optimizer.<i>`, early stopping's best weights under `best.`, and `descent.training_state`
/// (JSON) in the header metadata, with any metadata the caller adds.
public final class TrainingCheckpoint: Callback {
    /// The header metadata key of the state.
    public static let stateKey = "descent.training_state"

    public let path: String
    /// More header metadata (for example the options to resume with).
    public let metadata: [String: String]
    let earlyStopping: EarlyStopping?
    let plateau: ReduceLROnPlateau?
    private var history: History

    /// - Parameters:
    ///   - earlyStopping, plateau: the run's callbacks whose state the checkpoint keeps.
    ///   - resumed: where a resumed run starts (`resume(from:...)`), whose history it continues.
    public init(
        path: String, earlyStopping: EarlyStopping? = nil, plateau: ReduceLROnPlateau? = nil,
        resumed: ResumePoint? = nil, metadata: [String: String] = [:]
    ) {
        self.path = path
        self.earlyStopping = earlyStopping
        self.plateau = plateau
        self.metadata = metadata
        history = resumed?.history ?? History()
    }

    public func epochEnded<B: Backend>(
        _ record: EpochRecord, trainer: Trainer<B>
    ) throws -> CallbackAction {
        history.epochs.append(record)
        var tensors = try trainer.model.stateTensors().map { $0.renamed("model." + $0.name) }
        for (index, buffer) in trainer.optimizer.state.enumerated() {
            tensors.append(
                SafeTensor(
                    name: "optimizer.\(index)", shape: [buffer.count],
                    values: try trainer.backend.download(buffer.view)))
        }
        tensors += (earlyStopping?.bestState ?? []).map { $0.renamed("best." + $0.name) }
        let state = SavedTrainingState(
            epochsDone: record.epoch + 1, optimizerSteps: trainer.optimizer.stepCount,
            learningRate: trainer.optimizer.learningRate,
            modelTrainingSteps: trainer.model.trainingSteps,
            history: history.epochs.map(SavedTrainingState.Epoch.init),
            earlyStopping: earlyStopping.map {
                .init(best: $0.best, bestEpoch: $0.bestEpoch, wait: $0.wait)
            },
            plateau: plateau.map {
                .init(
                    best: $0.reducer.best.isFinite ? $0.reducer.best : nil,
                    badEpochs: $0.reducer.badEpochs,
                    cooldownRemaining: $0.reducer.cooldownRemaining)
            })
        let file = SafeTensorsFile(
            tensors: tensors,
            metadata: metadata.merging([Self.stateKey: try JSON.text(state)]) { $1 })
        do {
            try file.write(to: path)
        } catch let error as SafeTensorsError {
            throw DescentError.invalidArgument(
                operation: "TrainingCheckpoint", reason: error.description)
        }
        return .proceed
    }

    /// Puts the run saved at `path` back into `trainer` (built as the run was: same model,
    /// optimizer and schedule) and into the run's `earlyStopping` and `plateau`, and returns
    /// where to continue: pass it to `Trainer.fit(resuming:)` and to the new checkpoint.
    /// - Throws: `DescentError.invalidArgument` for a file that is not such a checkpoint, or
    ///   whose tensors do not fit the trainer's model and optimizer.
    public static func resume<B: Backend>(
        from path: String, into trainer: Trainer<B>, earlyStopping: EarlyStopping? = nil,
        plateau: ReduceLROnPlateau? = nil
    ) throws -> ResumePoint {
        let operation = "TrainingCheckpoint.resume"
        let file = try SafeTensorsFile(contentsOf: path, for: operation)
        guard let text = file.metadata[stateKey],
            let state = try? JSON.decode(SavedTrainingState.self, from: text)
        else {
            throw DescentError.invalidArgument(
                operation: operation,
                reason:
                    "\(path) holds no training state ('\(stateKey)'): it is not a resume checkpoint"
            )
        }
        guard state.epochsDone >= 0, state.optimizerSteps >= 0, state.modelTrainingSteps >= 0,
            state.learningRate.isFinite, state.learningRate >= 0
        else {
            throw DescentError.invalidArgument(
                operation: operation,
                reason: "\(path): its training state has a negative count or a bad learning rate")
        }
        func tensors(_ prefix: String) -> [SafeTensor] {
            file.tensors.filter { $0.name.hasPrefix(prefix) }.map {
                $0.renamed(String($0.name.dropFirst(prefix.count)))
            }
        }
        try trainer.model.restore(tensors("model."))
        let optimizerState = tensors("optimizer.")
        guard optimizerState.count == trainer.optimizer.state.count else {
            throw DescentError.invalidArgument(
                operation: operation,
                reason:
                    "\(path) holds \(optimizerState.count) optimizer state arrays and this optimizer keeps \(trainer.optimizer.state.count)"
            )
        }
        for (index, buffer) in trainer.optimizer.state.enumerated() {
            guard let saved = optimizerState.first(where: { $0.name == String(index) }),
                saved.values.count == buffer.count
            else {
                throw DescentError.invalidArgument(
                    operation: operation,
                    reason: "\(path): optimizer state array \(index) does not fit this model")
            }
            try trainer.backend.upload(saved.values, to: buffer.view)
        }
        trainer.optimizer.stepCount = state.optimizerSteps
        trainer.optimizer.learningRate = state.learningRate
        trainer.model.trainingSteps = state.modelTrainingSteps
        if let earlyStopping, let saved = state.earlyStopping {
            earlyStopping.best = saved.best
            earlyStopping.bestEpoch = saved.bestEpoch
            earlyStopping.wait = saved.wait
            let best = tensors("best.")
            // The best weights are put back at the end: they must fit the model now.
            let layout = try trainer.model.stateTensors().map { [$0.name: $0.shape] }
            guard best.isEmpty || best.map({ [$0.name: $0.shape] }) == layout else {
                throw DescentError.invalidArgument(
                    operation: operation,
                    reason: "\(path): early stopping's best weights do not fit this model")
            }
            earlyStopping.bestState = best.isEmpty ? nil : best
        }
        if let plateau, let saved = state.plateau {
            if let best = saved.best { plateau.reducer.best = best }
            plateau.reducer.badEpochs = saved.badEpochs
            plateau.reducer.cooldownRemaining = saved.cooldownRemaining
        }
        return ResumePoint(
            epochsDone: state.epochsDone, history: History(epochs: state.history.map(\.record)))
    }
}

/// Where a resumed run continues: after `epochsDone` epochs, whose records `history` holds.
public struct ResumePoint: Sendable, Equatable {
    public let epochsDone: Int
    public let history: History

    public init(epochsDone: Int, history: History) {
        self.epochsDone = epochsDone
        self.history = history
    }
}

/// The JSON of `TrainingCheckpoint.stateKey`.
struct SavedTrainingState: Codable {
    var epochsDone: Int
    var optimizerSteps: Int
    var learningRate: Float
    var modelTrainingSteps: Int
    var history: [Epoch]
    var earlyStopping: EarlyStoppingState?
    var plateau: PlateauState?

    /// An `EpochRecord`, its non-finite values as null.
    struct Epoch: Codable {
        var epoch: Int
        var loss: JSONNullable<Double>
        var accuracy, validationLoss, validationAccuracy: JSONNullable<Double>
        var learningRate, seconds, samplesPerSecond: JSONNullable<Double>
        var curve: [[Double]]

        init(_ record: EpochRecord) {
            epoch = record.epoch
            loss = JSONNullable(finite: record.loss)
            accuracy = JSONNullable(finite: record.accuracy)
            validationLoss = JSONNullable(finite: record.validationLoss)
            validationAccuracy = JSONNullable(finite: record.validationAccuracy)
            learningRate = JSONNullable(finite: record.learningRate)
            seconds = JSONNullable(finite: record.seconds)
            samplesPerSecond = JSONNullable(finite: record.samplesPerSecond)
            curve = record.learningRateCurve.map { [$0.epoch, $0.rate] }
        }

        var record: EpochRecord {
            EpochRecord(
                epoch: epoch, loss: loss.value ?? .nan, accuracy: accuracy.value,
                validationLoss: validationLoss.value, validationAccuracy: validationAccuracy.value,
                learningRate: learningRate.value ?? .nan, seconds: seconds.value ?? 0,
                samplesPerSecond: samplesPerSecond.value ?? 0,
                learningRateCurve: curve.compactMap {
                    $0.count == 2 ? RatePoint(epoch: $0[0], rate: $0[1]) : nil
                })
        }
    }

    struct EarlyStoppingState: Codable {
        var best: Double?
        var bestEpoch: Int?
        var wait: Int
    }

    struct PlateauState: Codable {
        var best: Double?
        var badEpochs: Int
        var cooldownRemaining: Int
    }
}
