import Descent
import DescentTestSupport
import Testing

/// Sequential models built on a backend: layout, summary, errors, and training end to end on both
/// backends.
@Suite(.requiresOpenCL)
struct ModelTests {
    static let architecture = Sequential(seed: 42) {
        GaussianNoise(0.1)
        Dense(20, 32, initializer: .heUniform)
        BatchNorm(32)
        ReLU()
        Dropout(0.2)
        Dense(32, 16, activation: .tanh)
        LayerNorm(16)
        Dense(16, 5)
    }

    /// 50 samples of 20 features; the label is the argmax of a fixed linear map, so it is learnable.
    static let samples: (features: [Float], labels: [Int32]) = {
        let features = TestData.uniform(50 * 20, seed: 7, in: -2...2)
        let map = TestData.uniform(20 * 5, seed: 8)
        let labels = (0..<50).map { row -> Int32 in
            let scores = (0..<5).map { c in
                (0..<20).reduce(Float(0)) { $0 + features[row * 20 + $1] * map[$1 * 5 + c] }
            }
            return Int32(scores.indices.max { scores[$0] < scores[$1] }!)
        }
        return (features, labels)
    }()

    /// Trains for `steps` steps over batches of 32 and a last partial batch of 18; returns the
    /// mean loss of every step.
    func train<B: Backend>(on backend: B, steps: Int) throws -> [Float] {
        let model = try Model(Self.architecture, inputFeatures: 20, on: backend, maxBatch: 32)
        let optimizer = try FusedOptimizer(
            AdamW(learningRate: 0.01), on: backend, parameterCount: model.arenaCount,
            groups: model.parameterGroups)
        let features = try backend.makeBuffer(Self.samples.features)
        let labels = try backend.makeBuffer(Self.samples.labels)
        let loss = try backend.makeBuffer(count: 1)
        let logitGradient = try backend.makeBuffer(count: 32 * 5)
        var losses: [Float] = []
        for step in 0..<steps {
            let (start, batch) = step % 2 == 0 ? (0, 32) : (32, 18)
            let logits = try model.forward(
                try features.view(offset: start * 20, count: batch * 20), batch: batch,
                training: true)
            let dLogits = try logitGradient.view(offset: 0, count: batch * 5)
            try backend.softmaxCrossEntropy(
                logits: logits, labels: try labels.view(offset: start, count: batch),
                shape: MatrixShape(rows: batch, columns: 5),
                options: CrossEntropyOptions(), sampleWeights: nil,
                outputs: LossOutputs(loss: loss.view, inputGradient: dLogits))
            try model.backward(dLogits, batch: batch)
            try optimizer.step(parameters: model.parameters.view, gradients: model.gradients.view)
            losses.append(try backend.download(loss.view)[0])
        }
        return losses
    }

    @Test func trainingMatchesStepByStepOnBothBackends() throws {
        let expected = try train(on: CPUBackend(), steps: 20)
        let actual = try train(on: try OpenCLTestSupport.makeBackend(), steps: 20)
        expectClose(actual, expected, .matmul, "loss per step, CPU vs OpenCL")
        #expect(expected.last! < expected.first!, "the loss goes down: \(expected)")
    }

