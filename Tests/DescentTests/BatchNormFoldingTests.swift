import Descent
import DescentTestSupport
import Testing

/// Folding a trained BatchNorm into the Dense before it leaves inference predictions unchanged.
@Suite struct BatchNormFoldingTests {
    func trainedModel<B: Backend>(on backend: B) throws -> (Model<B>, B.Buffer) {
        let model = try Model(
            Sequential(seed: 9) {
                Dense(12, 16); BatchNorm(16); ReLU()
                Dense(16, 8, activation: .tanh); BatchNorm(8)
                Dense(8, 3); BatchNorm(3)
            }, inputFeatures: 12, on: backend, maxBatch: 30)
        let optimizer = try FusedOptimizer(
            Adam(learningRate: 0.05), on: backend, parameterCount: model.arenaCount)
        let x = try backend.makeBuffer(
            TestData.uniform(30 * 12, seed: 4, in: -3...3).map { $0 * 2 + 1 })
        let labels = try backend.makeBuffer((0..<30).map { Int32($0 % 3) })
        let loss = try backend.makeBuffer(count: 1), dLogits = try backend.makeBuffer(count: 30 * 3)
        for _ in 0..<15 {
            let logits = try model.forward(x.view, batch: 30, training: true)
            try backend.softmaxCrossEntropy(
                logits: logits, labels: labels.view, shape: MatrixShape(rows: 30, columns: 3),
                options: CrossEntropyOptions(),
                sampleWeights: nil,
                outputs: LossOutputs(loss: loss.view, inputGradient: dLogits.view))
            try model.backward(dLogits.view, batch: 30)
            try optimizer.step(parameters: model.parameters.view, gradients: model.gradients.view)
        }
        return (model, x)
    }

    @Test func foldedModelPredictsTheSame() throws {
        let backend = CPUBackend()
        let (model, x) = try trainedModel(on: backend)
        let folded = try model.foldingBatchNorm()
        // Dense(12,16)+BN folds; Dense(16,8, tanh)+BN cannot and stays; Dense(8,3)+BN folds.
        #expect(folded.architecture.layers.count == model.architecture.layers.count - 2)
        let expected = try backend.download(try model.forward(x.view, batch: 30, training: false))
        let actual = try backend.download(try folded.forward(x.view, batch: 30, training: false))
        expectClose(actual, expected, .matmul, "folded vs unfolded predictions")
    }
}
