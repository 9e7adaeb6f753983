import Descent

/// What a finished `descent search` found, for its report page and `--json`.
struct SearchSummary {
    /// What the test set said, once.
    struct TestResult {
        /// The ensemble's accuracy when several configurations were tested together.
        var ensembleAccuracy: Double?
        /// Each tested configuration's accuracy, best-ranked first.
        var memberAccuracies: [Double]
        /// The loss of a single tested configuration.
        var loss: Double?
    }

    let search: HyperparameterSearch
    let outcome: SearchOutcome
    let test: TestResult
    /// `descent train ...`: the command that trains the best configuration.
    let trainCommand: String

    /// The findings of `record`'s trial that call for action: warnings and errors.
    static func warnings(of record: TrialRecord) -> [Finding] {
        record.result.findings.filter { $0.severity >= .warning }
    }

    /// The `--json` object: the best configuration, the best `top` trials, the test result, and
    /// where the report and the results are.
    func json(top: Int, reportPath: String, resultsPath: String) -> JSONValue {
        let objective = outcome.objective
        let best = outcome.best
        let ranking = Array(outcome.ranking.prefix(top)).enumerated().map { rank, record in
            JSONValue.object([
                ("rank", .number(rank + 1)), ("stage", .number(record.stage + 1)), ("epochs", .number(record.epochs)),
                (objective.metric, .optional(record.score(objective))), ("seconds", .number(record.result.wallSeconds)),
                ("warnings", .array(Self.warnings(of: record).map { .string($0.code) })),
                ("configuration", record.configuration.json),
            ])
        }
        return .object([
            ("metric", .string(objective.metric)),
            ("best", best.map { record in
                .object([("configuration", record.configuration.json), (objective.metric, .optional(record.score(objective))),
                         ("train_command", .string(trainCommand))])
            } ?? .null),
            ("ranking", .array(ranking)),
            ("trials_run", .number(outcome.ran)), ("trials_resumed", .number(outcome.resumed)),
            ("trial_seconds", .number(outcome.spentSeconds)), ("stopped_by_budget", .bool(outcome.stoppedByBudget)),
            ("test_accuracy", .optional(test.memberAccuracies.first)),
            ("test_loss", .optional(test.loss)),
            ("ensemble_size", .number(max(test.memberAccuracies.count, 1))),
            ("ensemble_test_accuracy", .optional(test.ensembleAccuracy)),
            ("member_test_accuracies", .array(test.memberAccuracies.map(JSONValue.number))),
            ("report", .string(reportPath)),
            ("results", .string(resultsPath)),
        ])
    }
}
