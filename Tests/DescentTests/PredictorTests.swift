import Descent
import DescentTestSupport
import Testing

/// Prediction from a saved file alone: raw rows in, the training's standardization applied, the
/// same outputs as the trainer's, and classes and probabilities from them.
struct PredictorTests {
    @Test func predictionsFromTheFileMatchTheTrainer() throws {
        let raw = try Dataset.moons(sampleCount: 300, noise: 0.1, seed: 2)
        let standardizer = Standardizer(fittedOn: raw)
        let data = try standardizer.transform(raw)
        let backend = CPUBackend()
        let trainer = try Trainer(
            architecture: Sequential(seed: 5) {
                Dense(2, 16, activation: .relu); BatchNorm(16); Dense(16, 1)
            }, on: backend, loss: .binaryCrossEntropy, optimizer: Adam(learningRate: 0.01),
            maxBatch: 64)
        _ = try trainer.fit(data, epochs: 3, batchSize: 32)
        let path = try CheckpointTests.temporaryDirectory() + "/model.safetensors"
        try trainer.model.save(
            to: path, task: trainer.task, loss: trainer.loss, classNames: ["left", "right"],
            standardization: ModelDescription.Standardization(standardizer))

        let predictor = try Predictor(contentsOf: path, on: backend, maxBatch: 50)
        let predictions = try predictor.predict(features: raw.features)
        #expect(predictions.outputs == (try trainer.predict(data)))
        #expect(predictions.rowCount == 300 && predictions.width == 1)
        let probabilities = try #require(predictions.probabilities)
        let classes = try #require(predictions.classes)
        for row in 0..<300 {
            let pair = probabilities[2 * row..<2 * row + 2]
            #expect(abs(pair.reduce(0, +) - 1) < 1e-6)
            #expect(classes[row] == (pair.last! > pair.first! ? 1 : 0), "row \(row): \(pair)")
        }
        let accuracy =
            Double(zip(classes, try #require(raw.classIndices)).filter { $0 == Int($1) }.count)
            / 300
        #expect(accuracy > 0.8, "\(accuracy)")
        #expect(predictor.description.classNames == ["left", "right"])
        #expect(throws: DescentError.self) { _ = try predictor.predict(features: [1, 2, 3]) }
    }

    @Test func softmaxProbabilitiesAndTheLargestScore() {
        let predictions = Predictions(
            outputs: [1, 2, 3, 0, 0, 0, -1, 5, 5], width: 3,
            task: .multiclassClassification(classes: 3))
        #expect(predictions.classes == [2, 0, 1])
        let nan = Predictions(
            outputs: [1, .nan, 3], width: 3, task: .multiclassClassification(classes: 3))
        #expect(nan.classes == [1], "a NaN counts as the largest, as argmaxRows")
        let probabilities = predictions.probabilities!
        #expect(abs(probabilities[2] - 0.66524096) < 1e-6)
        #expect(probabilities[3..<6].allSatisfy { abs($0 - 1 / 3) < 1e-6 })
        let regression = Predictions(outputs: [1.5, -2], width: 1, task: .regression(targets: 1))
        #expect(regression.classes == nil && regression.probabilities == nil)
    }
}