    @Test func layoutAndSummary() throws {
        let model = try Model(Self.architecture, inputFeatures: 20, on: CPUBackend(), maxBatch: 8)
        #expect(
            model.parameterCount == 20 * 32 + 32 + 32 + 32 + 32 * 16 + 16 + 16 + 16 + 16 * 5 + 5)
        #expect(model.slots.allSatisfy { $0.offset % Model<CPUBackend>.alignment == 0 })
        #expect(model.outputFeatures == 5)
        #expect(model.summary.contains("Dense(20, 32)") && model.summary.contains("[batch, 5]"))
        #expect(model.summary.contains("GaussianNoise(0.1)"))
        #expect(model.summary.contains("Total trainable parameters: \(model.parameterCount)"))
        let groups = model.parameterGroups
        #expect(groups.count == 2, "one group of weights, one of the parameters that do not decay")
        let weights = model.slots.filter { $0.spec.decays }
        #expect(weights.count == 3, "only the three weight matrices decay")
        #expect(groups[0].weightDecay == nil && groups[1].weightDecay == 0)
        for slot in model.slots {
            let group = slot.spec.decays ? groups[0] : groups[1]
            #expect(
                group.range.contains(slot.offset)
                    && group.range.contains(slot.offset + slot.spec.count - 1))
        }
        #expect(
            groups[0].range.upperBound <= groups[1].range.lowerBound
                && groups[1].range.upperBound == model.arenaCount)
    }

    @Test func sameSeedSameWeightsOnBothBackends() throws {
        let cpu = try Model(Self.architecture, inputFeatures: 20, on: CPUBackend(), maxBatch: 4)
        let gpu = try Model(
            Self.architecture, inputFeatures: 20, on: try OpenCLTestSupport.makeBackend(),
            maxBatch: 4)
        #expect(
            try cpu.backend.download(cpu.parameters.view)
                == gpu.backend.download(gpu.parameters.view))
    }

    @Test func inferenceIsDeterministicAndNoiseFree() throws {
        let backend = CPUBackend()
        let model = try Model(Self.architecture, inputFeatures: 20, on: backend, maxBatch: 8)
        let x = try backend.makeBuffer(Array(Self.samples.features.prefix(8 * 20)))
        let first = try backend.download(try model.forward(x.view, batch: 8, training: false))
        let second = try backend.download(try model.forward(x.view, batch: 8, training: false))
        let trained = try backend.download(try model.forward(x.view, batch: 8, training: true))
        #expect(first == second)
        #expect(first != trained, "dropout and noise act in training only")
    }

    @Test func badShapesAreTypedErrors() throws {
        let backend = CPUBackend()
        let error = try #require(throws: DescentError.self) {
            _ = try Model(
                Sequential(seed: 1) {
                    Dense(10, 4); Dense(5, 2)
                }, inputFeatures: 10, on: backend, maxBatch: 4)
        }
        #expect(error.description.contains("5 input features") && error.description.contains("4"))
        #expect(throws: DescentError.self) {
            _ = try Model(Self.architecture, inputFeatures: 21, on: backend, maxBatch: 4)
        }
        #expect(throws: DescentError.self) {
            _ = try Model(Self.architecture, inputFeatures: 20, on: backend, maxBatch: 0)
        }
        let model = try Model(Self.architecture, inputFeatures: 20, on: backend, maxBatch: 4)
        #expect(throws: DescentError.self) {
            _ = try model.forward(
                try backend.makeBuffer(count: 100).view, batch: 5, training: false)
        }
        #expect(throws: DescentError.self) {
            _ = try model.forward(try backend.makeBuffer(count: 79).view, batch: 4, training: false)
        }
    }

    @Test func overfitsATinySubset() throws {
        let backend = CPUBackend()
        let model = try Model(
            Sequential(seed: 3) {
                Dense(20, 64, activation: .relu, initializer: .heUniform); Dense(64, 5)
            },
            inputFeatures: 20, on: backend, maxBatch: 20)
        let optimizer = try FusedOptimizer(
            Adam(learningRate: 0.01), on: backend, parameterCount: model.arenaCount)
        let features = try backend.makeBuffer(Array(Self.samples.features.prefix(20 * 20)))
        let labels = try backend.makeBuffer(Array(Self.samples.labels.prefix(20)))
        let loss = try backend.makeBuffer(count: 1), dLogits = try backend.makeBuffer(count: 20 * 5)
        for _ in 0..<300 {
            let logits = try model.forward(features.view, batch: 20, training: true)
            try backend.softmaxCrossEntropy(
                logits: logits, labels: labels.view, shape: MatrixShape(rows: 20, columns: 5),
                options: CrossEntropyOptions(),
                sampleWeights: nil,
                outputs: LossOutputs(loss: loss.view, inputGradient: dLogits.view))
            try model.backward(dLogits.view, batch: 20)
            try optimizer.step(parameters: model.parameters.view, gradients: model.gradients.view)
        }
        #expect(try backend.download(loss.view)[0] < 0.01)
    }
}
