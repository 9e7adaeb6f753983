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

    @Flag(help: "Print one JSON object with the results on standard output, and nothing else there.")
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
            case .openCL(let backend): try evaluate(on: backend, chosen: .openCL(backend), data: dataOptions, model: modelOptions)
            case .cpu(let backend, let note): try evaluate(on: backend, chosen: .cpu(backend, note: note), data: dataOptions, model: modelOptions)
            }
        }
    }

    private func storedArguments(_ file: SafeTensorsFile, _ key: String) throws -> [String] {
        guard let text = file.metadata[key], case .array(let values)? = try? JSONValue(parsing: text),
              case let arguments = values.compactMap({ value -> String? in
                  if case .string(let text) = value { return text }
                  return nil
              }), arguments.count == values.count
        else {
            throw usageError(
                "\(weights) does not say how it was trained (its '\(key)' metadata is missing or not a JSON list of arguments); "
                    + "it was not written by `descent train`")
        }
        return arguments
    }

    private func evaluate<B: Backend>(on backend: B, chosen: ChosenBackend, data dataOptions: DataOptions, model: ModelOptions) throws {
        let console = Console(json: json, quiet: false)
        console.progress("Device: \(chosen.deviceDescription)")
        let data = try dataOptions.load()
        let trainer = try Trainer(
            model: try model.architecture(inputs: data.train.featureCount, task: data.task, seed: dataOptions.seed),
            on: backend, loss: try model.lossFunction(for: data.task), optimizer: SGD(learningRate: 0), maxBatch: 256)
        try trainer.model.load(from: weights)
        let evaluation = try trainer.evaluate(data.test)
        var members: [(String, JSONValue)] = [
            ("backend", .string(chosen.name)), ("device", .string(chosen.deviceDescription)), ("weights", .string(weights)),
            ("dataset", .string(data.name)), ("test_samples", .number(data.test.sampleCount)),
            ("test_loss", .number(evaluation.loss)), ("test_accuracy", .optional(evaluation.accuracy)),
        ]
        if let regression = evaluation.regression {
            members += [("test_mse", .number(regression.meanSquaredError)), ("test_r2", .number(regression.coefficientOfDetermination))]
        }
        if json {
            StandardOutput.line(JSONValue.object(members).description)
            return
        }
        console.result("Test set of \(data.name): \(data.test.sampleCount) samples")
        console.results(evaluation)
    }
}
