import Descent

/// The search's report page, on the shared report module: what was searched, one scatter plot of
/// the validation metric against each hyperparameter (log x-axis on log ranges, choices as
/// categories, coarse and fine stages in their own colours, the best trial ringed), the test
/// result, the command that trains the best configuration, the table of trials with their
/// warnings, and the best trial's findings.
struct SearchReportPage {
    let summary: SearchSummary

    var page: HTMLPage {
        let search = summary.search, outcome = summary.outcome, objective = outcome.objective
        let direction = objective.lowerIsBetter ? "lower" : "higher"
        var overview: [(key: String, value: String)] = [
            ("strategy", search.strategy.description), ("space", search.space.description),
            ("metric", "validation \(objective.metric) (\(direction) is better)"),
            ("epochs a trial", String(search.epochs)),
            ("trials", "\(outcome.ran) run now, \(outcome.resumed) resumed"),
            ("time in trials", ProgressBar.duration(outcome.spentSeconds)),
        ]
        if let halving = search.halving {
            overview.append(
                ("successive halving", "rungs of \(halving.rungs(epochs: search.epochs)) epochs"))
        }
        if outcome.stoppedByBudget { overview.append(("stopped", "the time budget was spent")) }
        var sections = [
            PageSection(
                "Search",
                [
                    .paragraph(
                        "Trials saw only the training and validation splits; the test set was touched once, at the end."
                    ),
                    .keyValues(overview),
                ]),
            PageSection(
                "Validation \(objective.metric) against each hyperparameter",
                [
                    .paragraph(
                        "One point per trial, at its best epoch. Log ranges are drawn on a log axis and choices as categories; "
                            + (isStaged ? "each stage has its colour, coarse first; " : "")
                            + "the best trial is ringed.")
                ] + search.space.hyperparameters.map { .chart(plot($0)) }),
            PageSection("Test set", [.keyValues(testLines)]),
            PageSection("Best configuration", [.paragraph(summary.trainCommand)]),
            PageSection(
                "Trials",
                [
                    .paragraph(
                        "Best first; trials stopped early by successive halving after those that ran every epoch. "
                            + "Warnings are the diagnosis's findings of warning or error severity."),
                    trialTable,
                ]),
        ]
        if let best = outcome.best {
            sections.append(
                PageSection("Findings of the best trial", [.findings(best.result.findings)]))
        }
        return HTMLPage(
            title: "Descent: hyperparameter search", subtitle: search.space.description,
            sections: sections)
    }

    /// Whether the search ran in stages (coarse to fine), whose trials are coloured apart.
    private var isStaged: Bool { summary.search.strategy.stageCount > 1 }

    private var testLines: [(key: String, value: String)] {
        let test = summary.test
        if let ensemble = test.ensembleAccuracy {
            return [
                (
                    "ensemble of the best \(test.memberAccuracies.count)",
                    "accuracy \(ProgressBar.format(ensemble))"
                ),
                ("members", test.memberAccuracies.map(ProgressBar.format).joined(separator: ", ")),
            ]
        }
        var lines: [(key: String, value: String)] = []
        if let accuracy = test.memberAccuracies.first {
            lines.append(("best configuration: accuracy", ProgressBar.format(accuracy)))
        }
        if let loss = test.loss {
            lines.append(("best configuration: loss", ProgressBar.format(loss)))
        }
        return lines
    }

    private var trialTable: PageBlock {
        let objective = summary.outcome.objective,
            names = summary.search.space.hyperparameters.map(\.name)
        let rows = summary.outcome.ranking.enumerated().map { rank, record in
            let warnings = SearchSummary.warnings(of: record)
            return [
                String(rank + 1), String(record.stage + 1), String(record.epochs),
                record.score(objective).map(ProgressBar.format) ?? "n/a",
                ProgressBar.format(record.result.wallSeconds),
                warnings.isEmpty
                    ? "0" : "\(warnings.count): " + warnings.map(\.code).joined(separator: ", "),
            ]
                + names.map { record.configuration[$0]?.description ?? "" }
        }
        return .table(
            header: ["rank", "stage", "epochs", objective.metric, "seconds", "warnings"] + names,
            rows: rows)
    }

    /// The metric of every ranked trial against `parameter`: numeric values on the domain's
    /// scale, choices at their index among the choices.
    private func plot(_ parameter: Hyperparameter) -> ScatterPlot {
        let objective = summary.outcome.objective, ranking = summary.outcome.ranking
        var choices: [String]? = nil
        if case .choice(let values) = parameter.domain { choices = values }
        var points: [PlotPoint] = [], stages: [Int] = []
        for record in ranking {
            guard let score = record.score(objective),
                let value = record.configuration[parameter.name]
            else { continue }
            let x =
                choices.map { $0.firstIndex(of: value.description).map(Double.init) ?? .nan }
                ?? value.numeric ?? .nan
            points.append(PlotPoint(x: x, y: score))
            stages.append(record.stage)
        }
        // The ranking is best first, so the best trial, when it scored, is the first point.
        let best = summary.outcome.best == nil || points.isEmpty ? [] : [0]
        return ScatterPlot(
            title: "\(objective.metric) against \(parameter.name)",
            xTitle: parameter.name + (parameter.domain.isLogarithmic ? " (log scale)" : ""),
            yTitle: "validation \(objective.metric)", points: points,
            classes: isStaged ? stages : nil,
            classNames: (0..<summary.search.strategy.stageCount).map {
                "stage \($0 + 1) (\($0 == 0 ? "coarse" : "fine"))"
            },
            xScale: parameter.domain.isLogarithmic ? .logarithmic : .linear, xCategories: choices,
            highlighted: best,
            width: 500, height: 340)
    }
}
