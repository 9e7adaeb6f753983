import Descent
@testable import DescentTraining
@testable import DescentWorkshop
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Checks that `markup` is well-formed XML with finite geometry (by `MarkupChecker` and by
/// Foundation's `XMLParser`), and returns its element counts.
@discardableResult
func expectWellFormed(
    _ markup: String, sourceLocation: SourceLocation = #_sourceLocation
) -> [String: Int] {
    var checker = MarkupChecker()
    let problem = checker.check(markup)
    #expect(problem == nil, "\(problem ?? "")", sourceLocation: sourceLocation)
    #expect(
        checker.nonFiniteGeometry.isEmpty,
        "non-finite geometry: \(checker.nonFiniteGeometry.prefix(5))",
        sourceLocation: sourceLocation)
    let parser = XMLParser(data: Data(markup.utf8))
    #expect(
        parser.parse(), "XMLParser: \(parser.parserError.map { "\($0)" } ?? "")",
        sourceLocation: sourceLocation)
    return checker.elementCounts
}

/// Every chart renders well-formed SVG, whatever the data.
@Suite struct ReportChartTests {
    static let hostile = "<b>&\"'"

    func lineChart(_ series: [LineSeries], yScale: AxisScale = .linear) -> LineChart {
        LineChart(
            title: "Loss " + Self.hostile, xTitle: "epoch", yTitle: "loss", series: series,
            yScale: yScale)
    }

    @Test func lineChartDrawsEachSeries() {
        let chart = lineChart([
            LineSeries(name: "training", values: [1, 0.5, 0.3, 0.2]),
            LineSeries(name: "validation", values: [1.1, 0.6, 0.45, 0.4], style: .dashed),
        ])
        let svg = chart.svg()
        let counts = expectWellFormed(svg)
        #expect(counts["svg"] == 1 && counts["polyline"] == 2)
        #expect(svg.contains("stroke-dasharray"))
        #expect(svg.contains("viewBox=\"0 0 640 340\"") && svg.contains("width=\"640\""))
        #expect(svg.contains("Loss &lt;b&gt;&amp;&quot;&#39;"))
    }

    @Test func nonFinitePointsBreakTheLine() {
        let svg = lineChart([LineSeries(name: "loss", values: [1, .nan, 0.5, 0.4, .infinity, 0.2])])
            .svg()
        let counts = expectWellFormed(svg)
        #expect(counts["polyline"] == 1, "0.5 -> 0.4 is the only run of two")
        #expect((counts["circle"] ?? 0) == 2, "1 and 0.2 stand alone")
        #expect(!svg.lowercased().contains("nan") && !svg.contains("inf"))
    }

    @Test func emptyAndDegenerateSeriesDoNotCrash() {
        for series in [
            [], [LineSeries(name: "empty", points: [])], [LineSeries(name: "one", values: [0.3])],
            [LineSeries(name: "constant", values: [2, 2, 2])],
            [LineSeries(name: "all missing", values: [.nan, .nan])],
        ] {
            for scale in [AxisScale.linear, .logarithmic] {
                let svg = lineChart(series, yScale: scale).svg()
                expectWellFormed(svg)
                #expect(!svg.lowercased().contains("nan"))
            }
        }
        #expect(lineChart([]).svg().contains("no data"))
    }

    @Test func logarithmicChartSkipsNonPositiveValuesAndShowsTheBand() {
        let chart = LineChart(
            title: "ratios", xTitle: "step", yTitle: "ratio",
            series: [
                LineSeries(name: "dense 1", values: [1e-3, 0, -1, 2e-3, 5e-4]),
                LineSeries(name: "dense 2", values: [1e-2, 3e-2]),
            ],
            yScale: .logarithmic, band: ReferenceBand(lower: 3e-4, upper: 3e-3, label: "healthy"))
        let svg = chart.svg()
        let counts = expectWellFormed(svg)
        #expect(counts["polyline"] == 2)
        #expect(svg.contains(">healthy</text>") && svg.contains(">1e-3</text>"))
    }

