import ArgumentParser
import Descent

/// `descent search`: a hyperparameter search over `descent train`'s options, resumable from its
/// results file, ending with the best configuration (or an ensemble of the best few) on the test set.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract:
            "Search hyperparameters (grid, random or coarse-to-fine), then test the best configurations as an ensemble.",
        discussion: """
            Each trial trains on the training split and is scored on the validation split only; \
            the test set is touched once, at the end, by the final model or ensemble. Trials are \
            appended to --results as they end; running the same search again skips finished \
            trials. The options of `descent train` not in --space are fixed for every trial.
            """
    )

    @Option(
        help: ArgumentHelp(
            "The hyperparameters to search, as NAME=KIND:ARGUMENTS entries separated by commas.",
            discussion: """
                Kinds: log:LOW:HIGH (log-uniform), uniform:LOW:HIGH, int:LOW:HIGH, intlog:LOW:HIGH and \
                choice:A|B|C. Names: \(TrialOptions.names.joined(separator: ", ")). A comma starts a new \
                entry only before NAME=, so choices may hold commas. Example: \
                lr=log:1e-4:1e-1,dropout=uniform:0:0.5,hidden=choice:64|128,64,optimizer=choice:adam|momentum
                """))
    var space: String?

    @Option(
        name: .customLong("space-file"),
        help:
            "The space as a JSON file instead: {\"lr\": {\"log\": [1e-4, 0.1]}, \"hidden\": {\"choice\": [\"64\", \"128,64\"]}}."
    )
    var spaceFile: String?

    @Option(help: "grid, random or coarse-to-fine.")
    var strategy = "random"

    @Option(
        help:
            "Trials of random and coarse-to-fine search; for grid, the most to run (default: the whole grid)."
    )
    var trials: Int?

    @Option(
        name: .customLong("grid-points"),
        help: "Grid values per numeric range (log-spaced on log ranges).")
    var gridPoints = 3

    @Option(help: "Stages of coarse-to-fine search, the coarse one included.")
    var stages = 3

    @Option(
        help: "How much narrower each coarse-to-fine stage's ranges are than the last's, in (0, 1)."
    )
    var shrink = 0.5

    @Option(
        help:
            "Successive halving: train every trial briefly, keep the best 1/ETA for ETA times the epochs, up to --epochs (0: off)."
    )
    var halving = 0

    @Option(
        name: .customLong("min-epochs"),
        help: "Epochs of successive halving's first rung, at least.")
    var minEpochs = 1

    @Option(
        name: .customLong("budget-minutes"),
        help: "Start no trial once the trials have taken this long (resumed ones included).")
    var budgetMinutes: Double?

    @Option(
        help: "val_loss, val_accuracy, or auto (val_accuracy for classes, val_loss for regression)."
    )
    var metric = "auto"

    @Option(help: "Results file (JSON lines): appended to as trials end, read back to resume.")
    var results = "search-results.jsonl"

    @Option(
        help:
            "Test the best K configurations, retrained, as an ensemble averaging their probabilities (1: the best alone)."
    )
    var ensemble = 1

    @Option(help: "Rows of the table of best trials.")
    var top = 10

    @Option(
        help:
            "Directory for the report (index.html: the metric against each hyperparameter, the trials, the test result)."
    )
    var report = "search-report"

    @Flag(
        help:
            "Print one JSON object with the results on standard output, and nothing else there (progress goes to standard error)."
    )
    var json = false

    @OptionGroup(title: "Data") var data: DataOptions
    @OptionGroup(title: "Model (fixed unless in --space)") var model: ModelOptions
    @OptionGroup(title: "Training (fixed unless in --space; --epochs is per trial)") var training:
        TrainingOptions
    @OptionGroup(title: "Device") var device: BackendOptions

    func run() throws {
        try reportingFailures {
            let plan = try makePlan()
            switch try device.choose() {
            case .openCL(let backend):
                try SearchRun(command: self, plan: plan, backend: backend, chosen: .openCL(backend))
                    .run()
            case .cpu(let backend, let note):
                try SearchRun(
                    command: self, plan: plan, backend: backend, chosen: .cpu(backend, note: note)
                ).run()
            }
        }
    }

    /// The space, strategy and settings, checked before any data is loaded.
    func makePlan() throws -> SearchPlan {
        try training.check()
        let space: SearchSpace
        switch (self.space, spaceFile) {
        case (let text?, nil):
            space = try SearchSpace(parsing: text, allowedNames: TrialOptions.names)
        case (nil, let path?):
            space = try SearchSpace(jsonFile: path, allowedNames: TrialOptions.names)
        case (nil, nil):
            throw usageError(
                "give the hyperparameters to search with --space (e.g. --space lr=log:1e-4:1e-1) or --space-file"
            )
        case (.some, .some): throw usageError("give either --space or --space-file, not both")
        }
        let options = TrialOptions(model: model, training: training)
        try options.check(space)
        let strategy: SearchStrategy =
            switch self.strategy {
            case "grid": .grid(pointsPerAxis: gridPoints)
            case "random": .random(trials: trials ?? 10)
            case "coarse-to-fine":
                .coarseToFine(trials: trials ?? 12, stages: stages, shrink: shrink)
            default:
                throw usageError(
                    "unknown strategy '\(self.strategy)'; use grid, random or coarse-to-fine")
            }
        guard ensemble >= 1 else {
            throw usageError("--ensemble must be at least 1, got \(ensemble)")
        }
        guard top >= 1 else { throw usageError("--top must be at least 1, got \(top)") }
        if let budgetMinutes, !(budgetMinutes > 0) {
            throw usageError("--budget-minutes must be positive, got \(budgetMinutes)")
        }
        guard ["auto", "val_loss", "val_accuracy"].contains(metric) else {
            throw usageError("unknown metric '\(metric)'; use auto, val_loss or val_accuracy")
        }
        let search = try HyperparameterSearch(
            space: space, strategy: strategy, objective: .validationLoss, epochs: training.epochs,
            seed: data.seed,
            halving: halving == 0
                ? nil : try SuccessiveHalving(eta: halving, minimumEpochs: minEpochs),
            budgetSeconds: budgetMinutes.map { $0 * 60 },
            maximumTrials: self.strategy == "grid" ? trials : nil)
        return SearchPlan(search: search, options: options)
    }
}

