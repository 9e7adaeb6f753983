import Descent

/// The search's report page: one self-contained HTML file with an inline SVG scatter plot of the
/// validation metric against each hyperparameter (log x-axis on log ranges, one colour per
/// stage, so coarse and fine trials stand apart), the table of trials and the test result.
///
/// Kept apart and small so that it can move onto the shared report module's plots.
struct SearchReportPage {
    /// What the test set said, once.
    struct TestResult {
        /// The ensemble's accuracy when several configurations were tested together.
        var ensembleAccuracy: Double?
        /// Each tested configuration's accuracy, best-ranked first.
        var memberAccuracies: [Double]
        /// The loss of a single tested configuration.
        var loss: Double?
    }

    let outcome: SearchOutcome
    let space: SearchSpace
    let test: TestResult
    let trainCommand: String

    private static let stageColours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]

    var html: String {
        let objective = outcome.objective, ranking = outcome.ranking
        let stages = Set(ranking.map(\.stage)).sorted()
        let legend = stages.map { stage in
            "<span style=\"color:\(Self.colour(stage))\">&#9679;</span> stage \(stage + 1)\(stage == 0 ? " (coarse)" : " (fine)")"
        }.joined(separator: " &nbsp; ")
        var body = "<h1>Hyperparameter search</h1>\n<p>\(escape(outcome.records.count.description)) trial runs over <code>\(escape(space.description))</code>, "
            + "scored by validation \(objective.metric) (\(objective.lowerIsBetter ? "lower" : "higher") is better). "
            + "Trials saw only the training and validation splits.</p>\n<p>\(legend)</p>\n<div>"
        body += space.hyperparameters.map { plot($0, ranking) }.joined()
        body += "</div>\n<h2>Test set (touched once, at the end)</h2>\n<p>"
        if let ensemble = test.ensembleAccuracy {
            body += "Ensemble of the best \(test.memberAccuracies.count): accuracy \(format(ensemble)); members: "
                + test.memberAccuracies.map(format).joined(separator: ", ")
        } else {
            body += "Best configuration: " + (test.memberAccuracies.first.map { "accuracy \(format($0))" } ?? test.loss.map { "loss \(format($0))" } ?? "")
        }
        body += "</p>\n<h2>Best configuration</h2>\n<pre>\(escape(trainCommand))</pre>\n<h2>Trials</h2>\n<table>\n<tr><th>rank</th><th>stage</th><th>epochs</th><th>\(objective.metric)</th><th>seconds</th>"
        body += space.hyperparameters.map { "<th>\(escape($0.name))</th>" }.joined() + "</tr>\n"
        for (rank, record) in ranking.enumerated() {
            body += "<tr><td>\(rank + 1)</td><td>\(record.stage + 1)</td><td>\(record.epochs)</td><td>\(record.score(objective).map(format) ?? "n/a")</td>"
                + "<td>\(format(record.result.wallSeconds))</td>"
                + space.hyperparameters.map { "<td>\(escape(record.configuration[$0.name]?.description ?? ""))</td>" }.joined() + "</tr>\n"
        }
        return """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>descent search</title>
            <style>body{font-family:sans-serif;margin:2em;max-width:80em}svg{margin:0 1em 1em 0;border:1px solid #ddd}
            table{border-collapse:collapse}td,th{padding:2px 8px;text-align:right;border-bottom:1px solid #eee}</style></head>
            <body>
            \(body)</table>
            </body></html>

            """
    }

    /// The metric against one hyperparameter: numeric x on the domain's scale, choices as columns.
    private func plot(_ parameter: Hyperparameter, _ ranking: [TrialRecord]) -> String {
        let (width, height, left, right, top, bottom) = (360.0, 240.0, 56.0, 12.0, 24.0, 40.0)
        let points = ranking.compactMap { record in record.score(outcome.objective).map { (record, $0) } }
        guard let low = points.map(\.1).min(), let high = points.map(\.1).max() else { return "" }
        let pad = high > low ? (high - low) * 0.05 : max(abs(high) * 0.05, 1e-3)
        let (yLow, yHigh) = (low - pad, high + pad)
        func y(_ value: Double) -> Double { top + (1 - (value - yLow) / (yHigh - yLow)) * (height - top - bottom) }
        func x(_ position: Double) -> Double { left + position * (width - left - right) }
        var svg = "<svg width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"10\">"
        svg += "<text x=\"\(width / 2)\" y=\"14\" text-anchor=\"middle\" font-size=\"12\">\(escape(parameter.name))\(parameter.domain.isLogarithmic ? " (log scale)" : "")</text>"
        svg += "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - right)\" y2=\"\(height - bottom)\" stroke=\"#888\"/>"
        svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(height - bottom)\" stroke=\"#888\"/>"
        for fraction in [0.0, 0.5, 1.0] {
            let value = yLow + fraction * (yHigh - yLow)
            svg += "<text x=\"\(left - 4)\" y=\"\(y(value) + 3)\" text-anchor=\"end\">\(format(value))</text>"
        }
        let position: (HyperparameterValue) -> Double
        var ticks: [(Double, String)] = []
        if case .choice(let values) = parameter.domain {
            position = { value in Double((values.firstIndex(of: value.description) ?? 0)) / Double(max(values.count - 1, 1)) * 0.8 + 0.1 }
            ticks = values.enumerated().map { (Double($0.offset) / Double(max(values.count - 1, 1)) * 0.8 + 0.1, $0.element) }
            if values.count == 1 { ticks = [(0.5, values[0])] }
        } else {
            let domain = parameter.domain
            position = { min(max(domain.position(of: $0) ?? 0.5, 0), 1) }
            ticks = [0, 0.5, 1].map { ($0, domain.value(at: $0).numeric.map(format) ?? "") }
        }
        for (at, label) in ticks {
            svg += "<text x=\"\(x(at))\" y=\"\(height - bottom + 14)\" text-anchor=\"middle\">\(escape(label))</text>"
        }
        svg += "<text x=\"\(width / 2)\" y=\"\(height - 6)\" text-anchor=\"middle\" fill=\"#555\">\(outcome.objective.metric) vs \(escape(parameter.name))</text>"
        for (index, (record, score)) in points.enumerated().reversed() {
            guard let value = record.configuration[parameter.name] else { continue }
            let ring = index == 0 ? " stroke=\"#000\" stroke-width=\"2\"" : ""
            svg += "<circle cx=\"\(x(position(value)))\" cy=\"\(y(score))\" r=\"\(index == 0 ? 5 : 3.5)\" fill=\"\(Self.colour(record.stage))\" fill-opacity=\"0.8\"\(ring)>"
                + "<title>\(escape(record.configuration.description)): \(format(score))</title></circle>"
        }
        return svg + "</svg>\n"
    }

    private static func colour(_ stage: Int) -> String { stageColours[stage % stageColours.count] }

    private func format(_ value: Double) -> String { ProgressBar.format(value) }

    private func escape(_ text: String) -> String {
        text.reduce(into: "") { out, character in
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
    }
}
