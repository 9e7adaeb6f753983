import Descent

/// The files a training run leaves in one directory: the report (`index.html`, `history.csv`,
/// `history.json`) and the weights (`model.safetensors`, with how to rebuild the model in their
/// metadata).
struct RunArtifacts {
    let directory: String

    /// Creates the directory now, so that a bad `--report` fails before training, not after.
    /// - Throws: `DescentError.invalidArgument` when it cannot be created.
    init(directory: String) throws {
        self.directory = directory
        try ReportDirectory.create(directory)
    }

    var weightsPath: String { directory + "/model.safetensors" }
    var indexPath: String { directory + "/index.html" }
    /// The checkpoint an interrupted run resumes from (`descent train --resume`).
    var resumePath: String { Self.resumePath(in: directory) }

    static func resumePath(in directory: String) -> String { directory + "/resume.safetensors" }

    /// What the report shows beyond the summary: the run's options, the monitor and the findings.
    struct Details {
        var configuration: [(key: String, value: String)]
        var monitor: MonitorRecord?
        var findings: [Finding]
    }

    func write<B: Backend>(
        trainer: Trainer<B>, summary: RunSummary, details: Details, metadata: [String: String]
    ) throws {
        var report = TrainingReport(
            title: "Descent: \(summary.data.name)",
            subtitle: "\(summary.data.task), trained on \(summary.device)")
        report.configuration = details.configuration
        report.testLoss = summary.evaluation.loss
        report.testAccuracy = summary.evaluation.accuracy
        report.trainingSeconds = summary.trainSeconds
        report.device = summary.device
        report.summary = [("samples/s", String(Int(summary.samplesPerSecond.rounded())))]
        if let kernels = summary.kernels {
            report.summary.append(("kernel preparation", kernels.description))
        }
        if let regression = summary.evaluation.regression {
            report.summary.append(("test metrics", regression.description))
        }
        report.history = summary.history
        if let monitor = details.monitor {
            report.updateRatios = monitor.updateRatioSeries
            report.gradientNorms = monitor.gradientNormSeries
            let dead = monitor.deadFractionSeries
            if !dead.isEmpty {
                report.extraCharts.append(
                    LineChart(
                        title: "Dead ReLU units (zero for the whole batch)", xTitle: "step",
                        yTitle: "fraction of the layer's units", series: dead, yDomain: 0...1))
            }
        }
        report.classification = summary.evaluation.report
        report.findings = details.findings
        try addPictures(to: &report, trainer: trainer, summary: summary)
        // The weights first, the page that describes them last: a run killed in between leaves
        // new weights beside the old page's data at worst, never a page about weights not there.
        let inputs = summary.data.savedInputs
        try trainer.model.save(
            to: weightsPath, task: trainer.task, loss: trainer.loss,
            classNames: summary.data.train.classNames, featureNames: inputs.names,
            standardization: inputs.standardization, metadata: metadata)
        try report.write(to: directory)
    }

    /// The data-specific pictures: the most confident mistakes for images, the decision boundary
    /// for 2-D inputs, predicted against true values for regression.
    private func addPictures<B: Backend>(
        to report: inout TrainingReport, trainer: Trainer<B>, summary: RunSummary
    ) throws {
        let data = summary.data, evaluation = summary.evaluation
        let classCount = evaluation.report?.confusionMatrix.classCount ?? 0
        report.filters = try ImageGrid.firstLayerFilters(of: trainer.model)
        if let side = data.imageSide, let labels = data.test.classIndices {
            let mistakes = try MisclassifiedSample.mostConfident(
                16, labels: labels, scores: evaluation.outputs, classCount: classCount)
            report.misclassified = try MisclassifiedGallery(
                samples: mistakes, inputs: data.rawTest.features, imageWidth: side,
                imageHeight: side)
        }
        if data.test.featureCount == 2, let labels = data.test.classIndices {
            let xs = stride(from: 0, to: data.test.features.count, by: 2).map {
                Double(data.test.features[$0])
            }
            let ys = stride(from: 1, to: data.test.features.count, by: 2).map {
                Double(data.test.features[$0])
            }
            let xRange = DecisionBoundary.paddedRange(of: xs),
                yRange = DecisionBoundary.paddedRange(of: ys)
            let side = 80
            let grid = DecisionBoundary.gridPoints(
                xRange: xRange, yRange: yRange, columns: side, rows: side)
            let gridData = try Dataset(
                features: grid, featureCount: 2, targets: [Float](repeating: 0, count: side * side))
            var scores = try trainer.predict(gridData)
            scores = trainer.task.scores(fromOutputs: scores)
            let boundary = try DecisionBoundary(
                xRange: xRange, yRange: yRange, columns: side, rows: side, scores: scores,
                classCount: classCount)
            let shown = Array(0..<min(xs.count, 2000))
            report.decisionBoundary = ScatterPlot(
                title: "Decision boundary over the test set", xTitle: "x1 (standardized)",
                yTitle: "x2 (standardized)",
                points: shown.map { PlotPoint(x: xs[$0], y: ys[$0]) },
                classes: shown.map { Int(labels[$0]) },
                classNames: evaluation.report?.classNames ?? [], boundary: boundary)
        }
        if let targets = data.test.targets {
            let shown = Array(0..<min(targets.count, evaluation.outputs.count, 2000))
            report.predictedVersusTrue = .predictedVersusTrue(
                predicted: shown.map { Double(evaluation.outputs[$0]) },
                actual: shown.map { Double(targets[$0]) })
        }
    }
}
