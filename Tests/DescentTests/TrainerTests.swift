import Descent
import DescentTestSupport
import Testing

/// `Trainer.fit`, `evaluate` and `predict` end to end: learning works, callbacks act, bad input
/// is a typed error.
@Suite(.requiresOpenCL)
struct TrainerTests {
    @Test func learnsTwoSpirals() throws {
        let data = try Dataset.spirals(
            sampleCount: 1200, classes: 2, turns: 1, noise: 0.01, seed: 1)
        let (train, test) = try data.stratifiedSplit(validationFraction: 0.25, seed: 2)
        let trainer = try Trainer(
            architecture: Sequential(seed: 3) {
                Dense(2, 64, activation: .relu, initializer: .heUniform)
                Dense(64, 64, activation: .relu, initializer: .heUniform)
                Dense(64, 2)
            },
            on: try OpenCLTestSupport.makeBackend(), loss: .softmaxCrossEntropy,
            optimizer: Adam(learningRate: 0.01),
            maxBatch: 64)
        let history = try trainer.fit(train, epochs: 60, batchSize: 64, seed: 4)
        let evaluation = try trainer.evaluate(test)
        #expect(
            try #require(evaluation.accuracy) > 0.97,
            "test accuracy \(String(describing: evaluation.accuracy)); loss \(history.epochs.last!.loss)"
        )
        #expect(history.epochs.count == 60)
        #expect(history.epochs.last!.loss < history.epochs.first!.loss)
    }

    @Test func fashionMNISTSubsetLearnsInThreeEpochs() throws {
        let data = try FashionMNIST.load()
        let (subset, _) = try data.train.stratifiedSplit(
            validationFraction: 50_000.0 / 60_000.0, seed: 5)
        let standardizer = Standardizer(fittedOn: subset)
        let (train, validation) = try standardizer.transform(subset).stratifiedSplit(
            validationFraction: 0.1, seed: 6)
        let test = try standardizer.transform(data.test)
        let trainer = try Trainer(
            architecture: Sequential(seed: 7) {
                Dense(784, 256, initializer: .heUniform); BatchNorm(256); ReLU()
                Dense(256, 128, initializer: .heUniform); BatchNorm(128); ReLU()
                Dense(128, 10)
            },
            on: try OpenCLTestSupport.makeBackend(), loss: .softmaxCrossEntropy,
            optimizer: Adam(learningRate: 2e-3),
            schedule: try CosineAnnealing(duration: .epochs(3), warmup: .steps(50)), maxBatch: 128)
        let history = try trainer.fit(
            train, validation: validation, epochs: 3, batchSize: 32, seed: 8)
        let evaluation = try trainer.evaluate(test, batchSize: 128)
        #expect(
            try #require(evaluation.accuracy) > 0.85,
            "test accuracy after 3 epochs on 10,000 samples: \(String(describing: evaluation.accuracy)), history \(history.epochs.map { ($0.loss, $0.accuracy ?? 0, $0.validationAccuracy ?? 0) })"
        )
        #expect(
            history.epochs.allSatisfy { $0.validationAccuracy != nil && $0.samplesPerSecond > 0 })
        #expect(evaluation.report?.classNames.first == "T-shirt/top")
    }

    func smallTrainer<B: Backend>(on backend: B) throws -> Trainer<B> {
        try Trainer(
            architecture: Sequential(seed: 9) {
                Dense(2, 16, activation: .tanh); Dense(16, 2)
            }, on: backend,
            loss: .softmaxCrossEntropy, optimizer: SGD(learningRate: 0.1, momentum: 0.9),
            maxBatch: 32)
    }

    @Test func fitIsTheSameOnBothBackends() throws {
        let data = try Dataset.moons(sampleCount: 100, noise: 0.1, seed: 10)
        let cpu = try smallTrainer(on: CPUBackend()).fit(
            data, validation: data, epochs: 4, batchSize: 32, seed: 11)
        let gpu = try smallTrainer(on: try OpenCLTestSupport.makeBackend()).fit(
            data, validation: data, epochs: 4, batchSize: 32, seed: 11)
        expectClose(
            gpu.epochs.map { Float($0.loss) }, cpu.epochs.map { Float($0.loss) }, .matmul,
            "epoch losses")
        #expect(gpu.epochs.map(\.accuracy) == cpu.epochs.map(\.accuracy))
    }

    @Test func earlyStoppingRestoresTheBestWeights() throws {
        let trainer = try smallTrainer(on: CPUBackend())
        let stopper = EarlyStopping(monitor: "val_loss", patience: 2, restoreBestWeights: true)
        func record(_ epoch: Int, _ validationLoss: Double) -> EpochRecord {
            EpochRecord(
                epoch: epoch, loss: 1, accuracy: nil, validationLoss: validationLoss,
                validationAccuracy: nil,
                learningRate: 0.1, seconds: 1, samplesPerSecond: 1)
        }
        let weightsAtBest: [Float] = [Float](repeating: 0.5, count: trainer.model.arenaCount)
        #expect(try stopper.epochEnded(record(0, 1.0), trainer: trainer) == .proceed)
        try trainer.backend.upload(weightsAtBest, to: trainer.model.parameters.view)
        let stateAtBest = try trainer.model.stateTensors()
        #expect(try stopper.epochEnded(record(1, 0.8), trainer: trainer) == .proceed)
        try trainer.backend.fill(trainer.model.parameters.view, with: 9)
        #expect(try stopper.epochEnded(record(2, 0.9), trainer: trainer) == .proceed)
        let action = try stopper.epochEnded(record(3, 0.85), trainer: trainer)
        guard case .stop = action else {
            Issue.record("expected a stop after 2 epochs without improvement, got \(action)")
            return
        }
        try stopper.trainingEnded(trainer: trainer)
        // Every tensor of the model's state (the arena's alignment padding is no parameter).
        #expect(try trainer.model.stateTensors() == stateAtBest)
        #expect(stopper.bestEpoch == 1)
    }

    @Test func badInputIsATypedError() throws {
        let trainer = try smallTrainer(on: CPUBackend())
        let data = try Dataset.moons(sampleCount: 20, seed: 12)
        #expect(throws: DescentError.self) { _ = try trainer.fit(data, epochs: 1, batchSize: 0) }
        #expect(throws: DescentError.self) { _ = try trainer.fit(data, epochs: 1, batchSize: 33) }
        let wide = try Dataset.spirals(sampleCount: 20, classes: 3, seed: 13)
        #expect(throws: DescentError.self) { _ = try trainer.fit(wide, epochs: 1, batchSize: 8) }
    }
}
