import Descent
@testable import DescentTraining
@testable import DescentWorkshop
import Testing

/// The training report's page: well-formed, complete, escaped.
@Suite struct ReportPageTests {
    static let classNames = ["T-shirt/top", "Trouser", "<b>&\"'"]

    static func history() -> History {
        var history = History()
        history.epochs = (0..<4).map { (epoch: Int) -> EpochRecord in
            let e = Double(epoch)
            let validationLoss: Double = epoch == 2 ? .nan : 1.2 / (e + 1)
            let validationAccuracy: Double? = epoch == 0 ? nil : 0.55 + 0.1 * e
            return EpochRecord(
                epoch: epoch, loss: 1 / (e + 1), accuracy: 0.5 + 0.1 * e,
                validationLoss: validationLoss,
                validationAccuracy: validationAccuracy, learningRate: 1e-3 / (e + 1), seconds: 2.5,
                samplesPerSecond: 24000)
        }
        history.stopReason = "early stopping: val_loss did not improve for 2 epochs"
        return history
    }

    static func fullReport() throws -> TrainingReport {
        var report = TrainingReport(
            title: "Fashion-MNIST <MLP>", subtitle: "descent train --epochs 4")
        report.configuration = [("model", "784-256-10"), ("optimizer", "adam, lr 1e-3 & decay")]
        report.testLoss = 0.31
        report.testAccuracy = 0.8912
        report.trainingSeconds = 185
        report.device = "NVIDIA H100"
        report.summary = [("seed", "42")]
        report.history = history()
        report.updateRatios = [
            LineSeries(name: "dense 1", values: [1e-3, 2e-3, .nan, 8e-4], firstX: 0),
            LineSeries(name: "dense 2", values: [5e-2, 1e-2, 4e-3], firstX: 0),
        ]
        report.gradientNorms = [LineSeries(name: "dense 1", values: [3, 2, 1.5], firstX: 0)]
        let labels: [Int32] = [0, 1, 2, 0, 1, 2]
        let scores: [Float] = [
            5, 0, 0, /**/ 0, 5, 0, /**/ 3, 0, 0, /**/ 0, 4, 0, /**/ 0, 1, 0, /**/ 0, 0, 1,
        ]
        report.classification = try ClassificationReport(
            labels: labels, scores: scores, classCount: 3, classNames: classNames)
        let mistakes = try MisclassifiedSample.mostConfident(
            6, labels: labels, scores: scores, classCount: 3)
        report.misclassified = try MisclassifiedGallery(
            samples: mistakes, inputs: (0..<(6 * 4)).map { Float($0 % 5) }, imageWidth: 2,
            imageHeight: 2)
        report.decisionBoundary = ScatterPlot(
            title: "Decision boundary", xTitle: "x1", yTitle: "x2",
            points: [PlotPoint(x: 0, y: 0), PlotPoint(x: 1, y: 1)],
            classes: [0, 1], classNames: classNames,
            boundary: try DecisionBoundary(
                xRange: -1...2, yRange: -1...2, columns: 2, rows: 2, classes: [0, 0, 1, 1]))
        report.predictedVersusTrue = .predictedVersusTrue(predicted: [1, 2], actual: [1.1, 1.9])
        report.findings = [
            Finding(
                code: "overfitting", severity: .warning,
                message: "validation loss rose for 2 epochs",
                advice: "add dropout or weight decay", evidence: ["gap": "0.2"], epoch: 3),
            Finding(
                code: "nan-loss", severity: .error,
                message: "the loss became NaN & training stopped", advice: "lower the rate"),
            Finding(code: "fine", severity: .info, message: "all good", advice: ""),
        ]
        report.extraCharts = [
            LineChart(
                title: "extra chart", xTitle: "x", yTitle: "y",
                series: [LineSeries(name: "s", values: [1, 2])])
        ]
        return report
    }

