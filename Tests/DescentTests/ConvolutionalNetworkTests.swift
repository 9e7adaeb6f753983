import Descent
import DescentTestSupport
import Testing

/// Convolutional networks end to end: the summary's shapes, the gradient check of conv nets in
/// Double, CPU and OpenCL training the same weights, saving and loading, and the PyTorch export.
@Suite struct ConvolutionalNetworkTests {
    /// A small image classification set: `samples` 1x6x5 images, 3 classes.
    static func images(samples: Int = 6) throws -> Dataset {
        try Dataset(
            features: DiagnosticsData.features(samples: samples, features: 30),
            featureCount: 30, classIndices: (0..<samples).map { Int32($0 % 3) }, classCount: 3
        ).reshaped(to: .image(channels: 1, height: 6, width: 5))
    }

    static let network = Sequential(seed: 3) {
        RandomCropFlip(padding: 1, flip: true)
        // No bias before batch norm, which cancels it (its gradient is rounding noise, which
        // Adam would blow up to full steps in a different direction on each backend).
        Conv2D(1, 4, kernelSize: 3, padding: .same, useBias: false)
        BatchNorm(4)
        Tanh()
        MaxPool2D(2)
        Conv2D(4, 3, kernelSize: 2, stride: 1, padding: .explicit(1))
        AvgPool2D(2, stride: 1)
        Flatten()
        Dense(3 * 3 * 2, 5)
        Dropout(0.2)
        Tanh()
        Dense(5, 3)
    }

    @Test func summaryShowsEveryLayersShape() throws {
        let model = try Model(
            Self.network, inputShape: .image(channels: 1, height: 6, width: 5), on: CPUBackend(),
            maxBatch: 4)
        #expect(
            model.layerShapes.map(\.dimensions) == [
                [1, 6, 5], [4, 6, 5], [4, 6, 5], [4, 6, 5], [4, 3, 2], [3, 4, 3], [3, 3, 2], [18],
                [5], [5], [5], [3],
            ])
        #expect(model.summary.contains("[batch, 4, 3, 2]"))
        #expect(model.summary.contains("Conv2D(1, 4, 3x3, padding same, no bias)"))
        // Weight [4, 1, 3, 3], gamma and beta 4 each, [3, 4, 2, 2] + 3, dense 18x5 + 5, 5x3 + 3.
        #expect(model.parameterCount == 36 + 8 + 51 + 95 + 18)
    }

    @Test func gradientCheckCoversConvNets() throws {
        for pooling in [MaxPool2D(2), AvgPool2D(3, stride: 1)] {
            let network = Sequential(seed: 4) {
                Conv2D(1, 3, kernelSize: 3, stride: 2, padding: .explicit(2))
                BatchNorm(3)
                Tanh()
                pooling
                GlobalAveragePool()
                Dense(3, 3)
            }
            let check = GradientCheck(
                network, inputShape: .image(channels: 1, height: 6, width: 5),
                loss: .softmaxCrossEntropy, sampleCount: 4)
            let data = try Self.images()
            let report = try check.run(data)
            #expect(report.passed, "\(report.lines.joined(separator: "\n"))")
            let cpu = try check.compare(on: CPUBackend(), data: data)
            #expect(cpu.passed, "\(cpu.lines.joined(separator: "\n"))")
        }
    }

    @Test func savedConvNetLoadsAndPredictsAlike() throws {
        let trainer = try Trainer(
            architecture: Self.network, inputShape: .image(channels: 1, height: 6, width: 5),
            on: CPUBackend(), loss: .softmaxCrossEntropy, optimizer: Adam(learningRate: 0.01),
            maxBatch: 8)
        let data = try Self.images(samples: 12)
        _ = try trainer.fit(data, epochs: 2, batchSize: 4)
        let path = try CheckpointTests.temporaryDirectory() + "/conv-model.safetensors"
        try trainer.model.save(to: path)
        let (loaded, description) = try Model.load(contentsOf: path, on: CPUBackend(), maxBatch: 12)
        #expect(try description.inputShape == .image(channels: 1, height: 6, width: 5))
        #expect(loaded.layerShapes == trainer.model.layerShapes)
        let expected = try trainer.predict(data)
        let features = try loaded.backend.makeBuffer(data.features)
        let actual = try loaded.backend.download(
            try loaded.forward(features.view, batch: 12, training: false))
        expectClose(actual, expected, .exact, "predictions of the loaded model")

        let export = try trainer.model.pyTorchExport()
        #expect(
            export.modules.contains(
                "nn.Conv2d(1, 4, kernel_size=3, stride=1, padding=1, bias=False)"))
        #expect(export.modules.contains("nn.BatchNorm2d(4, eps=1e-05, momentum=0.1)"))
        #expect(export.modules.contains("nn.MaxPool2d(2, stride=2)"))
        #expect(export.tensors.first { $0.name == "1.weight" }?.shape == [4, 1, 3, 3])
    }

    /// The report draws the first convolution's filters, one image per output and input channel.
    @Test func reportDrawsTheFirstLayersFilters() throws {
        let model = try Model(
            Self.network, inputShape: .image(channels: 1, height: 6, width: 5), on: CPUBackend(),
            maxBatch: 2)
        let grid = try #require(try ImageGrid.firstLayerFilters(of: model))
        #expect(grid.images.count == 4)
        #expect(grid.images.allSatisfy { $0.width == 3 && $0.height == 3 && $0.pixels.count == 9 })
        #expect(grid.title.hasPrefix("Layer 1, Conv2D(1, 4, 3x3"))
        var report = TrainingReport(title: "CNN")
        report.filters = grid
        #expect(report.html().contains("its filters"))
        let mlp = try Model(
            Sequential(seed: 1) { Dense(4, 2) }, inputFeatures: 4, on: CPUBackend(), maxBatch: 1)
        #expect(try ImageGrid.firstLayerFilters(of: mlp) == nil)
    }

    @Test func flatDataIsRefusedByAConvolution() throws {
        #expect(throws: DescentError.self) {
            try Model(
                Sequential(seed: 1) { Conv2D(1, 2, kernelSize: 3) }, inputFeatures: 30,
                on: CPUBackend(), maxBatch: 2)
        }
        #expect(throws: DescentError.self) {
            try Model(
                Sequential(seed: 1) {
                    Dense(30, 2); RandomCropFlip(padding: 1, flip: false)
                },
                inputFeatures: 30, on: CPUBackend(), maxBatch: 2)
        }
    }
}