    @Test func scatterPlotWithDecisionBoundary() throws {
        let points = [
            PlotPoint(x: -1, y: 0), PlotPoint(x: 1, y: 0.5), PlotPoint(x: .nan, y: 1),
            PlotPoint(x: 0.2, y: 0.9),
        ]
        let boundary = try DecisionBoundary(
            xRange: -1.5...1.5, yRange: -1...1.5, columns: 4, rows: 3,
            classes: [0, 0, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1],
            confidences: [0.9, 0.9, 0.6, 0.9, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5])
        let plot = ScatterPlot(
            title: "moons", xTitle: "x1", yTitle: "x2", points: points, classes: [0, 1, 1, 0],
            classNames: ["left", Self.hostile], boundary: boundary)
        let svg = plot.svg()
        let counts = expectWellFormed(svg)
        #expect(counts["circle"] == 3 + 2, "three finite points and two legend dots")
        #expect((counts["rect"] ?? 0) >= 2 + 4, "background, frame and merged cells")
        #expect(svg.contains("&lt;b&gt;&amp;&quot;&#39;"))
    }

    @Test func predictedVersusTrueDrawsTheIdentityLine() {
        let plot = ScatterPlot.predictedVersusTrue(
            predicted: [1.1, 2.2, .infinity, 2.9], actual: [1, 2, 3, 3])
        let svg = plot.svg()
        expectWellFormed(svg)
        #expect(svg.contains("stroke-dasharray"))
        expectWellFormed(ScatterPlot.predictedVersusTrue(predicted: [], actual: []).svg())
    }

    @Test func scatterPlotOnALogarithmicXAxisHighlightsItsBest() {
        let points = [
            PlotPoint(x: 1e-4, y: 0.6), PlotPoint(x: 3e-3, y: 0.9), PlotPoint(x: 0, y: 0.7),
            PlotPoint(x: 0.05, y: 0.8),
        ]
        let plot = ScatterPlot(
            title: "val_accuracy vs lr", xTitle: "lr", yTitle: "val_accuracy", points: points,
            classes: [0, 0, 1, 1], classNames: ["coarse", "fine"], xScale: .logarithmic,
            highlighted: [1])
        let svg = plot.svg()
        let counts = expectWellFormed(svg)
        #expect(counts["circle"] == 3 + 2, "x = 0 cannot be drawn on a log axis; two legend dots")
        #expect(svg.contains(">1e-4<") && svg.contains(">0.1<"), "decade ticks")
        #expect(svg.components(separatedBy: "stroke=\"#000000\"").count == 2, "one ringed point")
        let ringed = svg.range(of: "stroke=\"#000000\"")!.lowerBound,
            lastWhite = svg.range(of: "stroke=\"#ffffff\"", options: .backwards)!.lowerBound
        #expect(ringed > lastWhite, "the highlighted point is drawn over the others")
    }

