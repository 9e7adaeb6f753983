import Descent
import DescentTestSupport
import Testing

/// The ensemble's probabilities are the mean of its members'.
@Suite struct EnsembleTests {
    @Test func averagesMemberProbabilities() throws {
        let backend = CPUBackend()
        let members = try (0..<3).map { seed in
            try Model(Sequential(seed: UInt64(seed)) { Dense(6, 8, activation: .relu); Dense(8, 4) },
                      inputFeatures: 6, on: backend, maxBatch: 5)
        }
        let ensemble = try Ensemble(members)
        let x = try backend.makeBuffer(TestData.uniform(5 * 6, seed: 2))
        let averaged = try backend.download(try ensemble.predictProbabilities(x.view, batch: 5))
        var expected = [Float](repeating: 0, count: 20)
        for model in members {
            let probabilities = try backend.makeBuffer(count: 20)
            try backend.softmaxForward(
                input: try model.forward(x.view, batch: 5, training: false), output: probabilities.view,
                shape: MatrixShape(rows: 5, columns: 4))
            for (index, value) in try backend.download(probabilities.view).enumerated() { expected[index] += value / 3 }
        }
        expectClose(averaged, expected, .elementwise, "ensemble mean of probabilities")
        for row in 0..<5 { #expect(abs(averaged[row * 4..<row * 4 + 4].reduce(0, +) - 1) < 1e-5) }
    }

    @Test func mismatchedMembersAreRejected() throws {
        let backend = CPUBackend()
        let a = try Model(Sequential(seed: 1) { Dense(6, 4) }, inputFeatures: 6, on: backend, maxBatch: 2)
        let b = try Model(Sequential(seed: 1) { Dense(6, 3) }, inputFeatures: 6, on: backend, maxBatch: 2)
        #expect(throws: DescentError.self) { _ = try Ensemble([a, b]) }
        #expect(throws: DescentError.self) { _ = try Ensemble([Model<CPUBackend>]()) }
    }
}
