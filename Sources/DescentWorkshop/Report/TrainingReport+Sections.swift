import DescentTraining

/// The sections of the training report, in reading order: what happened, what is wrong, the
/// curves, what the model gets wrong, then the details.
extension TrainingReport {
    /// The healthy range of update-to-weight ratios, a rule of thumb: about 1e-3 per step [1].
    ///
    /// [1]: Karpathy, CS231n notes, "Ratio of weights:updates".
    static let healthyUpdateRatios = ReferenceBand(
        lower: 3e-4, upper: 3e-3, label: "healthy: about 1e-3")

    func sections() -> [PageSection] {
        var sections: [PageSection] = []
        let summary = summaryPairs()
        if !summary.isEmpty { sections.append(PageSection("Summary", [.keyValues(summary)])) }
        if let findings { sections.append(PageSection("Diagnosis", [.findings(findings)])) }
        if let history, !history.epochs.isEmpty {
            sections.append(PageSection("Training curves", curves(history)))
        }
        var layers: [PageBlock] = []
        if !updateRatios.isEmpty {
            layers.append(
                .chart(
                    LineChart(
                        title: "Update-to-weight ratio per layer", xTitle: "step",
                        yTitle: "|update| / |weight|", series: updateRatios,
                        yScale: .logarithmic, band: Self.healthyUpdateRatios)))
        }
        if !gradientNorms.isEmpty {
            layers.append(
                .chart(
                    LineChart(
                        title: "Gradient norm per layer", xTitle: "step", yTitle: "gradient norm",
                        series: gradientNorms, yScale: .logarithmic)))
        }
        if let filters { layers.append(.chart(filters)) }
        if !layers.isEmpty { sections.append(PageSection("Layers", layers)) }
        if let classification {
            sections.append(PageSection("Classification", classificationBlocks(classification)))
        }
        if let misclassified {
            let blocks: [PageBlock] =
                misclassified.samples.isEmpty
                ? [.paragraph("No sample was misclassified.")]
                : [.chart(mistakesGrid(misclassified))]
            sections.append(PageSection("Most confident mistakes", blocks))
        }
        if let decisionBoundary {
            sections.append(PageSection("Decision boundary", [.chart(decisionBoundary)]))
        }
        if let predictedVersusTrue {
            sections.append(PageSection("Predicted vs true", [.chart(predictedVersusTrue)]))
        }
        if !extraCharts.isEmpty {
            sections.append(PageSection("More charts", extraCharts.map { .chart($0) }))
        }
        if !configuration.isEmpty {
            sections.append(PageSection("Configuration", [.keyValues(configuration)]))
        }
        if let history, !history.epochs.isEmpty {
            sections.append(PageSection("Epochs", [epochTable(history)]))
        }
        return sections
    }

    private func summaryPairs() -> [(key: String, value: String)] {
        var pairs: [(key: String, value: String)] = []
        if let testAccuracy {
            pairs.append(("test accuracy", Markup.percent(testAccuracy, digits: 2)))
        }
        if let testLoss { pairs.append(("test loss", Markup.readable(testLoss))) }
        if let history, !history.epochs.isEmpty {
            pairs.append(("epochs", String(history.epochs.count)))
            let validated = history.epochs.compactMap { record in
                record.validationAccuracy.map { (record.epoch, $0) }
            }
            .filter { $0.1.isFinite }
            if let best = validated.max(by: { $0.1 < $1.1 }) {
                pairs.append(
                    (
                        "best validation accuracy",
                        "\(Markup.percent(best.1, digits: 2)) (epoch \(best.0 + 1))"
                    ))
            }
        }
        if let stopReason = history?.stopReason { pairs.append(("stopped early", stopReason)) }
        if let trainingSeconds { pairs.append(("training time", Self.duration(trainingSeconds))) }
        if let device { pairs.append(("device", device)) }
        return pairs + summary
    }

