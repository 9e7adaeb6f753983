import Descent
import DescentTestSupport
import Testing

/// A run that fails mid-way and is resumed from its `TrainingCheckpoint` ends exactly where the
/// uninterrupted run does: weights, optimizer state, learning rate (a plateau reducer lowers it),
/// early stopping's best weights and the history.
struct TrainingCheckpointTests {
    struct Crash: Error {}

    /// Fails at the end of epoch `epoch`, after the checkpoint of that epoch is written.
    final class CrashAfter: Callback {
        let epoch: Int
        init(epoch: Int) { self.epoch = epoch }
        func epochEnded<B: Backend>(
            _ record: EpochRecord, trainer: Trainer<B>
        ) throws -> CallbackAction {
            if record.epoch == epoch { throw Crash() }
            return .proceed
        }
    }

    static func run(
        checkpoint path: String, crashAfter: Int?, resume: Bool
    ) throws -> (History, [SafeTensor], Float) {
        let data = try Dataset.moons(sampleCount: 300, noise: 0.2, seed: 8)
        let (train, validation) = try data.randomSplit(validationFraction: 0.2, seed: 9)
        let trainer = try Trainer(
            architecture: Sequential(seed: 4) {
                Dense(2, 16, activation: .relu); BatchNorm(16); Dropout(0.2); Dense(16, 1)
            }, on: CPUBackend(), loss: .binaryCrossEntropy,
            optimizer: Adam(learningRate: 0.05), maxBatch: 32)
        let stopping = EarlyStopping(monitor: "val_loss", patience: 50, restoreBestWeights: true)
        let plateau = ReduceLROnPlateau(
            monitor: "val_loss", reducer: try PlateauReducer(factor: 0.5, patience: 0))
        let resumed =
            resume
            ? try TrainingCheckpoint.resume(
                from: path, into: trainer, earlyStopping: stopping, plateau: plateau) : nil
        var callbacks: [any Callback] = [
            plateau, stopping,
            TrainingCheckpoint(
                path: path, earlyStopping: stopping, plateau: plateau, resumed: resumed),
        ]
        if let crashAfter { callbacks.append(CrashAfter(epoch: crashAfter)) }
        let history = try trainer.fit(
            train, validation: validation, epochs: 6, batchSize: 32, seed: 3,
            callbacks: callbacks, resuming: resumed)
        return (history, try trainer.model.stateTensors(), trainer.optimizer.learningRate)
    }

    @Test func aResumedRunEndsWhereTheUninterruptedOneDoes() throws {
        let directory = try CheckpointTests.temporaryDirectory()
        let (whole, wholeState, wholeRate) = try Self.run(
            checkpoint: directory + "/whole.safetensors", crashAfter: nil, resume: false)
        let path = directory + "/crashed.safetensors"
        #expect(throws: Crash.self) {
            _ = try Self.run(checkpoint: path, crashAfter: 2, resume: false)
        }
        let (resumed, resumedState, resumedRate) = try Self.run(
            checkpoint: path, crashAfter: nil, resume: true)
        #expect(resumedState == wholeState, "the best epoch's weights, restored at the end")
        #expect(resumedRate == wholeRate && wholeRate < 0.05, "the plateau reducer's rate")
        #expect(resumed.epochs.map(\.loss) == whole.epochs.map(\.loss))
        #expect(resumed.epochs.map(\.learningRateCurve) == whole.epochs.map(\.learningRateCurve))
    }
}
