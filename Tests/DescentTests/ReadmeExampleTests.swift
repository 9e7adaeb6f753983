// swift-format-ignore-file
// (The README's example, kept exactly as the README shows it.)
import Descent
import DescentTestSupport
import Testing

/// The README's example, as written there, run for one epoch.
@Suite(.requiresOpenCL)
struct ReadmeExampleTests {
    func trainFashionMNIST<B: Backend>(on backend: B, epochs: Int = 20) throws -> Evaluation {
        let data = try FashionMNIST.load()                      // train + test, pixels in [0, 1]
        let scaler = Standardizer(fittedOn: data.train)         // fitted on the training split only
        let (train, validation) = try scaler.transform(data.train).stratifiedSplit(validationFraction: 0.1, seed: 7)
        let trainer = try Trainer(
            architecture: Sequential(seed: 42) {
                Dense(784, 256, initializer: .heUniform); BatchNorm(256); ReLU(); Dropout(0.2)
                Dense(256, 10)
            },
            on: backend, loss: .softmaxCrossEntropy, optimizer: AdamW(learningRate: 1e-3, weightDecay: 1e-4),
            schedule: try CosineAnnealing(duration: .epochs(Double(epochs)), warmup: .steps(100)),  // shapes the 1e-3
            maxBatch: 128)
        print(trainer.model.summary)
        let history = try trainer.fit(                          // a diverging run stops on its last finite weights
            train, validation: validation, epochs: epochs, batchSize: 128,
            callbacks: [EarlyStopping(patience: 3, restoreBestWeights: true)])
        print("stopped after \(history.epochs.count) epochs", history.stopReason ?? "")
        return try trainer.evaluate(try scaler.transform(data.test))   // loss, accuracy, confusion matrix, P/R/F1
    }

    @Test func oneEpochOfTheExample() throws {
        let evaluation = try trainFashionMNIST(on: OpenCLTestSupport.makeBackend(), epochs: 1)
        let report = try #require(evaluation.report)
        print(report)
        #expect(report.accuracy > 0.8, "one epoch on all of Fashion-MNIST")
        #expect(report.confusionMatrix.sampleCount == 10_000)
    }
}
