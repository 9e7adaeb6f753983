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
        let objective = outcome.objective
        var ranking: [[String: JSONField]] = []
        for (rank, record) in outcome.ranking.prefix(top).enumerated() {
            ranking.append([
                "rank": .integer(rank + 1), "stage": .integer(record.stage + 1),
                "epochs": .integer(record.epochs),
                objective.metric: .number(record.score(objective)),
                "seconds": .number(record.result.wallSeconds),
                "warnings": .strings(Self.warnings(of: record).map(\.code)),
                "configuration": .configuration(record.configuration),
            ])
        }
        let best: JSONField =
            outcome.best.map { record in
                .object([
                    "configuration": .configuration(record.configuration),
                    objective.metric: .number(record.score(objective)),
                    "train_command": .string(trainCommand),
                ])
            } ?? .null
        let members: [String: JSONField] = [
            "metric": .string(objective.metric), "best": best, "ranking": .objects(ranking),
            "trials_run": .integer(outcome.ran), "trials_resumed": .integer(outcome.resumed),
            "trial_seconds": .number(outcome.spentSeconds),
            "stopped_by_budget": .bool(outcome.stoppedByBudget),
            "test_accuracy": .number(test.memberAccuracies.first), "test_loss": .number(test.loss),
            "ensemble_size": .integer(max(test.memberAccuracies.count, 1)),
            "ensemble_test_accuracy": .number(test.ensembleAccuracy),
            "member_test_accuracies": .numbers(test.memberAccuracies),
            "report": .string(reportPath), "results": .string(resultsPath),
        ]
        return try JSON.text(members)
    }

    /// A member of the `--json` object, whose keys include the objective's metric name.
    private enum JSONField: Encodable {
        case string(String)
        case integer(Int)
        case number(Double?)
        case bool(Bool)
        case strings([String])
        case numbers([Double])
        case configuration(TrialConfiguration)
        case object([String: JSONField])
        case objects([[String: JSONField]])
        case null

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .string(let value): try value.encode(to: encoder)
            case .integer(let value): try value.encode(to: encoder)
            case .number(let value): try JSONNullable(finite: value).encode(to: encoder)
            case .bool(let value): try value.encode(to: encoder)
            case .strings(let values): try values.encode(to: encoder)
            case .numbers(let values):
                try values.map { JSONNullable(finite: $0) }.encode(to: encoder)
            case .configuration(let value): try value.encode(to: encoder)
            case .object(let members): try members.encode(to: encoder)
            case .objects(let values): try values.encode(to: encoder)
            case .null: try JSONNullable<Int>(nil).encode(to: encoder)
            }
        }
    }
}
