import Descent
import DescentTestSupport
import Testing

/// A run that diverges ends with a finite model and finite metrics, not an error: the monitor
/// puts back the last finite model (parameters and batch norm's running statistics) the moment it
/// sees a non-finite value, and the epoch's metrics cover only the steps that ran.
@Suite struct DivergenceTests {
    /// Stops the epoch after `steps` steps, as the monitor does on a non-finite value.
    final class StopAfter: Callback {
        let steps: Int
        private var seen = 0
        init(steps: Int) { self.steps = steps }
        var requestsStop: Bool { seen >= steps }
        func batchEnded(batch: Int, of batchCount: Int, epoch: Int, samplesDone: Int) { seen += 1 }
        func epochEnded<B: Backend>(
            _ record: EpochRecord, trainer: Trainer<B>
        ) throws -> CallbackAction {
            .stop(reason: "stopped after \(steps) steps")
        }
    }

    @Test func anEpochStoppedEarlyMeasuresOnlyTheStepsThatRan() throws {
        let data = try Dataset.moons(sampleCount: 100, noise: 0.1, seed: 1)
        let trainer = try Trainer(
            architecture: Sequential(seed: 2) {
                Dense(2, 8, activation: .relu); Dense(8, 2)
            }, on: CPUBackend(),
            loss: .softmaxCrossEntropy, optimizer: SGD(learningRate: 0.1), maxBatch: 10)
        let history = try trainer.fit(
            data, epochs: 3, batchSize: 10, seed: 3, callbacks: [StopAfter(steps: 2)])
        let epoch = try #require(history.epochs.first)
        #expect(history.epochs.count == 1)
        let accuracy = try #require(epoch.accuracy)
        // Over 20 samples, an accuracy is a multiple of 1/20.
        #expect(abs(accuracy * 20 - (accuracy * 20).rounded()) < 1e-9, "\(accuracy)")
        // The mean over the 20 samples that ran, near ln 2 for two fresh classes (over all 100
        // samples it would be about a fifth of that).
        #expect(epoch.loss > 0.4 && epoch.loss < 1.2, "\(epoch.loss)")
    }

