import ArgumentParser
import Descent

/// `descent predict`: predictions for the rows of a CSV file, with weights saved by
/// `descent train` and nothing else.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict the rows of a CSV file with weights saved by `descent train`.",
        discussion: """
            Everything comes from the weights' file: the model, the feature columns (by name, \
            when it names them; otherwise every column but --label-column), the standardization \
            fitted in training, and the class names. Each output row holds the predicted class \
            and each class's probability for a classifier, the predicted values for a regression.
            """
    )

    @Option(help: "A model.safetensors written by `descent train`.")
    var weights: String

    @Option(help: "A CSV file (plain or .gz) with a header row and the model's feature columns.")
    var input: String

    @Option(help: "Where to write the predictions as CSV (default: standard output).")
    var output: String?

    @Option(
        name: .customLong("label-column"),
        help:
            "A column of true labels: the predictions are evaluated against it (it is never a feature)."
    )
    var labelColumn: String?

    @OptionGroup(title: "Device") var device: BackendOptions

    func run() throws {
        try reportingFailures {
            switch try device.choose() {
            case .openCL(let backend): try predict(on: backend)
            case .cpu(let backend, let note):
                if let note { StandardError.line(note) }
                try predict(on: backend)
            }
        }
    }

    private func predict<B: Backend>(on backend: B) throws {
        let predictor = try Predictor(contentsOf: weights, on: backend)
        let description = predictor.description
        let table = try CSVReader.read(path: input)
        let columns = try featureColumns(of: table, description: description)
        let predictions = try predictor.predict(
            features: try CSVReader.features(from: table, columns: columns))
        let text = csv(predictions, classNames: classNames(description, predictions))
        if let output {
            try FileIO.writeAtomically(Array(text.utf8), to: output)
            StandardError.line("Predictions for \(predictions.rowCount) rows: \(output)")
        } else {
            StandardOutput.write(text)
        }
        if let labelColumn {
            StandardError.line(
                try evaluation(
                    predictions, labels: table, column: labelColumn,
                    classNames: description.classNames))
        }
    }

    /// The columns the model reads: the names its file keeps, else every column but the label.
    private func featureColumns(
        of table: CSVTable, description: ModelDescription
    ) throws
        -> [String]
    {
        if let names = description.featureNames {
            if let labelColumn, names.contains(labelColumn) {
                throw usageError(
                    "--label-column \(labelColumn) is one of the model's feature columns; name the column of true labels"
                )
            }
            let missing = names.filter { !table.header.contains($0) }
            guard missing.isEmpty else {
                throw usageError(
                    "\(input) lacks the model's feature column\(missing.count == 1 ? "" : "s") "
                        + missing.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
                        + (missing.count > 5 ? " and \(missing.count - 5) more" : "")
                        + "; the model reads \(names.count) columns, named as in its training file")
            }
            return names
        }
        let columns = table.header.filter { $0 != labelColumn }
        guard columns.count == description.inputFeatures else {
            throw usageError(
                "\(input) has \(columns.count) feature columns\(labelColumn == nil ? "" : " besides --label-column"), "
                    + "and the model takes \(description.inputFeatures); its file names no columns, so every column "
                    + "but --label-column is read, in order")
        }
        return columns
    }

    /// The class names for the output: the file's, else the class numbers.
    private func classNames(
        _ description: ModelDescription, _ predictions: Predictions
    )
        -> [String]
    {
        let count = (predictions.probabilities?.count ?? 0) / max(predictions.rowCount, 1)
        if let names = description.classNames, names.count == count { return names }
        return (0..<count).map(String.init)
    }

    /// One row per input row: `class` and `probability_<class>` for a classifier, `prediction`
    /// (or `prediction_<i>` for several targets) for a regression.
    private func csv(_ predictions: Predictions, classNames: [String]) -> String {
        var lines: [String] = []
        if let classes = predictions.classes, let probabilities = predictions.probabilities {
            let width = classNames.count
            lines.append(
                (["class"] + classNames.map { "probability_" + $0 }).map(field).joined(
                    separator: ","))
            for row in 0..<predictions.rowCount {
                let values = probabilities[row * width..<(row + 1) * width].map { "\($0)" }
                lines.append(([field(classNames[classes[row]])] + values).joined(separator: ","))
            }
        } else {
            let width = predictions.width
            lines.append(
                (width == 1 ? ["prediction"] : (0..<width).map { "prediction_\($0)" })
                    .joined(separator: ","))
            for row in 0..<predictions.rowCount {
                lines.append(
                    predictions.outputs[row * width..<(row + 1) * width].map { "\($0)" }.joined(
                        separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    private func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\""
            + text.split(separator: "\"", omittingEmptySubsequences: false).joined(
                separator: "\"\"") + "\""
    }

    /// Accuracy (classification) or mean squared error (regression) against the label column.
    private func evaluation(
        _ predictions: Predictions, labels table: CSVTable, column: String, classNames: [String]?
    ) throws -> String {
        if let classes = predictions.classes {
            let index = try CSVReader.column(column, in: table)
            var correct = 0
            for (row, fields) in table.rows.enumerated() {
                let label = fields[index][...].trimmingCharacters()
                guard let truth = classNames?.firstIndex(of: label) ?? Int(label) else {
                    let known = classNames.map {
                        " (" + $0.prefix(10).joined(separator: ", ") + ")"
                    }
                    throw usageError(
                        "\(input), line \(table.lineNumbers[row]): the label '\(label.prefix(40))' "
                            + "is not one of the model's classes" + (known ?? ""))
                }
                if truth == classes[row] { correct += 1 }
            }
            return
                "Accuracy on --label-column \(column): \(Double(correct) / Double(table.rows.count)) "
                + "(\(correct) of \(table.rows.count) rows)"
        }
        let truth = try CSVReader.features(from: table, columns: [column])
        guard predictions.width == 1 else {
            throw usageError(
                "--label-column names one target, and the model predicts \(predictions.width)")
        }
        let error = try RegressionMetrics.meanSquaredError(
            targets: truth, predictions: predictions.outputs)
        return "Mean squared error on --label-column \(column): \(error)"
    }
}