    /// "42.3 s", "3 min 05 s", "1 h 02 min".
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return Markup.readable(seconds) }
        if seconds < 60 { return Markup.readable(seconds, significantDigits: 3) + " s" }
        let whole = Int(seconds.rounded())
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        if whole < 3600 { return "\(whole / 60) min \(two(whole % 60)) s" }
        return "\(whole / 3600) h \(two(whole % 3600 / 60)) min"
    }

    private func curves(_ history: History) -> [PageBlock] {
        let epochs = history.epochs
        func series(
            _ name: String, _ values: [Double?], style: LineStyle, color: Int
        ) -> LineSeries? {
            guard values.contains(where: { $0 != nil }) else { return nil }
            return LineSeries(
                name: name,
                points: zip(epochs, values).map {
                    PlotPoint(x: Double($0.epoch + 1), y: $1 ?? .nan)
                },
                style: style, colorIndex: color)
        }
        var blocks: [PageBlock] = []
        let losses = [
            series("training", epochs.map(\.loss), style: .solid, color: 0),
            series("validation", epochs.map(\.validationLoss), style: .dashed, color: 1),
        ].compactMap { $0 }
        blocks.append(
            .chart(
                LineChart(
                    title: "Loss", xTitle: "epoch", yTitle: "loss", series: losses, width: 520,
                    height: 320)))
        let accuracies = [
            series("training", epochs.map(\.accuracy), style: .solid, color: 0),
            series("validation", epochs.map(\.validationAccuracy), style: .dashed, color: 1),
        ].compactMap { $0 }
        if !accuracies.isEmpty {
            blocks.append(
                .chart(
                    LineChart(
                        title: "Accuracy", xTitle: "epoch", yTitle: "accuracy", series: accuracies,
                        width: 520, height: 320)))
        }
        // Along each epoch where the trainer recorded it (a schedule's curve, from its first
        // step), else each epoch's last rate.
        let curve = epochs.flatMap(\.learningRateCurve)
        let rates =
            curve.isEmpty
            ? series("learning rate", epochs.map(\.learningRate), style: .solid, color: 2)
            : LineSeries(
                name: "learning rate", points: curve.map { PlotPoint(x: $0.epoch, y: $0.rate) },
                colorIndex: 2)
        if let rates {
            blocks.append(
                .chart(
                    LineChart(
                        title: "Learning rate", xTitle: "epoch", yTitle: "learning rate",
                        series: [rates],
                        yScale: .logarithmic, width: 520, height: 320)))
        }
        return blocks
    }

    private func className(_ index: Int) -> String {
        let names = classification?.classNames ?? []
        return index >= 0 && index < names.count ? names[index] : "class \(index)"
    }

    private func classificationBlocks(_ report: ClassificationReport) -> [PageBlock] {
        func row(_ name: String, _ scores: ClassificationScores) -> [String] {
            [name]
                + [scores.precision, scores.recall, scores.f1Score].map {
                    TextTable.fixed($0, digits: 3)
                } + [String(scores.support)]
        }
        var rows = zip(report.classNames, report.perClass).map(row)
        rows.append([
            "accuracy", "", "", TextTable.fixed(report.accuracy, digits: 3),
            String(report.confusionMatrix.sampleCount),
        ])
        rows.append(row("macro avg", report.macroAverage))
        rows.append(row("weighted avg", report.weightedAverage))
        return [
            .chart(HeatMap.confusionMatrix(report.confusionMatrix)),
            .paragraph(
                "Rows are the true classes and columns the predictions; each row is shaded by the fraction of its class, "
                    + "so the diagonal shows the recall."),
            .table(header: ["class", "precision", "recall", "f1-score", "support"], rows: rows),
        ]
    }

    private func mistakesGrid(_ gallery: MisclassifiedGallery) -> ImageGrid {
        let images = zip(gallery.samples, gallery.images).map { sample, pixels in
            GridImage(
                pixels: pixels, width: gallery.imageWidth, height: gallery.imageHeight,
                caption:
                    "true \(className(sample.trueClass))\npredicted \(className(sample.predictedClass)) "
                    + Markup.percent(sample.confidence, digits: 0))
        }
        return ImageGrid(
            title: "Misclassified with the highest confidence", images: images,
            scale: gallery.imageWidth <= 32 ? 3 : 1)
    }

    private func epochTable(_ history: History) -> PageBlock {
        func cell(_ value: Double?) -> String { value.map { Markup.readable($0) } ?? "" }
        let rows = history.epochs.map { record in
            [
                String(record.epoch + 1), cell(record.loss), cell(record.accuracy),
                cell(record.validationLoss),
                cell(record.validationAccuracy), cell(record.learningRate), cell(record.seconds),
                Markup.readable(record.samplesPerSecond, significantDigits: 3),
            ]
        }
        return .table(
            header: [
                "epoch", "loss", "accuracy", "val loss", "val accuracy", "learning rate", "seconds",
                "samples/s",
            ],
            rows: rows)
    }
}