@Suite(.requiresOpenCL) struct ConvolutionalNetworkOpenCLTests {
    /// Three steps of Adam on both backends, augmentation and dropout included, end at the same
    /// weights (the same Philox draws on both).
    @Test func bothBackendsTrainTheSameWeights() throws {
        func train<B: Backend>(on backend: B) throws -> [Float] {
            let trainer = try Trainer(
                architecture: ConvolutionalNetworkTests.network,
                inputShape: .image(channels: 1, height: 6, width: 5), on: backend,
                loss: .softmaxCrossEntropy, optimizer: Adam(learningRate: 0.01), maxBatch: 8)
            _ = try trainer.fit(
                try ConvolutionalNetworkTests.images(samples: 12), epochs: 1, batchSize: 4)
            return try backend.download(trainer.model.parameters.view)
        }
        let expected = try train(on: CPUBackend())
        let actual = try train(on: try OpenCLTestSupport.makeBackend())
        expectClose(actual, expected, .matmul, "parameters after 3 steps")
    }

    @Test func openCLGradientsOfAConvNetMatchTheReference() throws {
        let network = Sequential(seed: 5) {
            Conv2D(1, 3, kernelSize: 3, padding: .same); BatchNorm(3); Tanh(); MaxPool2D(2)
            Flatten(); Dense(3 * 3 * 2, 3)
        }
        let check = GradientCheck(
            network, inputShape: .image(channels: 1, height: 6, width: 5),
            loss: .softmaxCrossEntropy, sampleCount: 4)
        let report = try check.compare(
            on: try OpenCLTestSupport.makeBackend(), data: try ConvolutionalNetworkTests.images())
        #expect(report.passed, "\(report.lines.joined(separator: "\n"))")
    }
}
