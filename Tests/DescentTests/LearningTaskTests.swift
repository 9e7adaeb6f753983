import Descent
import DescentTestSupport
import Testing

/// The task follows the labels, and a two-class problem trains one sigmoid output with binary
/// cross-entropy on class labels directly.
@Suite(.requiresOpenCL)
struct LearningTaskTests {
    @Test func inferredFromTheLabels() throws {
        let two = try Dataset(
            features: [0, 1, 2], featureCount: 1, classIndices: [0, 1, 0], classCount: 2)
        let three = try Dataset(
            features: [0, 1, 2], featureCount: 1, classIndices: [0, 1, 2], classCount: 3)
        let real = try Dataset(
            features: [0, 1, 2], featureCount: 1, targets: [0.5, 1, 2, 3, 4, 5], targetWidth: 2)
        #expect(LearningTask.inferred(from: two) == .binaryClassification)
        #expect(LearningTask.inferred(from: three) == .multiclassClassification(classes: 3))
        #expect(LearningTask.inferred(from: real) == .regression(targets: 2))
        #expect(LearningTask.binaryClassification.outputFeatures == 1)
        #expect(LearningTask.binaryClassification.defaultLoss == .binaryCrossEntropy)
        #expect(LearningTask.regression(targets: 2).defaultLoss == .regression(.meanSquaredError))
        #expect(!LearningTask.binaryClassification.accepts(.softmaxCrossEntropy))
        #expect(
            LearningTask.multiclassClassification(classes: 3).accepts(
                .softmaxCrossEntropy(labelSmoothing: 0.1)))
    }

    @Test func binaryCrossEntropyLearnsClassLabelsOnBothBackends() throws {
        let data = try Dataset.moons(sampleCount: 400, noise: 0.1, seed: 1)
        let (train, test) = try data.stratifiedSplit(validationFraction: 0.25, seed: 2)
        func run<B: Backend>(_ backend: B) throws -> (History, Evaluation) {
            let trainer = try Trainer(
                architecture: Sequential(seed: 3) {
                    Dense(2, 32, activation: .tanh); Dense(32, 1)
                }, on: backend,
                loss: .binaryCrossEntropy, optimizer: Adam(learningRate: 0.02), maxBatch: 32)
            return (
                try trainer.fit(train, validation: test, epochs: 30, batchSize: 32, seed: 4),
                try trainer.evaluate(test)
            )
        }
        let (cpuHistory, cpu) = try run(CPUBackend())
        let (gpuHistory, gpu) = try run(try OpenCLTestSupport.makeBackend())
        #expect(try #require(gpu.accuracy) > 0.95)
        #expect(gpu.report?.confusionMatrix.classCount == 2)
        #expect(gpu.outputs.count == 2 * test.sampleCount)
        #expect(cpuHistory.epochs.map(\.accuracy) == gpuHistory.epochs.map(\.accuracy))
        expectClose(
            gpuHistory.epochs.map { Float($0.loss) }, cpuHistory.epochs.map { Float($0.loss) },
            .matmul, "epoch losses")
        #expect(abs(try #require(cpu.accuracy) - (gpu.accuracy ?? 0)) < 0.01)
    }

    @Test func theTrainerKeepsTheTaskItIsGivenOrTheOneItsLossImplies() throws {
        #expect(LearningTask(loss: .binaryCrossEntropy, outputs: 1) == .binaryClassification)
        #expect(
            LearningTask(loss: .softmaxCrossEntropy(labelSmoothing: 0.1), outputs: 3)
                == .multiclassClassification(classes: 3))
        #expect(
            LearningTask(loss: .binaryCrossEntropy, outputs: 4) == .regression(targets: 4),
            "multi-label targets")
        #expect(
            LearningTask(loss: .regression(.huber(delta: 1)), outputs: 2) == .regression(targets: 2)
        )
        #expect(LearningTask.binaryClassification.scores(fromOutputs: [2, -1]) == [0, 2, 0, -1])
        #expect(
            LearningTask.multiclassClassification(classes: 2).scores(fromOutputs: [2, -1]) == [
                2, -1,
            ])
        #expect(LearningTask.binaryPrediction(.nan) == 1 && LearningTask.binaryPrediction(0) == 0)

        let backend = CPUBackend()
        let architecture = Sequential(seed: 1) { Dense(2, 3) }
        let implied = try Trainer(
            architecture: architecture, on: backend, loss: .softmaxCrossEntropy, optimizer: SGD())
        #expect(implied.task == .multiclassClassification(classes: 3))
        let given = try Trainer(
            architecture: architecture, on: backend, task: .multiclassClassification(classes: 3),
            optimizer: SGD())
        #expect(given.loss == .softmaxCrossEntropy)
        #expect(throws: DescentError.self, "a loss of another task") {
            _ = try Trainer(
                architecture: architecture, on: backend,
                task: .multiclassClassification(classes: 3), loss: .binaryCrossEntropy,
                optimizer: SGD())
        }
        #expect(throws: DescentError.self, "a task of another width") {
            _ = try Trainer(
                architecture: architecture, on: backend,
                task: .multiclassClassification(classes: 4), optimizer: SGD())
        }
    }
}
