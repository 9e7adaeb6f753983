import ArgumentParser
import Descent

/// One `descent search` on a backend: load the data, run (or resume) the search, print the best
/// trials and how to train the best, test the best few as an ensemble, write the report page
/// (and, with `--json`, one JSON object of the results). In a distributed job every rank trains
/// its share of the trials; rank 0 alone prints, keeps the results file and tests the best.
struct SearchRun<B: Backend> {
    let command: SearchCommand
    let job: DistributedJob
    let plan: SearchPlan
    let backend: B
    let chosen: ChosenBackend

    private var console: Console { Console(json: command.json, quiet: false, muted: !job.isRoot) }

    func run() throws {
        if job.isDistributed {
            console.progress(
                "Distributed: \(job.description); trial i of each round runs on rank i mod \(job.communicator.size)"
            )
        }
        console.progress("Device: \(chosen.deviceDescription)")
        if case .cpu(_, let note?) = chosen { console.progress(note) }
        if job.isRoot { try ReportDirectory.create(command.report) }
        let data = try command.data.load()
        let regression = if case .regression = data.task { true } else { false }
        let objective: SearchObjective =
            switch command.metric {
            case "val_loss": .validationLoss
            case "val_accuracy": .validationAccuracy
            default: regression ? .validationLoss : .validationAccuracy
            }
        if objective == .validationAccuracy, regression {
            throw usageError(
                "--metric val_accuracy needs class labels; use val_loss for \(data.name)")
        }
        if command.ensemble > 1, regression {
            throw usageError(
                "--ensemble \(command.ensemble) averages class probabilities; a regression task takes --ensemble 1"
            )
        }
        let search = try plan.scoring(objective)
        let trialSettings = TrialSettings(
            monitored: try command.training.monitoredQuantity(for: data.task),
            chanceLoss: try? SanityChecks.expectedInitialLoss(
                try command.model.loss.lossFunction(for: data.task), data: data.train,
                outputs: data.task.outputFeatures
            ).atZeroOutput)
        let reference = TrialConfiguration(
            search.space.hyperparameters.map { ($0.name, $0.domain.value(at: 0)) })
        let settings = shellLine(
            try plan.options.applying(reference, epochs: search.epochs).trainArguments(
                data: command.data))
        let results =
            job.isRoot
            ? try SearchResultsFile(
                path: command.results, space: search.space, objective: objective,
                settings: settings) : nil
        results?.warnings.forEach { console.result("warning: \($0)") }
        console.progress(
            "Data: \(data.name), \(data.train.sampleCount) training and \(data.validation.sampleCount) validation samples "
                + "(trials never see the \(data.test.sampleCount) test samples); \(data.task)")
        console.progress(
            "Search: \(search.strategy) over \(search.space), \(search.epochs) epochs a trial"
                + (search.halving.map {
                    ", successive halving over rungs of \($0.rungs(epochs: search.epochs)) epochs"
                } ?? "")
                + "; scoring \(objective.metric); results in \(command.results)"
                + (results?.records.isEmpty ?? true
                    ? "" : " (\(results?.records.count ?? 0) finished trials to reuse)"))

        var best: Double? = nil, stageSize = 0
        let outcome = try search.run(
            results: results,
            events: { event in
                switch event {
                case .stageStarted(let stage, let space, let trials):
                    stageSize = trials
                    if search.strategy.stageCount > 1 {
                        console.progress(
                            "Stage \(stage + 1)/\(search.strategy.stageCount) (\(stage == 0 ? "coarse" : "fine")): \(space)"
                        )
                    }
                case .trialFinished(let record, let resumed):
                    let score = record.score(objective)
                    if let score, best.map({ objective.prefers(score, over: $0) }) ?? true {
                        best = score
                    }
                    let warnings = SearchSummary.warnings(of: record)
                    console.progress(
                        "Trial \(record.index + 1)/\(stageSize)\(search.strategy.stageCount > 1 ? " of stage \(record.stage + 1)" : "") "
                            + "(\(record.epochs) epochs): \(record.configuration) -> \(objective.metric) \(score.map(ProgressBar.format) ?? "n/a") "
                            + "(best \(best.map(ProgressBar.format) ?? "n/a")) "
                            + (resumed
                                ? "[resumed from \(command.results)]"
                                : "in \(ProgressBar.duration(record.result.wallSeconds))")
                            + (warnings.isEmpty
                                ? ""
                                : "; \(warnings.count) warning\(warnings.count == 1 ? "" : "s"): \(warnings.map(\.code).joined(separator: ", "))")
                    )
                }
            },
            communicator: job.communicator,
            runner: { configuration, epochs in
                try runTrial(
                    try plan.options.applying(configuration, epochs: epochs), data: data,
                    objective: objective, settings: trialSettings)
            })
        if outcome.stoppedByBudget {
            console.result(
                "The time budget of \(command.budgetMinutes ?? 0) minutes is spent; the search stopped early."
            )
        }
        console.result(
            "\(outcome.ran) trials run now, \(outcome.resumed) resumed from \(command.results), "
                + "\(ProgressBar.duration(outcome.spentSeconds)) of training in all.")

        // Rank 0 tests the best and writes the report; the other ranks are done.
        guard job.isRoot else { return }
        let ranking = outcome.ranking
        guard let winner = outcome.best else {
            throw usageError(
                "no trial reached a finite \(objective.metric); try smaller learning rates")
        }
        console.result(table(Array(ranking.prefix(command.top)), objective: objective))
        let winnerOptions = try plan.options.applying(winner.configuration, epochs: search.epochs)
        let trainCommand =
            "descent train " + shellLine(winnerOptions.trainArguments(data: command.data))
        console.result("Best configuration, ready to train:\n  \(trainCommand)")

        let members = Array(ranking.filter { $0.score(objective) != nil }.prefix(command.ensemble))
        let test = try testBest(members, data: data, settings: trialSettings)
        let summary = SearchSummary(
            search: search, outcome: outcome, test: test, trainCommand: trainCommand)
        try ReportDirectory.write(
            [("index.html", SearchReportPage(summary: summary).page.render())], to: command.report)
        let reportPath = command.report + (command.report.hasSuffix("/") ? "" : "/") + "index.html"
        console.result("Report: \(reportPath)")
        if command.json {
            StandardOutput.line(
                try summary.jsonText(
                    top: command.top, reportPath: reportPath, resultsPath: command.results))
        }
    }

