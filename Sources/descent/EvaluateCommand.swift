import ArgumentParser
import Descent

/// `descent evaluate`: re-evaluates saved weights on the test set they were held out from.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate weights saved by `descent train` on their data set's test split.",
        discussion: """
            The weights' metadata says how they were trained (data set, task, seed, layers), so the \
            same test split and standardization are rebuilt; the data set must still be readable.
            """
    )

    /// Metadata keys under which `descent train` stores its data and model options.
    static let dataKey = "descent.data_arguments"
    static let modelKey = "descent.model_arguments"

    @Option(help: "A model.safetensors written by `descent train`.")
    var weights: String

    @OptionGroup(title: "Device") var device: BackendOptions

    @Flag(
        help: "Print one JSON object with the results on standard output, and nothing else there.")
    var json = false

    func run() throws {
        try reportingFailures {
            let file: SafeTensorsFile
            do {
                file = try SafeTensorsFile(contentsOf: weights)
            } catch let error as SafeTensorsError {
                if case .io = error { throw usageError("cannot read --weights \(error)") }
                throw usageError("--weights \(weights): \(error)")
            }
            let dataOptions = try DataOptions.parse(try storedArguments(file, Self.dataKey))
            let modelOptions = try ModelOptions.parse(try storedArguments(file, Self.modelKey))
            switch try device.choose() {
            case .openCL(let backend):
                try evaluate(
                    on: backend, chosen: .openCL(backend), data: dataOptions, model: modelOptions)
            case .cpu(let backend, let note):
                try evaluate(
                    on: backend, chosen: .cpu(backend, note: note), data: dataOptions,
                    model: modelOptions)
            }
        }
    }

    private func storedArguments(_ file: SafeTensorsFile, _ key: String) throws -> [String] {
        guard let text = file.metadata[key],
            let arguments = try? JSON.decode([String].self, from: text)
        else {
            throw usageError(
                "\(weights) does not say how it was trained (its '\(key)' metadata is missing or not a JSON list of arguments); "
                    + "it was not written by `descent train`")
        }
        return arguments
    }

    private func evaluate<B: Backend>(
        on backend: B, chosen: ChosenBackend, data dataOptions: DataOptions, model: ModelOptions
    ) throws {
        let console = Console(json: json, quiet: false)
        console.progress("Device: \(chosen.deviceDescription)")
        let data = try dataOptions.load()
        let trainer = try Trainer(
            architecture: try model.architecture(
                input: data.train.sampleShape, task: data.task, seed: dataOptions.seed),
            inputShape: data.train.sampleShape, on: backend, task: data.task,
            loss: try model.loss.lossFunction(for: data.task),
            optimizer: SGD(learningRate: 0),
            maxBatch: 256)
        try trainer.model.load(from: weights)
        let evaluation = try trainer.evaluate(data.test)
        if json {
            StandardOutput.line(
                try JSON.text(
                    EvaluationLine(
                        backend: chosen.name, device: chosen.deviceDescription, weights: weights,
                        dataset: data.name,
                        testSamples: data.test.sampleCount,
                        testLoss: JSONNullable(finite: evaluation.loss),
                        testAccuracy: JSONNullable(finite: evaluation.accuracy),
                        testMSE: evaluation.regression.map {
                            JSONNullable(finite: $0.meanSquaredError)
                        },
                        testR2: evaluation.regression.map {
                            JSONNullable(finite: $0.coefficientOfDetermination)
                        })))
            return
        }
        console.result("Test set of \(data.name): \(data.test.sampleCount) samples")
        console.results(evaluation)
    }

    /// The `--json` line; the regression members only for a regression.
    private struct EvaluationLine: Encodable {
        var backend, device, weights, dataset: String
        var testSamples: Int
        var testLoss, testAccuracy: JSONNullable<Double>
        var testMSE, testR2: JSONNullable<Double>?

        enum CodingKeys: String, CodingKey {
            case backend, device, weights, dataset
            case testSamples = "test_samples"
            case testLoss = "test_loss"
            case testAccuracy = "test_accuracy"
            case testMSE = "test_mse"
            case testR2 = "test_r2"
        }
    }
}
