import Descent
import Testing

@Suite struct DiagnosticsLearningRateFinderTests {
    @Test func theRangeTestSuggestsARateBetweenTheExtremes() throws {
        let data = try Dataset.moons(sampleCount: 320, noise: 0.1, seed: 1)
        let curve = try LearningRateFinder(minimum: 1e-5, maximum: 100, steps: 150).run(
            Sequential(seed: 2) {
                Dense(2, 32, activation: .relu, initializer: .heUniform); Dense(32, 2)
            }, inputShape: .features(2),
            loss: .softmaxCrossEntropy, optimizer: SGD(learningRate: 0.1, momentum: 0.9),
            data: data, batchSize: 32, on: CPUBackend())
        #expect(curve.learningRates.count == curve.smoothedLosses.count)
        #expect(curve.learningRates.count < 150, "the sweep stops once the loss diverges")
        #expect(zip(curve.learningRates, curve.learningRates.dropFirst()).allSatisfy { $0 < $1 })
        let suggestion = try #require(curve.suggestion)
        #expect(
            suggestion > 1e-4 && suggestion < 10,
            "suggested \(suggestion), minimum/10 \(String(describing: curve.minimumOverTen))")
    }

    @Test func aBadRangeIsAnError() {
        #expect(throws: DescentError.self) {
            _ = try LearningRateFinder(minimum: 1, maximum: 0.1).run(
                Sequential(seed: 1) { Dense(2, 2) }, inputShape: .features(2),
                loss: .softmaxCrossEntropy,
                optimizer: SGD(learningRate: 0.1),
                data: try Dataset.moons(sampleCount: 10, seed: 1), batchSize: 5, on: CPUBackend())
        }
    }
}