    /// What every trial shares beyond its options: what early stopping watches (as in `descent
    /// train`) and the loss at chance, for the diagnosis.
    private struct TrialSettings {
        let monitored: String
        let chanceLoss: Double?
    }

    /// Trains one trial's options on the training split, scored each epoch on the validation
    /// split, and diagnoses its history (no monitor: the rules on the history are cheap).
    private func runTrial(
        _ options: TrainingConfiguration, data: PreparedData, objective: SearchObjective,
        settings: TrialSettings
    ) throws -> TrialResult {
        let started = monotonicSeconds()
        let history = try train(
            options, data: data, seed: command.data.seed, monitored: settings.monitored
        ).1
        let metric = history.epochs.map { record -> Double in
            (objective == .validationLoss ? record.validationLoss : record.validationAccuracy)
                ?? .nan
        }
        let findings = Diagnosis.diagnose(
            history, chanceLoss: settings.chanceLoss, classCount: data.train.classCount)
        return TrialResult(
            validationMetric: metric, wallSeconds: monotonicSeconds() - started, findings: findings)
    }

    private func train(
        _ options: TrainingConfiguration, data: PreparedData, seed: UInt64, monitored: String
    ) throws -> (Trainer<B>, History) {
        let training = options.training
        var setup = try TrainingSetup(
            training,
            architecture: try options.model.architecture(
                input: data.train.sampleShape, task: data.task, seed: seed),
            inputShape: data.train.sampleShape, task: data.task,
            loss: try options.model.loss.lossFunction(for: data.task), on: backend,
            monitored: monitored)
        if let stopping = setup.earlyStopping { setup.callbacks.append(stopping) }
        let history = try setup.trainer.fit(
            data.train, validation: data.validation, epochs: training.epochs,
            batchSize: training.batchSize, seed: seed,
            callbacks: setup.callbacks)
        return (setup.trainer, history)
    }

