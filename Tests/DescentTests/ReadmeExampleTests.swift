import Descent
import DescentTestSupport
import Testing

/// The README's example, as written there: one generic training function, both backends.
@Suite(.requiresOpenCL)
struct ReadmeExampleTests {
    /// Trains a small classifier for `steps` steps on one batch; returns the loss of each step.
    func train<B: Backend>(on backend: B, features: [Float], labels: [Int32], steps: Int) throws -> [Float] {
        let batch = labels.count
        let model = try Model(Sequential(seed: 42) {
            Dense(20, 32, initializer: .heUniform); BatchNorm(32); ReLU(); Dropout(0.2)
            Dense(32, 5)
        }, inputFeatures: 20, on: backend, maxBatch: batch)
        let optimizer = try FusedOptimizer(
            AdamW(learningRate: 1e-2), on: backend, parameterCount: model.arenaCount,
            groups: model.parameterGroups, schedule: try CosineAnnealing(baseLearningRate: 1e-2, totalSteps: steps))
        let x = try backend.makeBuffer(features), y = try backend.makeBuffer(labels)
        let loss = try backend.makeBuffer(count: 1), dLogits = try backend.makeBuffer(count: batch * 5)
        var losses: [Float] = []
        for _ in 0..<steps {
            let logits = try model.forward(x.view, batch: batch, training: true)
            try backend.softmaxCrossEntropy(
                logits: logits, labels: y.view, shape: MatrixShape(rows: batch, columns: 5),
                options: CrossEntropyOptions(labelSmoothing: 0.05), sampleWeights: nil,
                outputs: LossOutputs(loss: loss.view, inputGradient: dLogits.view))
            try model.backward(dLogits.view, batch: batch)
            try optimizer.step(parameters: model.parameters.view, gradients: model.gradients.view)
            losses.append(try backend.download(loss.view)[0])   // the only call that waits for the device
        }
        return losses
    }

    @Test func bothBackendsTrainAlike() throws {
        let features = TestData.uniform(40 * 20, seed: 5, in: -2...2)
        let labels = (0..<40).map { Int32($0 % 5) }
        let onGPU = try train(on: OpenCLTestSupport.makeBackend(), features: features, labels: labels, steps: 20)
        let onCPU = try train(on: CPUBackend(), features: features, labels: labels, steps: 20)
        expectClose(onGPU, onCPU, .matmul, "README example")
        #expect(onCPU.last! < onCPU.first!)
    }
}
