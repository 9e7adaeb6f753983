import Descent
import DescentTestSupport
import Testing

/// A saved file describes its model: `Model.load(contentsOf:on:)` rebuilds it from the file
/// alone, with the same outputs and what prediction needs (task, classes, standardization).
struct ModelDescriptionTests {
    /// Every layer type the description knows, with hyperparameters off their defaults.
    static let architecture = Sequential(seed: 9) {
        Dense(5, 8, activation: .leakyReLU(slope: 0.2))
        BatchNorm(8, hyperparameters: .keras)
        ActivationLayer(.elu(alpha: 0.5))
        Dropout(0.25)
        Dense(8, 6, useBias: false)
        LayerNorm(6, epsilon: 1e-3)
        GaussianNoise(0.1)
        ActivationLayer(.gelu)
        Dense(6, 3)
    }

    static func outputs<B: Backend>(of model: Model<B>, _ input: [Float]) throws -> [Float] {
        let buffer = try model.backend.makeBuffer(input)
        return try model.backend.download(
            try model.forward(buffer.view, batch: input.count / 5, training: false))
    }

    @Test func aModelIsRebuiltFromItsFileAlone() throws {
        let directory = try CheckpointTests.temporaryDirectory()
        let backend = CPUBackend()
        let model = try Model(Self.architecture, inputShape: .features(5), on: backend, maxBatch: 4)
        // Running statistics off their initial values.
        let input = TestData.uniform(4 * 5, seed: 4, in: -2...2)
        _ = try model.forward(try backend.makeBuffer(input).view, batch: 4, training: true)
        let standardization = ModelDescription.Standardization(
            mean: [0, 1, 2, 3, 4], scale: [1, 2, 3, 4, 5])
        let path = directory + "/model.safetensors"
        try model.save(
            to: path, task: .multiclassClassification(classes: 3),
            loss: .softmaxCrossEntropy(labelSmoothing: 0.1), classNames: ["cat", "dog", "emu"],
            featureNames: ["a", "b", "c", "d", "e"], standardization: standardization)

        let (loaded, description) = try Model.load(contentsOf: path, on: backend, maxBatch: 4)
        #expect(loaded.architecture.description == Self.architecture.description)
        #expect(try Self.outputs(of: loaded, input) == (try Self.outputs(of: model, input)))
        #expect(try loaded.stateTensors() == (try model.stateTensors()))
        #expect(description.task == .multiclassClassification(classes: 3))
        #expect(description.loss == .softmaxCrossEntropy(labelSmoothing: 0.1))
        #expect(description.classNames == ["cat", "dog", "emu"])
        #expect(description.featureNames == ["a", "b", "c", "d", "e"])
        #expect(description.standardization == standardization)
        #expect(description.layers.count == Self.architecture.layers.count)
        #expect(
            description.tensorLayout["layers.0.weight"]?.hasPrefix("[5, 8] [inputs, outputs]")
                == true)
        #expect(description.tensorLayout["layers.1.running_var"] != nil)
        // On the other backend the same file gives the same model.
        if OpenCLTestSupport.shouldRun {
            let (onDevice, _) = try Model.load(
                contentsOf: path, on: try OpenCLTestSupport.makeBackend(), maxBatch: 4)
            expectClose(
                try Self.outputs(of: onDevice, input), try Self.outputs(of: model, input),
                .matmul, "the rebuilt model on OpenCL")
        }
    }

    @Test func aFileWithoutADescriptionSaysWhatIsMissing() throws {
        let directory = try CheckpointTests.temporaryDirectory()
        let model = try Model(
            Self.architecture, inputShape: .features(5), on: CPUBackend(), maxBatch: 4)
        let path = directory + "/old.safetensors"
        // A file as an older Descent wrote it: the same tensors, no description.
        try SafeTensorsFile(tensors: try model.stateTensors(), metadata: ["format": "descent"])
            .write(to: path)
        let error = try #require(throws: DescentError.self) {
            _ = try Model.load(contentsOf: path, on: CPUBackend())
        }
        #expect("\(error)".contains("has no model description"), "\(error)")
        #expect("\(error)".contains("descent.model"), "\(error)")
    }

    /// A description whose sizes do not match the file's tensors (here a dense layer of
    /// 2^32 x 2^32) is refused before any model is built: no size is taken from the text alone.
    @Test func aDescriptionThatDoesNotFitItsTensorsIsRefused() throws {
        let directory = try CheckpointTests.temporaryDirectory()
        let model = try Model(
            Self.architecture, inputShape: .features(5), on: CPUBackend(), maxBatch: 4)
        let path = directory + "/model.safetensors"
        try model.save(to: path)
        let file = try SafeTensorsFile(contentsOf: path)
        var description = try JSON.decode(
            ModelDescription.self, from: try #require(file.metadata[ModelDescription.metadataKey]))
        description.layers[0] = .dense(
            inputs: 1 << 32, outputs: 1 << 32, activation: .relu, useBias: true)
        let crafted = directory + "/crafted.safetensors"
        try SafeTensorsFile(
            tensors: file.tensors,
            metadata: file.metadata.merging([
                ModelDescription.metadataKey: try JSON.text(description)
            ]) {
                $1
            }
        ).write(to: crafted)
        let error = try #require(throws: DescentError.self) {
            _ = try Model.load(contentsOf: crafted, on: CPUBackend())
        }
        #expect("\(error)".contains("layer 0 needs layers.0.weight"), "\(error)")
    }

    /// A layer defined outside Descent: the file still saves (tensors and the architecture's
    /// text) but cannot describe the model, and loading it alone says so.
    @Test func aCustomLayerIsSavedWithoutADescription() throws {
        struct Doubling: Layer {
            func outputShape(for inputShape: SampleShape) throws -> SampleShape { inputShape }
            func parameters(for inputShape: SampleShape) -> [ParameterSpec] { [] }
            func makeRuntime<B: Backend>(_ context: LayerContext<B>) throws -> any LayerRuntime<B> {
                try ActivationLayer(.identity).makeRuntime(context)
            }
            var description: String { "Doubling" }
        }
        let directory = try CheckpointTests.temporaryDirectory()
        let model = try Model(
            Sequential(seed: 1) {
                Dense(2, 2); Doubling()
            }, inputShape: .features(2), on: CPUBackend(),
            maxBatch: 2)
        let path = directory + "/custom.safetensors"
        try model.save(to: path)
        #expect(throws: DescentError.self) {
            _ = try Model.load(contentsOf: path, on: CPUBackend())
        }
        try model.load(from: path)
    }
}