    @Test func scatterPlotOnCategoriesTicksEachName() {
        let points = [PlotPoint(x: 0, y: 0.5), PlotPoint(x: 2, y: 0.7), PlotPoint(x: 1, y: 0.6)]
        let plot = ScatterPlot(
            title: "by optimizer", xTitle: "optimizer", yTitle: "val_loss", points: points,
            xCategories: ["adam", "momentum", Self.hostile])
        let svg = plot.svg()
        let counts = expectWellFormed(svg)
        #expect(counts["circle"] == 3)
        #expect(
            svg.contains(">adam<") && svg.contains(">momentum<") && svg.contains("&lt;b&gt;&amp;"))
        let ticks = AxisTicks.categories(["a", "b"])
        #expect(
            ticks.values == [0, 1] && ticks.labels == ["a", "b"] && ticks.lower == -0.5
                && ticks.upper == 1.5)
        #expect(ticks.fraction(of: 0) == 0.25 && ticks.fraction(of: 1) == 0.75)
    }

    @Test func decisionBoundaryFromLogits() throws {
        let grid = DecisionBoundary.gridPoints(xRange: 0...2, yRange: 0...1, columns: 2, rows: 1)
        #expect(grid == [0.5, 0.5, 1.5, 0.5])
        let boundary = try DecisionBoundary(
            xRange: 0...2, yRange: 0...1, columns: 2, rows: 1, scores: [2, 0, 0, 0], classCount: 2)
        #expect(boundary.classes == [0, 0])
        #expect(abs(boundary.confidences![0] - 0.8808) < 1e-4 && boundary.confidences![1] == 0.5)
        #expect(throws: DescentError.self) {
            try DecisionBoundary(xRange: 0...2, yRange: 0...1, columns: 2, rows: 1, classes: [0])
        }
        #expect(throws: DescentError.self) {
            try DecisionBoundary(xRange: 0...0, yRange: 0...1, columns: 1, rows: 1, classes: [0])
        }
        #expect(DecisionBoundary.paddedRange(of: [0, 10, .nan]) == -1...11)
    }

    @Test func heatMapAnnotatesEveryCell() throws {
        let matrix = try ConfusionMatrix(
            counts: [[50, 2, 0], [5, 40, 1], [0, 0, 0]],
            classNames: ["T-shirt/top", "Trouser", Self.hostile])
        let svg = HeatMap.confusionMatrix(matrix).svg()
        let counts = expectWellFormed(svg)
        #expect((counts["rect"] ?? 0) >= 9)
        #expect(
            svg.contains(">50</text>") && svg.contains("T-shirt/top") && svg.contains("&lt;b&gt;"))
        #expect(svg.contains("fill=\"#ffffff\">50</text>"), "white text on the darkest cell")
        let ragged = HeatMap(
            title: "", rowTitle: "", columnTitle: "", values: [[1, .nan], [3]], rowLabels: [],
            columnLabels: [])
        expectWellFormed(ragged.svg())
        expectWellFormed(
            HeatMap(
                title: "empty", rowTitle: "", columnTitle: "", values: [], rowLabels: [],
                columnLabels: []
            ).svg())
    }

    @Test func imageGridDrawsImagesAndCaptions() {
        let ramp = (0..<16).map { Float($0) }
        let images = [
            GridImage(
                pixels: ramp, width: 4, height: 4, caption: "true Shirt\npredicted T-shirt/top 97%"),
            GridImage(
                pixels: [Float](repeating: 3, count: 4), width: 2, height: 2, caption: Self.hostile),
            GridImage(pixels: [1, .nan, 2], width: 2, height: 2, caption: "wrong size"),
            GridImage(
                pixels: [0, 1, .nan, 0.5], width: 2, height: 2, caption: "given range", range: 0...1
            ),
        ]
        let svg = ImageGrid(title: "mistakes", images: images, columns: 3).svg()
        let counts = expectWellFormed(svg)
        #expect(svg.contains(">predicted T-shirt/top 97%</text>") && svg.contains("invalid image"))
        #expect((counts["rect"] ?? 0) > 4 + 15)
        expectWellFormed(ImageGrid(title: "none", images: []).svg())
    }

    @Test func paletteCyclesAndHeatColoursAreHex() {
        #expect(PlotPalette.color(0) == PlotPalette.color(PlotPalette.colors.count))
        #expect(PlotPalette.color(-1) == PlotPalette.colors.last)
        #expect(PlotPalette.sequential(0) == "#f7fbff" && PlotPalette.sequential(1) == "#08306b")
        #expect(PlotPalette.sequential(.nan) == "#f7fbff")
        #expect(
            PlotPalette.tint("#0072B2", opacity: 0) == "#ffffff"
                && PlotPalette.tint("#0072B2", opacity: 1) == "#0072b2")
        #expect(PlotPalette.tint("#000000", opacity: 0.5) == "#808080")
    }
}