/// A checked search, before its objective is known (that waits for the data's task).
struct SearchPlan {
    let search: HyperparameterSearch
    let options: TrialOptions

    /// The search scoring `objective`.
    func scoring(_ objective: SearchObjective) throws -> HyperparameterSearch {
        try HyperparameterSearch(
            space: search.space, strategy: search.strategy, objective: objective,
            epochs: search.epochs, seed: search.seed,
            halving: search.halving, budgetSeconds: search.budgetSeconds,
            maximumTrials: search.maximumTrials)
    }
}

/// The model and training options of one trial: the command's, with the configuration's values
/// in place of the searched ones.
struct TrialOptions {
    var model: ModelOptions
    var training: TrainingOptions

    /// The hyperparameters a space may name: `descent train`'s options without their dashes.
    static let names = [
        "lr", "weight-decay", "dropout", "hidden", "batch-size", "optimizer", "activation",
        "batch-norm", "schedule", "patience",
    ]

    /// These options with `configuration`'s values, and `epochs` epochs.
    func applying(_ configuration: TrialConfiguration, epochs: Int? = nil) throws -> TrialOptions {
        var options = self
        for name in configuration.names {
            let value = configuration[name]!
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
            switch name {
            case "lr": options.training.lr = Float(try number())
            case "weight-decay": options.training.weightDecay = Float(try number())
            case "dropout": options.model.dropout = Float(try number())
            case "batch-size": options.training.batchSize = try integer()
            case "patience": options.training.patience = try integer()
            case "hidden": options.model.hidden = value.description
            case "optimizer": options.training.optimizer = value.description
            case "activation": options.model.activation = value.description
            case "schedule": options.training.schedule = value.description
            case "batch-norm":
                switch value.description {
                case "on", "true", "yes", "1": options.model.batchNorm = true
                case "off", "false", "no", "0": options.model.batchNorm = false
                default: throw usageError("--space batch-norm takes choice:on|off, got '\(value)'")
                }
            default:
                throw usageError(
                    "unknown hyperparameter '\(name)'; use \(Self.names.joined(separator: ", "))")
            }
        }
        if let epochs { options.training.epochs = epochs }
        return options
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
                    let options = try applying(TrialConfiguration([(parameter.name, value)]))
                    try options.training.check()
                    _ = try options.training.makeOptimizer()
                    _ = try options.training.makeSchedule()
                    _ = try options.model.widths()
                    _ = try options.model.hiddenActivation()
                    _ = try options.model.weightInitializer()
                    guard (0..<1).contains(options.model.dropout) else {
                        throw usageError("dropout must be in [0, 1)")
                    }
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
        var arguments = ["--dataset", data.dataset, "--seed", String(data.seed)]
        if data.task != "auto" { arguments += ["--task", data.task] }
        if let column = data.labelColumn { arguments += ["--label-column", column] }
        arguments += data.preparationArguments
        if model.initializer != "auto" { arguments += ["--init", model.initializer] }
        arguments += [
            "--hidden", model.hidden, "--activation", model.activation,
            model.batchNorm ? "--batch-norm" : "--no-batch-norm",
            "--dropout", String(model.dropout),
        ]
        if model.loss != "auto" { arguments += ["--loss", model.loss] }
        arguments += [
            "--optimizer", training.optimizer, "--lr", String(training.learningRate),
            "--weight-decay", String(training.weightDecay),
            "--batch-size", String(training.batchSize), "--epochs", String(training.epochs),
            "--schedule", training.scheduleName,
            "--patience", String(training.patience),
        ]
        return arguments
    }
}

/// `arguments` as one shell command line, quoting what needs it.
func shellLine(_ arguments: [String]) -> String {
    arguments.map { argument in
        argument.allSatisfy { $0.isLetter || $0.isNumber || "-_.,:/=+".contains($0) }
            && !argument.isEmpty
            ? argument : "'" + argument.replacingAll("'", with: "'\\''") + "'"
    }.joined(separator: " ")
}

extension String {
    /// The string with every `target` replaced by `replacement`.
    func replacingAll(_ target: Character, with replacement: String) -> String {
        reduce(into: "") { $0 += $1 == target ? replacement : String($1) }
    }
}
