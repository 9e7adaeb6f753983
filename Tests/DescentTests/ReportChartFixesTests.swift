#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Descent
@testable import DescentWorkshop
import Testing

/// The report's charts say what they show: a fraction on 0...1 with every series visible, the
/// learning rate along each epoch from its first step, the range test's useful part with its
/// suggestion marked, and a titled colour bar.
@Suite struct ReportChartFixesTests {
    /// The y axis labels of a line chart: the text elements at the left of the frame.
    static func texts(_ svg: String) -> [String] {
        svg.components(separatedBy: "<text").dropFirst().compactMap { element in
            element.split(separator: ">", maxSplits: 1).last?.split(separator: "<").first.map(
                String.init)
        }
    }

    @Test func deadUnitsAreAFractionOnZeroToOneWithEveryLayerVisible() {
        let layer = { (name: String) in
            LayerStatistics(
                layerIndex: 0, name: name, mean: 0, standardDeviation: 1, deadFraction: 0,
                saturatedFraction: nil, nonFinite: false)
        }
        var record = MonitorRecord(interval: 1)
        for step in 1...5 {
            record.append(
                MonitorSnapshot(
                    step: step, epoch: 0, loss: 1, layers: [layer("relu 2"), layer("relu 6")],
                    parameters: [], nonFinite: nil),
                keepingAtMost: 100)
        }
        let series = record.deadFractionSeries
        #expect(series.map(\.style) == [.solid, .dashed], "the second line shows over the first")
        let svg = LineChart(
            title: "Dead ReLU units", xTitle: "step", yTitle: "fraction", series: series,
            yDomain: 0...1
        ).svg()
        let counts = expectWellFormed(svg)
        #expect(counts["polyline"] == 2)
        let labels = Self.texts(svg)
        #expect(labels.contains("0") && labels.contains("1") && !labels.contains("-1"), "\(labels)")
    }

    @Test func theLearningRateIsDrawnAlongEachEpochFromItsFirstStep() throws {
        let data = try Dataset.moons(sampleCount: 200, noise: 0.1, seed: 1)
        let trainer = try Trainer(
            architecture: Sequential(seed: 2) {
                Dense(2, 4, activation: .relu); Dense(4, 1)
            },
            on: CPUBackend(), loss: .binaryCrossEntropy, optimizer: SGD(learningRate: 0.1),
            schedule: try CosineAnnealing(duration: .epochs(2)), maxBatch: 20)
        let history = try trainer.fit(data, epochs: 2, batchSize: 20)
        let curve = history.epochs.flatMap(\.learningRateCurve)
        #expect(curve.count == 20, "every step of 10 per epoch")
        #expect(curve.first == RatePoint(epoch: 0, rate: Double(Float(0.1))))
        #expect(
            zip(curve, curve.dropFirst()).allSatisfy { $0.rate > $1.rate && $0.epoch < $1.epoch })
        var report = TrainingReport()
        report.history = history
        let html = report.html()
        let chart = try #require(
            html.components(separatedBy: "<svg").first { $0.contains(">Learning rate<") })
        let polyline = try #require(chart.components(separatedBy: "<polyline").dropFirst().first)
        let points = polyline.split(separator: "\"")[1].split(separator: " ")
        #expect(points.count == 20, "a curve, not a line between two epoch ends")
    }

    @Test func theRangeTestShowsItsUsefulPartAndMarksTheSuggestion() {
        let rates: [Double] = (0..<60).map { 1e-5 * pow(10.0, Double($0) / 10) }
        // From 2.3 down to 0.5, then exploding to 40.
        let losses: [Double] = (0..<60).map { (step: Int) -> Double in
            let t = Double(step)
            return step < 45 ? 2.3 - 1.8 * t / 45 : 0.5 * pow(2.0, t - 44)
        }
        let curve = LearningRateCurve(
            learningRates: rates, losses: losses, smoothedLosses: losses, steepest: 1e-3,
            minimumOverTen: 1e-4)
        let range = try! #require(curve.usefulLossRange)
        #expect(range.contains(2.3) && range.contains(0.5) && !range.contains(40), "\(range)")
        let svg = LineChart(
            title: "Loss against learning rate", xTitle: "learning rate", yTitle: "batch loss",
            series: [
                LineSeries(
                    name: "smoothed", points: zip(rates, losses).map { PlotPoint(x: $0, y: $1) })
            ],
            xScale: .logarithmic, integerX: false, yDomain: range,
            marker: VerticalMarker(x: 1e-3, label: "suggested 1e-3")
        ).svg()
        expectWellFormed(svg)
        let labels = Self.texts(svg)
        #expect(labels.contains("suggested 1e-3"))
        #expect(!labels.contains("40") && !labels.contains("30"), "\(labels)")
        #expect(svg.contains("stroke=\"#D55E00\""), "the marker line")
    }

    @Test func theConfusionMatrixColourBarHasATitle() throws {
        let matrix = try ConfusionMatrix(
            labels: [0, 1, 1, 0], predictions: [0, 1, 0, 0], classCount: 2, classNames: ["a", "b"])
        let svg = HeatMap.confusionMatrix(matrix).svg()
        expectWellFormed(svg)
        #expect(Self.texts(svg).contains("fraction of the true class"))
    }
}
