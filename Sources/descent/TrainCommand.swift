import ArgumentParser
import Descent

/// `descent train`: trains a model with a progress bar, reports on its test set and writes the
/// report and the weights.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract:
            "Train a model (Fashion-MNIST by default), report on its test set, write a report and the weights.",
        discussion: """
            The features are standardized with the training split's statistics; 10% of the \
            training data (stratified by class) validates each epoch, and early stopping restores \
            the best weights. The test set is touched once, at the end.
            """
    )

    @OptionGroup(title: "Data") var data: DataOptions
    @OptionGroup(title: "Model") var model: ModelOptions
    @OptionGroup(title: "Training") var training: TrainingOptions
    @OptionGroup(title: "Device") var device: BackendOptions

    @Flag(
        name: .customLong("sanity-checks"), inversion: .prefixedNo,
        help:
            "Before training: check the loss at initialization, that a tiny subset can be overfit, and that regularization raises the loss. The data checks run either way."
    )
    var sanityChecks = true

    @Option(
        name: .customLong("monitor-every"),
        help:
            "Measure per-layer statistics (update-to-weight ratio, gradient norms, dead and saturated units) every this many steps; 0 turns the monitor off."
    )
    var monitorEvery = TrainingMonitor<CPUBackend>.defaultInterval

    @Option(
        help:
            "Directory for the report (index.html, history.csv, history.json) and the weights (model.safetensors)."
    )
    var report = "descent-report"

    @Flag(
        help:
            "Print one JSON object with the results on standard output, and nothing else there (progress goes to standard error)."
    )
    var json = false

    @Flag(help: "Print only the results.")
    var quiet = false

    @Flag(
        name: .customLong("sync-batch-norm"), inversion: .prefixedNo,
        help: ArgumentHelp(
            "Under mpirun: batch norm normalizes with the statistics of the whole global batch.",
            discussion: """
                They are summed over the ranks at each batch norm layer, forward and backward: the \
                arithmetic of one process. --no-sync-batch-norm normalizes each rank's share with its \
                own statistics, as PyTorch's DistributedDataParallel does, with no communication \
                inside the step (the running statistics are averaged over the ranks each epoch).
                """))
    var syncBatchNorm = true

    @Option(
        help: ArgumentHelp(
            "Continue the interrupted run whose report directory this is.",
            discussion:
                "It goes on from its last finished epoch with the options it was started with (other training options given here are not used), and on the same backend and device ends with the weights the uninterrupted run would have; this command's --backend, --device, --json and --quiet apply.",
            valueName: "report-directory"))
    var resume: String?

    /// The metadata key of the resume checkpoint's options, as `train` arguments.
    static let argumentsKey = "descent.train_arguments"

    func run() throws {
        var job: DistributedJob?
        try reportingFailures { job = try DistributedJob.join() }
        try job?.run {
            let command = try resume.map { try resumed(from: $0) } ?? self
            try command.train(in: job!)
        }
    }

    /// The command the run in `directory` was started with, from its checkpoint, with this
    /// command's device, output and distributed options.
    private func resumed(from directory: String) throws -> TrainCommand {
        let path = RunArtifacts.resumePath(in: directory)
        let file: SafeTensorsFile
        do {
            file = try SafeTensorsFile(contentsOf: path)
        } catch SafeTensorsError.io {
            throw usageError(
                "--resume \(directory): there is no run to resume (no \(path)): the run there finished, or was not started by descent train"
            )
        } catch let error as SafeTensorsError {
            throw usageError("--resume \(directory): \(path): \(error)")
        }
        guard let text = file.metadata[Self.argumentsKey],
            let arguments = try? JSON.decode([String].self, from: text)
        else {
            throw usageError("--resume \(directory): \(path) does not say how the run was started")
        }
        var command = try TrainCommand.parse(arguments)
        command.report = directory
        command.resume = directory
        command.device = device
        command.json = json
        command.quiet = quiet
        command.syncBatchNorm = syncBatchNorm
        return command
    }

    /// The options a resumed run starts with: everything but the device, the output and the
    /// report directory.
    var resumeArguments: [String] {
        TrainingConfiguration(model: model, training: training).trainArguments(data: data)
            + [
                "--monitor", training.monitor, "--monitor-every", String(monitorEvery),
                sanityChecks ? "--sanity-checks" : "--no-sanity-checks",
            ]
    }

    /// Trains as this process's part of `job`: the whole run in one process, a rank's share of
    /// each batch under `mpirun` (every rank must be given the same options).
    private func train(in job: DistributedJob) throws {
        try TrainingConfiguration(model: model, training: training).check()
        guard monitorEvery >= 0 else {
            throw usageError(
                "--monitor-every must be 0 (off) or a number of steps, got \(monitorEvery)")
        }
        try job.requireSameCommand(
            resumeArguments + [
                "--report", report, syncBatchNorm ? "--sync-batch-norm" : "--no-sync-batch-norm",
            ])
        let console = Console(json: json, quiet: quiet, muted: !job.isRoot)
        switch try device.choose(localRank: job.localRank, progress: console.progress) {
        case .openCL(let backend):
            try TrainingRun(command: self, job: job, backend: backend, chosen: .openCL(backend))
                .run()
        case .cpu(let backend, let note):
            try TrainingRun(
                command: self, job: job, backend: backend, chosen: .cpu(backend, note: note)
            ).run()
        }
    }

    /// The options of the run, for the report, with what `auto` resolved to: the task and the
    /// loss the labels called for, and the quantity early stopping watches.
    func configuration(
        task: LearningTask, loss: LossFunction, monitored: String
    ) -> [(
        key: String, value: String
    )] {
        func resolved(_ option: String, _ value: String) -> String {
            option == "auto" ? "\(value) (auto)" : value
        }
        return [
            ("dataset", data.dataset + (data.labelColumn.map { " (label column \($0))" } ?? "")),
            ("task", resolved(data.task, task.description)),
            ("standardized", data.standardize ? "yes" : "no"),
            ("training subset", data.trainSubset.map(String.init) ?? "all"),
            ("labels shuffled", data.shuffleLabels ? "yes (a planted fault)" : "no"),
            ("hidden layers", model.hidden.isEmpty ? "none" : model.hidden),
            ("activation", model.activation.description),
            ("batch norm", model.batchNorm ? "yes" : "no"),
            ("initialization", model.initializer.description),
            ("dropout", String(model.dropout)),
            ("loss", resolved(model.loss.description, loss.description)),
            ("optimizer", training.optimizer.description),
            ("learning rate", String(training.learningRate)),
            ("weight decay", String(training.weightDecay)), ("schedule", training.scheduleName),
            ("epochs (at most)", String(training.epochs)),
            ("batch size", String(training.batchSize)),
            (
                "early stopping",
                training.patience > 0
                    ? "patience \(training.patience) on \(resolved(training.monitor, monitored))"
                    : "off"
            ),
            ("seed", String(data.seed)), ("backend", device.backend),
            ("monitor every", monitorEvery > 0 ? "\(monitorEvery) steps" : "off"),
        ]
    }

    /// How to rebuild the same data splits and model, for `descent evaluate`: the data and model
    /// options as arguments, stored in the weights' metadata.
    var rebuildMetadata: [String: String] {
        get throws {
            var dataArguments = [
                "--dataset", data.storedDataset, "--task", data.task, "--seed", String(data.seed),
            ]
            if let column = data.labelColumn { dataArguments += ["--label-column", column] }
            dataArguments += data.preparationArguments
            let modelArguments = model.arguments
            return [
                EvaluateCommand.dataKey: try JSON.text(dataArguments),
                EvaluateCommand.modelKey: try JSON.text(modelArguments),
            ]
        }
    }
}
