import Descent
import DescentTestSupport
import Testing

/// The ensemble's probabilities are the mean of its members'.
@Suite struct EnsembleTests {
    @Test func averagesMemberProbabilities() throws {
        let backend = CPUBackend()
        let members = try (0..<3).map { seed in
            try Model(
                Sequential(seed: UInt64(seed)) {
                    Dense(6, 8, activation: .relu); Dense(8, 4)
                },
                inputFeatures: 6, on: backend, maxBatch: 5)
        }
        let ensemble = try Ensemble(members, task: .multiclassClassification(classes: 4))
        let x = try backend.makeBuffer(TestData.uniform(5 * 6, seed: 2))
        let averaged = try backend.download(try ensemble.predictProbabilities(x.view, batch: 5))
        var expected = [Float](repeating: 0, count: 20)
        for model in members {
            let probabilities = try backend.makeBuffer(count: 20)
            try backend.softmaxForward(
                input: try model.forward(x.view, batch: 5, training: false),
                output: probabilities.view,
                shape: MatrixShape(rows: 5, columns: 4))
            for (index, value) in try backend.download(probabilities.view).enumerated() {
                expected[index] += value / 3
            }
        }
        expectClose(averaged, expected, .elementwise, "ensemble mean of probabilities")
        for row in 0..<5 { #expect(abs(averaged[row * 4..<row * 4 + 4].reduce(0, +) - 1) < 1e-5) }
    }

    @Test func ensembleOfTrainedModelsIsEvaluatedWithItsMembers() throws {
        let data = try Dataset.spirals(sampleCount: 400, classes: 3, noise: 0.02, seed: 1)
        let (train, test) = try data.stratifiedSplit(validationFraction: 0.25, seed: 2)
        let models = try (0..<3).map { seed -> Model<CPUBackend> in
            let trainer = try Trainer(
                architecture: Sequential(seed: UInt64(seed)) {
                    Dense(2, 32, activation: .relu); Dense(32, 3)
                }, on: CPUBackend(),
                loss: .softmaxCrossEntropy, optimizer: Adam(learningRate: 0.02), maxBatch: 50)
            _ = try trainer.fit(train, epochs: 15, batchSize: 50, seed: UInt64(seed))
            return trainer.model
        }
        let (ensemble, members) = try Ensemble(models, task: .multiclassClassification(classes: 3))
            .evaluate(test)
        #expect(members.count == 3)
        #expect(
            ensemble.accuracy >= members.map(\.accuracy).min()!,
            "the average is no worse than the worst member")
        #expect(ensemble.confusionMatrix.sampleCount == test.sampleCount)
    }

    @Test func mismatchedMembersAreRejected() throws {
        let backend = CPUBackend()
        let a = try Model(
            Sequential(seed: 1) { Dense(6, 4) }, inputFeatures: 6, on: backend, maxBatch: 2)
        let b = try Model(
            Sequential(seed: 1) { Dense(6, 3) }, inputFeatures: 6, on: backend, maxBatch: 2)
        #expect(throws: DescentError.self) {
            _ = try Ensemble([a, b], task: .multiclassClassification(classes: 4))
        }
        #expect(throws: DescentError.self) {
            _ = try Ensemble([a], task: .multiclassClassification(classes: 3))
        }
        #expect(throws: DescentError.self) { _ = try Ensemble([a], task: .regression(targets: 4)) }
        #expect(throws: DescentError.self) {
            _ = try Ensemble([Model<CPUBackend>](), task: .binaryClassification)
        }
    }
}
