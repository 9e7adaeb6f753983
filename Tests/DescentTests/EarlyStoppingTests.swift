import Descent
import DescentTestSupport
import Testing

/// Early stopping puts back the whole model of the best epoch, parameters and batch norm's
/// running statistics alike, so that the model evaluates after `fit` exactly as it did then.
@Suite struct EarlyStoppingTests {
    func checkRestoresTheBestEpoch<B: Backend>(on backend: B) throws {
        // A wide model with batch norm on 100 noisy samples overfits: the validation loss is best
        // in an early epoch and worse by the last.
        let data = try Dataset.spirals(sampleCount: 200, classes: 2, noise: 0.3, seed: 5)
        let (train, validation) = try data.stratifiedSplit(validationFraction: 0.5, seed: 5)
        let model = Sequential(seed: 3) {
            Dense(2, 64); BatchNorm(64); ReLU()
            Dense(64, 64); BatchNorm(64); ReLU()
            Dense(64, 2)
        }
        let trainer = try Trainer(
            architecture: model, on: backend, loss: .softmaxCrossEntropy,
            optimizer: Adam(learningRate: 0.05), maxBatch: 20)
        let stopping = EarlyStopping(monitor: "val_loss", patience: 100, restoreBestWeights: true)
        let history = try trainer.fit(
            train, validation: validation, epochs: 15, batchSize: 20, callbacks: [stopping])
        let best = try #require(stopping.bestEpoch)
        try #require(
            best < history.epochs.count - 1, "the validation loss must worsen after its best epoch")
        let bestLoss = try #require(history.epochs[best].validationLoss)
        let lastLoss = try #require(history.epochs.last?.validationLoss)
        #expect(lastLoss > bestLoss)

        let after = try trainer.evaluate(validation, batchSize: 20)
        #expect(
            abs(after.loss - bestLoss) <= 1e-6 * max(1, abs(bestLoss)),
            "restored \(after.loss), best epoch \(bestLoss)")
        #expect(after.accuracy == history.epochs[best].validationAccuracy)
    }

    @Test func restoresTheBestEpochOnTheCPU() throws {
        try checkRestoresTheBestEpoch(on: CPUBackend())
    }

    @Test(.requiresOpenCL) func restoresTheBestEpochOnOpenCL() throws {
        try checkRestoresTheBestEpoch(on: try OpenCLTestSupport.makeBackend())
    }
}
