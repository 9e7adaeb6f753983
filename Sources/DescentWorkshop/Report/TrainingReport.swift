import DescentTraining

/// Everything the HTML report of one training run shows. The command-line tool fills in what it
/// measured; every part is optional and rendered only when present, so the same value serves a
/// classifier on images, a 2-D toy problem and a regression.
///
///     var report = TrainingReport(title: "Fashion-MNIST MLP")
///     report.configuration = [("model", "784-256-10"), ("optimizer", "adam 1e-3")]
///     report.history = history
///     report.classification = try ClassificationReport(labels: labels, scores: scores, classCount: 10, classNames: names)
///     report.findings = findings
///     try report.write(to: "runs/report")   // index.html, history.csv, history.json
public struct TrainingReport: Sendable {
    /// The page title.
    public var title: String
    /// A line under the title, for example the date and the command line.
    public var subtitle: String?
    /// The settings of the run, in the order to show them.
    public var configuration: [(key: String, value: String)] = []
    /// The loss on the test set after training.
    public var testLoss: Double?
    /// The accuracy on the test set after training, in `0...1`.
    public var testAccuracy: Double?
    /// Wall time of training, in seconds.
    public var trainingSeconds: Double?
    /// The device the run trained on.
    public var device: String?
    /// Further summary lines, shown after the ones above.
    public var summary: [(key: String, value: String)] = []
    /// The per-epoch record: loss, accuracy and learning-rate curves and the epoch table.
    public var history: History?
    /// Per-layer update-to-weight ratios `|lr * update| / |w|` over steps, one series per layer,
    /// drawn on a log axis over the band around 1e-3 where training usually goes well.
    public var updateRatios: [LineSeries] = []
    /// Per-layer gradient norms over steps, one series per layer, on a log axis.
    public var gradientNorms: [LineSeries] = []
    /// The first convolution's filters drawn as small images (`ImageGrid.firstLayerFilters(of:)`).
    public var filters: ImageGrid?
    /// The test-set classification metrics: the confusion matrix and per-class scores.
    public var classification: ClassificationReport?
    /// The most confidently misclassified test samples, with their images; the captions name the
    /// classes by `classification`'s class names ("class 3" without it).
    public var misclassified: MisclassifiedGallery?
    /// For 2-D inputs: the data over the model's decision regions.
    public var decisionBoundary: ScatterPlot?
    /// For regression: predicted against true values.
    public var predictedVersusTrue: ScatterPlot?
    /// The diagnosis: nil when none ran, empty when it found nothing.
    public var findings: [Finding]?
    /// Further charts, drawn in their own section.
    public var extraCharts: [any Chart] = []

    /// An empty report; fill in the parts the run has.
    public init(title: String = "Training report", subtitle: String? = nil) {
        self.title = title
        self.subtitle = subtitle
    }

    /// The report's page, for callers that add sections of their own before rendering.
    public func page() -> HTMLPage {
        HTMLPage(title: title, subtitle: subtitle, sections: sections())
    }

    /// The report as a self-contained HTML document (`index.html`).
    public func html() -> String { page().render() }

    /// Writes `index.html`, `history.csv` and `history.json` into `directory`, creating it; see
    /// `ReportDirectory.write(_:to:)`. Without a history, the CSV and JSON hold no epochs.
    /// - Throws: `DescentError.invalidArgument` when the directory cannot be created (for
    ///   example a file is in its place) or a file cannot be written.
    public func write(to directory: String) throws {
        let history = history ?? History()
        // index.html last, so that it never describes data not yet written.
        try ReportDirectory.write(
            [
                ("history.csv", history.csvText), ("history.json", try history.jsonText),
                ("index.html", html()),
            ], to: directory)
    }
}