    /// Retrains the best configurations for the full --epochs with their trials' seed (so a trial
    /// that ran them all is reproduced exactly; one that successive halving stopped early is
    /// trained out) and touches the test set, once, with them: as an ensemble when there are several.
    /// Not optimized: Swift 6.3.1's optimizer crashes on this function in release builds
    /// (CopyPropagation: "Found outside of lifetime use" on the evaluation's optional report).
    /// It runs once per search, so nothing is lost.
    @_optimize(none)
    private func testBest(
        _ members: [TrialRecord], data: PreparedData, settings: TrialSettings
    ) throws -> SearchSummary.TestResult {
        console.progress(
            "Retraining the best \(members.count == 1 ? "configuration" : "\(members.count) configurations") for the test set."
        )
        var trainers: [Trainer<B>] = []
        for record in members {
            let options = try plan.options.applying(
                record.configuration, epochs: plan.search.epochs)
            trainers.append(
                try train(options, data: data, seed: record.seed, monitored: settings.monitored).0)
        }
        if trainers.count == 1 {
            let evaluation = try trainers[0].evaluate(data.test)
            let accuracy = evaluation.accuracy.map { ", accuracy \(ProgressBar.format($0))" } ?? ""
            console.result(
                "Test set (touched once, now, by the best configuration): loss \(ProgressBar.format(evaluation.loss))\(accuracy)"
            )
            return .init(
                ensembleAccuracy: nil, memberAccuracies: evaluation.accuracy.map { [$0] } ?? [],
                loss: evaluation.loss)
        }
        let (ensemble, reports) = try Ensemble(trainers.map(\.model), task: data.task).evaluate(
            data.test)
        console.result(
            "Test set (touched once, now, by the ensemble of the best \(trainers.count) and its members):"
        )
        for (rank, report) in reports.enumerated() {
            console.result(
                "  member \(rank + 1) (\(members[rank].configuration)): accuracy \(ProgressBar.format(report.accuracy))"
            )
        }
        let memberAccuracies = reports.map(\.accuracy)
        let gain = ensemble.accuracy - (memberAccuracies.max() ?? 0)
        console.result(
            "  ensemble (mean of the \(trainers.count) members' probabilities): accuracy \(ProgressBar.format(ensemble.accuracy)) "
                + "(\(gain >= 0 ? "+" : "")\(ProgressBar.format(gain)) over the best member)")
        return .init(
            ensembleAccuracy: ensemble.accuracy, memberAccuracies: memberAccuracies, loss: nil)
    }

    /// The best trials as an aligned table, best first.
    private func table(_ records: [TrialRecord], objective: SearchObjective) -> String {
        let names = plan.search.space.hyperparameters.map(\.name)
        let header = ["rank", "stage", "epochs", objective.metric, "seconds"] + names
        let rows = records.enumerated().map { rank, record in
            [
                String(rank + 1), String(record.stage + 1), String(record.epochs),
                record.score(objective).map(ProgressBar.format) ?? "n/a",
                ProgressBar.format(record.result.wallSeconds),
            ] + names.map { record.configuration[$0]?.description ?? "" }
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(
                separator: "  ")
        }
        return
            ([
                "Best trials by validation \(objective.metric) (\(objective.lowerIsBetter ? "lower" : "higher") is better):",
                line(header),
            ]
            + rows.map(line)).joined(separator: "\n")
    }
}
