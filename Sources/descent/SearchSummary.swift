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

    /// The `--json` object, as one line: the best configuration, the best `top` trials, the test
    /// result, and where the report and the results are.
    func jsonText(top: Int, reportPath: String, resultsPath: String) throws -> String {
        try JSON.text(
            JSONForm(summary: self, top: top, reportPath: reportPath, resultsPath: resultsPath))
    }

    /// The `--json` object. Its keys include the objective's metric name, so it is written
    /// member by member.
    private struct JSONForm: Encodable {
        let summary: SearchSummary
        let top: Int
        let reportPath: String
        let resultsPath: String

        func encode(to encoder: any Encoder) throws {
            let objective = summary.outcome.objective, outcome = summary.outcome,
                test = summary.test
            var container = encoder.container(keyedBy: JSONKey.self)
            func put(_ value: some Encodable, _ key: String) throws {
                try container.encode(value, forKey: JSONKey(key))
            }
            try put(objective.metric, "metric")
            if let best = outcome.best {
                try put(
                    Scored(record: best, objective: objective, trainCommand: summary.trainCommand),
                    "best")
            } else {
                try container.encodeNil(forKey: JSONKey("best"))
            }
            let ranking = outcome.ranking.prefix(top).enumerated().map { rank, record in
                Scored(record: record, objective: objective, rank: rank + 1)
            }
            try put(ranking, "ranking")
            try put(outcome.ran, "trials_run")
            try put(outcome.resumed, "trials_resumed")
            try put(JSONNullable(finite: outcome.spentSeconds), "trial_seconds")
            try put(outcome.stoppedByBudget, "stopped_by_budget")
            try put(JSONNullable(finite: test.memberAccuracies.first), "test_accuracy")
            try put(JSONNullable(finite: test.loss), "test_loss")
            try put(max(test.memberAccuracies.count, 1), "ensemble_size")
            try put(JSONNullable(finite: test.ensembleAccuracy), "ensemble_test_accuracy")
            try put(
                test.memberAccuracies.map { JSONNullable(finite: $0) }, "member_test_accuracies")
            try put(reportPath, "report")
            try put(resultsPath, "results")
        }
    }

    /// A trial with its score under the objective's metric name: a row of the ranking (with
    /// its rank), or the best configuration (with the command that trains it).
    private struct Scored: Encodable {
        let record: TrialRecord
        let objective: SearchObjective
        var rank: Int? = nil
        var trainCommand: String? = nil

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: JSONKey.self)
            try container.encode(record.configuration, forKey: JSONKey("configuration"))
            try container.encode(
                JSONNullable(finite: record.score(objective)), forKey: JSONKey(objective.metric))
            if let trainCommand {
                try container.encode(trainCommand, forKey: JSONKey("train_command"))
            }
            guard let rank else { return }
            try container.encode(rank, forKey: JSONKey("rank"))
            try container.encode(record.stage + 1, forKey: JSONKey("stage"))
            try container.encode(record.epochs, forKey: JSONKey("epochs"))
            try container.encode(
                JSONNullable(finite: record.result.wallSeconds), forKey: JSONKey("seconds"))
            try container.encode(
                SearchSummary.warnings(of: record).map(\.code), forKey: JSONKey("warnings"))
        }
    }
}
