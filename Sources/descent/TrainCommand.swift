import ArgumentParser
import Descent

/// `descent train`: trains a classifier with the progress bar, then reports on the test set.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a classifier (Fashion-MNIST by default) and report on its test set.",
        discussion: """
            The data is standardized with statistics of the training split, 10% of which (stratified) \
            validates each epoch; early stopping restores the best weights. The generated 2-D sets \
            (spirals, moons, circles) need no download.
            """
    )

    @Option(help: "fashion-mnist, spirals, moons or circles.")
    var dataset = "fashion-mnist"
    @Option(help: "opencl or cpu. opencl falls back to cpu, saying so, when there is no OpenCL device.")
    var backend = "opencl"
    @Option(help: "OpenCL device: an index, gpu/cpu, or a substring of its name (default: DESCENT_DEVICE, else the best).")
    var device: String?
    @Option(help: "Epochs at most (early stopping may end sooner).")
    var epochs = 25
    @Option(name: .customLong("batch-size"), help: "Samples per step.")
    var batchSize = 128
    @Option(help: "Hidden layer widths, comma-separated.")
    var hidden = "256,128"
    @Option(help: "Hidden activation: relu, gelu, tanh, sigmoid, elu, selu, softplus, leaky-relu.")
    var activation = "relu"
    @Flag(name: .customLong("batch-norm"), inversion: .prefixedNo, help: "Batch normalization after each hidden layer.")
    var batchNorm = true
    @Option(help: "Dropout probability after each hidden layer.")
    var dropout: Float = 0.3
    @Option(help: "Learning rate of AdamW.")
    var lr: Float = 1e-3
    @Option(name: .customLong("weight-decay"), help: "AdamW's decoupled weight decay.")
    var weightDecay: Float = 1e-4
    @Option(help: "Epochs without validation improvement before stopping.")
    var patience = 5
    @Option(help: "Seed of the weights, the shuffles, the splits and the dropout masks.")
    var seed: UInt64 = 42
    @Flag(help: "Print only the final results.")
    var quiet = false

    func run() throws {
        do {
            if backend == "cpu" {
                try train(on: CPUBackend())
            } else if let openCL = try openCLBackend() {
                try train(on: openCL)
            } else {
                try train(on: CPUBackend())
            }
        } catch let error as DescentError {
            StandardOutput.line("error: \(error)")
            throw ExitCode.failure
        }
    }

    private func openCLBackend() throws -> OpenCLBackend? {
        do {
            return try OpenCLBackend(device: device.map(DeviceSelector.init(parsing:)) ?? .fromEnvironment)
        } catch let error as DescentError {
            if case .noOpenCLDevice = error {
                StandardOutput.line("\(error)\nTraining on the CPU reference backend instead.")
                return nil
            }
            throw error
        }
    }

    private func loadData() throws -> (train: Dataset, test: Dataset) {
        switch dataset {
        case "fashion-mnist":
            let data = try FashionMNIST.load()
            return (data.train, data.test)
        case "spirals", "moons", "circles":
            let all = dataset == "spirals"
                ? try Dataset.spirals(sampleCount: 3000, classes: 2, noise: 0.02, seed: seed)
                : dataset == "moons" ? try Dataset.moons(sampleCount: 3000, noise: 0.1, seed: seed)
                : try Dataset.circles(sampleCount: 3000, noise: 0.05, factor: 0.5, seed: seed)
            let split = try all.stratifiedSplit(validationFraction: 0.2, seed: seed &+ 1)
            return (split.train, split.validation)
        default:
            throw DescentError.invalidArgument(
                operation: "descent train", reason: "unknown data set '\(dataset)'; use fashion-mnist, spirals, moons or circles")
        }
    }

    private func hiddenActivation() throws -> Activation {
        switch activation {
        case "relu": .relu
        case "gelu": .gelu
        case "tanh": .tanh
        case "sigmoid": .sigmoid
        case "elu": .elu(alpha: 1)
        case "selu": .selu
        case "softplus": .softplus
        case "leaky-relu": .leakyReLU(slope: 0.01)
        default:
            throw DescentError.invalidArgument(operation: "descent train", reason: "unknown activation '\(activation)'")
        }
    }

    private func train<B: Backend>(on backend: B) throws {
        let started = monotonicSeconds()
        let (rawTrain, rawTest) = try loadData()
        let scaler = Standardizer(fittedOn: rawTrain)
        let (train, validation) = try scaler.transform(rawTrain).stratifiedSplit(validationFraction: 0.1, seed: seed)
        let test = try scaler.transform(rawTest)
        let widths = try hidden.split(separator: ",").map { text -> Int in
            guard let width = Int(text.trimmingCharacters()), width > 0 else {
                throw DescentError.invalidArgument(operation: "descent train", reason: "--hidden takes positive widths, got '\(hidden)'")
            }
            return width
        }
        let classes = train.classCount ?? 0
        var layers: [any Layer] = []
        var inputs = train.featureCount
        let function = try hiddenActivation()
        for width in widths {
            layers.append(Dense(inputs, width, initializer: function == .relu ? .heUniform : .glorotUniform))
            if batchNorm { layers.append(BatchNorm(width)) }
            layers.append(ActivationLayer(function))
            if dropout > 0 { layers.append(Dropout(dropout)) }
            inputs = width
        }
        layers.append(Dense(inputs, classes))
        let trainer = try Trainer(
            model: Sequential(seed: seed, layers: layers), on: backend, loss: .softmaxCrossEntropy,
            optimizer: AdamW(learningRate: lr, weightDecay: weightDecay), maxBatch: batchSize)
        let buildSeconds = monotonicSeconds() - started
        if !quiet {
            StandardOutput.line("Device: \(backend.deviceName)")
            StandardOutput.line("Data: \(dataset), \(train.sampleCount) training, \(validation.sampleCount) validation, \(test.sampleCount) test samples")
            StandardOutput.line(trainer.model.summary)
        }
        let history = try trainer.fit(
            train, validation: validation, epochs: epochs, batchSize: batchSize, seed: seed,
            callbacks: [EarlyStopping(patience: patience, restoreBestWeights: true), TerminateOnNaN()]
                + (quiet ? [] : [ProgressBar(epochs: epochs)]))
        let trainingSeconds = history.epochs.reduce(0) { $0 + $1.seconds }
        if let reason = history.stopReason, !quiet { StandardOutput.line(reason) }
        let evaluation = try trainer.evaluate(test, batchSize: batchSize)
        StandardOutput.line("Test loss \(ProgressBar.format(evaluation.loss)), accuracy \(ProgressBar.format(evaluation.accuracy ?? 0))")
        if let report = evaluation.report {
            StandardOutput.line(report.confusionMatrix.description)
            StandardOutput.line(report.description)
        }
        StandardOutput.line("Time: \(ProgressBar.duration(buildSeconds)) loading and building, \(ProgressBar.duration(trainingSeconds)) training")
    }
}

extension Substring {
    /// Without leading and trailing spaces.
    func trimmingCharacters() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