    /// Several classes through batch norm and a learning rate of 1e30 (`descent train --lr 1e30`).
    func divergeWithBatchNorm<B: Backend>(on backend: B) throws {
        let data = try Dataset.spirals(sampleCount: 300, classes: 3, noise: 0.1, seed: 4)
        let trainer = try Trainer(
            architecture: Sequential(seed: 5) {
                Dense(2, 32); BatchNorm(32); ReLU(); Dense(32, 3)
            }, on: backend,
            loss: .softmaxCrossEntropy, optimizer: SGD(learningRate: 1e30), maxBatch: 30)
        let monitor = try TrainingMonitor(trainer: trainer, interval: 1)
        let history = try trainer.fit(
            data, validation: data, epochs: 3, batchSize: 30, callbacks: [monitor])
        #expect(monitor.fatal?.code == "non-finite-loss")
        #expect(history.stopReason?.contains("restored") == true)
        let state = try trainer.model.stateTensors()
        #expect(state.contains { $0.name.hasSuffix("running_var") })
        #expect(
            state.allSatisfy { $0.values.allSatisfy(\.isFinite) },
            "parameters and running statistics are finite")
        let evaluation = try trainer.evaluate(data)
        #expect(evaluation.loss.isFinite)
        #expect(history.epochs.first?.validationLoss?.isFinite == true)
    }

    @Test func aDivergingRunWithBatchNormKeepsAFiniteModelOnTheCPU() throws {
        try divergeWithBatchNorm(on: CPUBackend())
    }

    @Test(.requiresOpenCL) func aDivergingRunWithBatchNormKeepsAFiniteModelOnOpenCL() throws {
        try divergeWithBatchNorm(on: try OpenCLTestSupport.makeBackend())
    }

    @Test func withoutTheMonitorADivergingRunEndsOnTheLastFiniteEpoch() throws {
        let data = try Dataset.moons(sampleCount: 120, noise: 0.1, seed: 6)
        let trainer = try Trainer(
            architecture: Sequential(seed: 7) {
                Dense(2, 16, activation: .relu); Dense(16, 2)
            }, on: CPUBackend(),
            loss: .softmaxCrossEntropy, optimizer: SGD(learningRate: 1e30), maxBatch: 20)
        let initial = try trainer.model.stateTensors()
        let history = try trainer.fit(data, validation: data, epochs: 4, batchSize: 20)
        #expect(history.epochs.count == 1)
        #expect(history.epochs[0].loss.isNaN || history.epochs[0].loss.isInfinite)
        #expect(history.stopReason?.hasPrefix("non-finite-loss") == true)
        #expect(
            try trainer.model.stateTensors() == initial,
            "the state before the diverging epoch is back")
        #expect(
            history.epochs[0].validationLoss?.isFinite == true,
            "validation ran on the restored model")
        let findings = Diagnosis.diagnose(history, chanceLoss: 0.693, classCount: 2)
        #expect(
            findings.map(\.code) == ["non-finite-loss"], "no underfitting advice to raise the rate")
    }

    @Test func aModelGoneNaNIsMeasuredNotRefused() throws {
        let data = try Dataset.spirals(sampleCount: 30, classes: 3, noise: 0.1, seed: 8)
        let trainer = try Trainer(
            architecture: Sequential(seed: 9) { Dense(2, 3) }, on: CPUBackend(),
            loss: .softmaxCrossEntropy,
            optimizer: SGD(learningRate: 0.1), maxBatch: 30)
        try trainer.backend.fill(trainer.model.parameters.view, with: .nan)
        let evaluation = try trainer.evaluate(data)
        #expect(evaluation.loss.isNaN)
        // Every row is all NaN: the first NaN, class 0, is predicted (Backend.argmaxRows's rule).
        let classZero = Double(data.classIndices!.filter { $0 == 0 }.count) / 30
        #expect(evaluation.accuracy == classZero)
    }

    /// Sets batch norm's running variance to NaN after the last step of `epoch`: training stays
    /// finite (it uses the batch's statistics), inference does not.
    final class PoisonRunningStatistics<B: Backend>: Callback {
        let trainer: Trainer<B>
        let epoch: Int
        init(_ trainer: Trainer<B>, after epoch: Int) {
            self.trainer = trainer
            self.epoch = epoch
        }
        func batchEnded(batch: Int, of batchCount: Int, epoch: Int, samplesDone: Int) {
            guard epoch == self.epoch, batch == batchCount,
                var state = try? trainer.model.stateTensors()
            else { return }
            for index in state.indices where state[index].name.hasSuffix("running_var") {
                state[index] = SafeTensor(
                    name: state[index].name, shape: state[index].shape,
                    values: state[index].values.map { _ in .nan })
            }
            try? trainer.model.restore(state)
        }
        func epochEnded<T: Backend>(
            _ record: EpochRecord, trainer: Trainer<T>
        ) throws -> CallbackAction { .proceed }
    }

    @Test func nonFiniteRunningStatisticsAreADivergenceToo() throws {
        let data = try Dataset.moons(sampleCount: 120, noise: 0.1, seed: 10)
        let trainer = try Trainer(
            // A NaN running variance reaches the loss through tanh (and through ReLU, which keeps NaN).
            architecture: Sequential(seed: 11) {
                Dense(2, 16); BatchNorm(16); ActivationLayer(.tanh); Dense(16, 2)
            }, on: CPUBackend(),
            loss: .softmaxCrossEntropy, optimizer: SGD(learningRate: 0.05), maxBatch: 20)
        let history = try trainer.fit(
            data, validation: data, epochs: 4, batchSize: 20,
            callbacks: [PoisonRunningStatistics(trainer, after: 1)])
        #expect(history.epochs.count == 2)
        #expect(
            history.epochs[1].loss.isFinite && history.epochs[1].validationLoss?.isNaN == true,
            "the record keeps what was seen")
        #expect(history.epochs[1].validationAccuracy != nil)
        #expect(history.stopReason?.hasPrefix("non-finite-loss") == true)
        #expect(
            try trainer.model.stateTensors().allSatisfy { $0.values.allSatisfy(\.isFinite) },
            "epoch 0's state is back")
        #expect(try trainer.evaluate(data).loss.isFinite)
    }
}
