import Descent
import DescentCore
import Testing

/// A real search on the CPU backend, and the ensemble of its best configurations.
@Suite struct SearchEnsembleTests {
    /// Trains a small MLP with the configuration's learning rate and width on `train`, scoring
    /// validation accuracy each epoch; returns the trained model too.
    static func train(
        _ configuration: TrialConfiguration, epochs: Int, seed: UInt64, train: Dataset,
        validation: Dataset
    ) throws -> (Model<CPUBackend>, TrialResult) {
        let width = Int(configuration["hidden"]?.numeric ?? 16)
        let classes = train.classCount ?? 2
        let trainer = try Trainer(
            architecture: Sequential(seed: seed) {
                Dense(2, width, activation: .relu); Dense(width, width, activation: .relu);
                Dense(width, classes)
            },
            on: CPUBackend(), loss: .softmaxCrossEntropy,
            optimizer: Adam(learningRate: Float(configuration["lr"]!.numeric!)), maxBatch: 64)
        let started = monotonicSeconds()
        let history = try trainer.fit(
            train, validation: validation, epochs: epochs, batchSize: 32, seed: seed)
        let metric = history.epochs.map { $0.validationAccuracy ?? .nan }
        return (
            trainer.model,
            TrialResult(validationMetric: metric, wallSeconds: monotonicSeconds() - started)
        )
    }

    @Test func theEnsembleOfTheBestThreeIsAtLeastAsAccurateAsItsMedianMember() throws {
        let data = try Dataset.spirals(sampleCount: 600, classes: 3, noise: 0.03, seed: 4)
        let (train, validation, test) = try data.stratifiedSplit(
            validationFraction: 0.15, testFraction: 0.25, seed: 5)
        let search = try HyperparameterSearch(
            space: try SearchSpace(parsing: "lr=log:1e-3:1e-1,hidden=intlog:8:48"),
            strategy: .random(trials: 6),
            objective: .validationAccuracy, epochs: 12, seed: 2)
        let outcome = try search.run { configuration, epochs in
            try Self.train(
                configuration, epochs: epochs, seed: search.seed, train: train,
                validation: validation
            ).1
        }
        let top = outcome.ranking.prefix(3)
        #expect(top.count == 3)
        #expect(
            zip(top, top.dropFirst()).allSatisfy {
                $0.score(.validationAccuracy)! >= $1.score(.validationAccuracy)!
            })
        let members = try top.enumerated().map { member, record in
            try Self.train(
                record.configuration, epochs: 12, seed: search.seed &+ UInt64(member), train: train,
                validation: validation
            ).0
        }
        let (ensemble, reports) = try Ensemble(
            members, task: .multiclassClassification(classes: members[0].outputFeatures)
        ).evaluate(test)
        let median = reports.map(\.accuracy).sorted()[1]
        #expect(
            ensemble.accuracy >= median,
            "ensemble \(ensemble.accuracy) vs members \(reports.map(\.accuracy))")
        #expect(ensemble.accuracy > 0.6)
    }

    @Test func binaryMembersWithOneLogitAverageTheirSigmoids() throws {
        let data = try Dataset.moons(sampleCount: 400, noise: 0.15, seed: 1)
        let (train, test) = try data.stratifiedSplit(validationFraction: 0.25, seed: 2)
        let members = try (0..<3).map { seed -> Model<CPUBackend> in
            let trainer = try Trainer(
                architecture: Sequential(seed: UInt64(seed)) {
                    Dense(2, 16, activation: .relu); Dense(16, 1)
                }, on: CPUBackend(),
                loss: .binaryCrossEntropy, optimizer: Adam(learningRate: 0.03), maxBatch: 50)
            _ = try trainer.fit(train, epochs: 10, batchSize: 50, seed: UInt64(seed))
            return trainer.model
        }
        let ensemble = try Ensemble(members, task: .binaryClassification)
        let (report, reports) = try ensemble.evaluate(test)
        #expect(report.confusionMatrix.sampleCount == test.sampleCount)
        #expect(
            report.accuracy > 0.8 && reports.allSatisfy { $0.accuracy > 0.7 },
            "\(report.accuracy) \(reports.map(\.accuracy))")
        #expect(report.accuracy >= reports.map(\.accuracy).min()!)
        let backend = CPUBackend()
        let x = try backend.makeBuffer(Array(test.features.prefix(10)))
        let probabilities = try backend.download(
            try ensemble.predictProbabilities(x.view, batch: 5))
        #expect(probabilities.count == 5 && probabilities.allSatisfy { (0...1).contains($0) })
    }
}