    @Test func fullReportIsWellFormedAndHasEveryPart() throws {
        let html = try Self.fullReport().html()
        let counts = expectWellFormed(html)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        // loss, accuracy, lr, ratios, gradient norms, confusion, mistakes, boundary, regression, extra.
        #expect(counts["svg"] == 10)
        for text in [
            "Fashion-MNIST &lt;MLP&gt;", "T-shirt/top", "Trouser", "overfitting", "nan-loss",
            "healthy: about 1e-3",
            "89.12%", "3 min 05 s", "NVIDIA H100", "784-256-10", "adam, lr 1e-3 &amp; decay",
            "early stopping",
            "epoch 4", "extra chart", "Most confident mistakes", "macro avg",
            "<meta charset=\"utf-8\" />",
        ] {
            #expect(html.contains(text), "missing \(text)")
        }
        #expect(
            html.contains("&lt;b&gt;&amp;&quot;&#39;") && !html.contains("<b>&"),
            "the hostile class name is escaped")
        let error = try #require(html.range(of: "nan-loss")),
            warning = try #require(html.range(of: "overfitting"))
        #expect(error.lowerBound < warning.lowerBound, "most severe finding first")
    }

    @Test func emptyReportRendersOnlyItsTitle() {
        let html = TrainingReport().html()
        let counts = expectWellFormed(html)
        #expect(counts["svg"] == nil && counts["section"] == nil)
        var diagnosed = TrainingReport()
        diagnosed.findings = []
        #expect(diagnosed.html().contains("No findings"))
    }

    @Test func pageBuilderEscapesEveryBlock() {
        let hostile = "<script>&\"'"
        let page = HTMLPage(
            title: hostile, subtitle: hostile,
            sections: [
                PageSection(
                    hostile,
                    [
                        .paragraph(hostile), .keyValues([(hostile, hostile)]),
                        .table(header: [hostile], rows: [[hostile], ["0.5"]]),
                        .svg(
                            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"/>"),
                    ]),
                PageSection("b", []), PageSection("c", []),
            ])
        let html = page.render()
        let counts = expectWellFormed(html)
        #expect(!html.contains("<script>") && counts["script"] == nil)
        #expect(html.contains("<td class=\"num\">0.5</td>"))
        #expect(html.contains("href=\"#section-3\""), "a table of contents for several sections")
    }

    @Test func mostConfidentMistakesComeFirst() throws {
        let labels: [Int32] = [0, 1, 1, 0]
        let probabilities: [Float] = [0.9, 0.1, /**/ 0.8, 0.2, /**/ 0.6, 0.4, /**/ 0.3, 0.7]
        let mistakes = try MisclassifiedSample.mostConfident(
            5, labels: labels, scores: probabilities, classCount: 2,
            scoresAreProbabilities: true)
        #expect(mistakes.map(\.index) == [1, 3, 2])
        #expect(
            mistakes[0]
                == MisclassifiedSample(
                    index: 1, trueClass: 1, predictedClass: 0, confidence: Double(Float(0.8))))
        #expect(
            try MisclassifiedSample.mostConfident(
                1, labels: labels, scores: probabilities, classCount: 2
            ).map(\.index) == [1])
        #expect(throws: DescentError.self) {
            try MisclassifiedSample.mostConfident(1, labels: labels, scores: [0], classCount: 2)
        }
        #expect(throws: DescentError.self) {
            try MisclassifiedSample.mostConfident(
                -1, labels: labels, scores: probabilities, classCount: 2)
        }
    }

    @Test func galleryTakesEachSamplesImage() throws {
        let sample = MisclassifiedSample(index: 1, trueClass: 0, predictedClass: 1, confidence: 0.9)
        let gallery = try MisclassifiedGallery(
            samples: [sample], inputs: [0, 0, 0, 0, 1, 2, 3, 4], imageWidth: 2, imageHeight: 2)
        #expect(gallery.images == [[1, 2, 3, 4]])
        #expect(throws: DescentError.self) {
            try MisclassifiedGallery(
                samples: [sample], inputs: [0, 0, 0, 0], imageWidth: 2, imageHeight: 2)
        }
        #expect(throws: DescentError.self) {
            try MisclassifiedGallery(
                samples: [sample], inputs: [0, 0, 0], imageWidth: 2, imageHeight: 2)
        }
    }
}
