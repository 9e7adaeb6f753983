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
                choice:A|B|C. Names: \(TrainingConfiguration.names.joined(separator: ", ")). A comma starts a new \
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

    /// Searches in this process, or as one rank of `mpirun -np K descent search ...`: the ranks
    /// share the trials out (`HyperparameterSearch.run`), rank 0 writes the results file and the
    /// report and tests the best.
    func run() throws {
        var job: DistributedJob?
        try reportingFailures { job = try DistributedJob.join() }
        try job?.run {
            try job!.requireSameCommand(Array(CommandLine.arguments.dropFirst()))
            let plan = try makePlan()
            let console = Console(json: json, quiet: false, muted: !job!.isRoot)
            switch try device.choose(localRank: job!.localRank, progress: console.progress) {
            case .openCL(let backend):
                try SearchRun(
                    command: self, job: job!, plan: plan, backend: backend,
                    chosen: .openCL(backend)
                ).run()
            case .cpu(let backend, let note):
                try SearchRun(
                    command: self, job: job!, plan: plan, backend: backend,
                    chosen: .cpu(backend, note: note)
                ).run()
            }
        }
    }

    /// The space, strategy and settings, checked before any data is loaded.
    func makePlan() throws -> SearchPlan {
        let options = TrainingConfiguration(model: model, training: training)
        try options.check()
        let space: SearchSpace
        switch (self.space, spaceFile) {
        case (let text?, nil):
            space = try SearchSpace(parsing: text, allowedNames: TrainingConfiguration.names)
        case (nil, let path?):
            space = try SearchSpace(jsonFile: path, allowedNames: TrainingConfiguration.names)
        case (nil, nil):
            throw usageError(
                "give the hyperparameters to search with --space (e.g. --space lr=log:1e-4:1e-1) or --space-file"
            )
        case (.some, .some): throw usageError("give either --space or --space-file, not both")
        }
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
    let options: TrainingConfiguration

    /// The search scoring `objective`.
    func scoring(_ objective: SearchObjective) throws -> HyperparameterSearch {
        try HyperparameterSearch(
            space: search.space, strategy: search.strategy, objective: objective,
            epochs: search.epochs, seed: search.seed,
            halving: search.halving, budgetSeconds: search.budgetSeconds,
            maximumTrials: search.maximumTrials)
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
