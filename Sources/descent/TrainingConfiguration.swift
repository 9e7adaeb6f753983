import ArgumentParser
import Descent

/// What a training run applies: the model and training options, typed, and checked in one
/// place. `descent train` runs one; `descent search` runs one per trial, the command's with the
/// trial's values in place of the searched ones.
struct TrainingConfiguration {
    var model: ModelOptions
    var training: TrainingOptions

    /// The options a search space may name: `descent train`'s options without their dashes.
    enum SearchableOption: String, CaseIterable {
        case lr
        case weightDecay = "weight-decay"
        case dropout, hidden
        case batchSize = "batch-size"
        case optimizer, activation
        case batchNorm = "batch-norm"
        case schedule, patience
    }

    /// The names a search space may use.
    static let names = SearchableOption.allCases.map(\.rawValue)

    /// Refuses a configuration that cannot train, with the first problem as one line.
    func check() throws {
        try training.check()
        try model.check()
    }

    /// This configuration with `values` in place of the searched options, and `epochs` epochs.
    /// - Throws: a usage error for a name outside `names` or a value of the wrong kind.
    func applying(_ values: TrialConfiguration, epochs: Int? = nil) throws -> TrainingConfiguration
    {
        var configuration = self
        for name in values.names {
            let value = values[name]!
            func number() throws -> Double {
                guard let number = value.numeric ?? Double(value.description) else {
                    throw usageError("--space \(name): '\(value)' is not a number")
                }
                return number
            }
            /// A whole number, refused (not trapped) when a Double will not fit an Int.
            func integer() throws -> Int {
                guard let integer = Int(exactly: (try number()).rounded()) else {
                    throw usageError("--space \(name): '\(value)' is not a whole number in range")
                }
                return integer
            }
            guard let option = SearchableOption(rawValue: name) else {
                throw usageError(
                    "unknown hyperparameter '\(name)'; use \(Self.names.joined(separator: ", "))")
            }
            switch option {
            case .lr: configuration.training.lr = Float(try number())
            case .weightDecay: configuration.training.weightDecay = Float(try number())
            case .dropout: configuration.model.dropout = Float(try number())
            case .batchSize: configuration.training.batchSize = try integer()
            case .patience: configuration.training.patience = try integer()
            case .hidden: configuration.model.hidden = value.description
            case .optimizer:
                configuration.training.optimizer = try OptimizerChoice(parsing: value.description)
            case .activation:
                configuration.model.activation = try ActivationChoice(parsing: value.description)
            case .schedule:
                configuration.training.schedule = try ScheduleChoice(parsing: value.description)
            case .batchNorm:
                switch value.description {
                case "on", "true", "yes", "1": configuration.model.batchNorm = true
                case "off", "false", "no", "0": configuration.model.batchNorm = false
                default: throw usageError("--space batch-norm takes choice:on|off, got '\(value)'")
                }
            }
        }
        if let epochs { configuration.training.epochs = epochs }
        return configuration
    }

    /// Tries every choice and both ends of every range, so that a value `descent train` would
    /// refuse is an error before the first trial.
    func check(_ space: SearchSpace) throws {
        for parameter in space.hyperparameters {
            let values: [HyperparameterValue] =
                switch parameter.domain {
                case .choice(let choices): choices.map(HyperparameterValue.text)
                default: [parameter.domain.value(at: 0), parameter.domain.value(at: 1)]
                }
            for value in values {
                do {
                    try applying(TrialConfiguration([(parameter.name, value)])).check()
                } catch DescentError.invalidArgument(_, let reason) {
                    // Name the space and the value, not an option the user did not give.
                    throw usageError(
                        "--space \(parameter.name)=\(parameter.domain): its value \(value) is refused: \(reason)"
                    )
                }
            }
        }
    }

    /// The `descent train` arguments that train this configuration.
    func trainArguments(data: DataOptions) -> [String] {
        var arguments = ["--dataset", data.storedDataset, "--seed", String(data.seed)]
        if data.task != "auto" { arguments += ["--task", data.task] }
        if let column = data.labelColumn { arguments += ["--label-column", column] }
        arguments += data.preparationArguments
        arguments += model.arguments
        arguments += [
            "--optimizer", training.optimizer.description, "--lr", String(training.learningRate),
            "--weight-decay", String(training.weightDecay),
            "--batch-size", String(training.batchSize), "--epochs", String(training.epochs),
            "--schedule", training.scheduleName,
            "--patience", String(training.patience),
        ]
        return arguments
    }
}
