import DescentTraining

/// A chart that renders itself as a self-contained SVG document, so that reports can hold any
/// mix of charts and embed them inline.
public protocol Chart: Sendable {
    /// The chart's title, drawn at its top and used as a figure heading.
    var title: String { get }
    /// The chart as an `<svg>` element with explicit `width`, `height` and `viewBox`, the SVG
    /// namespace, escaped text, and no scripts or external references.
    func svg() -> String
}

/// One item of a chart legend.
struct LegendEntry {
    var name: String
    var color: String
    var dashed = false
    /// A dot (scatter classes) instead of a line sample (series).
    var dot = false
}

/// The layout shared by charts with two numeric axes: margins sized to the tick labels, a title,
/// light grid lines at the ticks, axis titles, and a legend beside the plot area (never over the
/// data).
struct CartesianFrame {
    let width: Double
    let height: Double
    let title: String
    let xTitle: String
    let yTitle: String
    let xTicks: AxisTicks
    let yTicks: AxisTicks
    let legend: [LegendEntry]
    let left: Double, top: Double, right: Double, bottom: Double

    init(
        width: Double, height: Double, title: String, xTitle: String, yTitle: String,
        xTicks: AxisTicks, yTicks: AxisTicks, legend: [LegendEntry]
    ) {
        self.width = width
        self.height = height
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.xTicks = xTicks
        self.yTicks = yTicks
        self.legend = legend
        let labelWidth = yTicks.labels.map { estimatedTextWidth($0, size: 11) }.max() ?? 0
        let legendWidth =
            legend.isEmpty ? 0 : 34 + (legend.map { estimatedTextWidth($0.name) }.max() ?? 0)
        left = (yTitle.isEmpty ? 12 : 30) + labelWidth + 8
        top = title.isEmpty ? 14 : 36
        right = width - max(16, legendWidth + 12)
        bottom = height - (xTitle.isEmpty ? 28 : 46)
    }

    /// The pixel x of a data value, nil when it cannot be drawn.
    func x(_ value: Double) -> Double? {
        xTicks.fraction(of: value).map { left + $0 * (right - left) }
    }

    /// The pixel y of a data value (up is larger), nil when it cannot be drawn.
    func y(_ value: Double) -> Double? {
        yTicks.fraction(of: value).map { bottom - $0 * (bottom - top) }
    }

    /// Title, grid, tick labels and axis titles: everything under the data.
    func drawAxes(into svg: inout SVGWriter) {
        svg.rect(x: 0, y: 0, width: width, height: height, fill: "#ffffff")
        if !title.isEmpty {
            svg.text(title, x: width / 2, y: 22, anchor: "middle", size: 14, weight: "600")
        }
        for (value, label) in zip(xTicks.values, xTicks.labels) {
            guard let px = x(value) else { continue }
            svg.line(x1: px, y1: top, x2: px, y2: bottom, stroke: "#e6e6e6")
            svg.text(label, x: px, y: bottom + 15, anchor: "middle", size: 11, fill: "#444")
        }
        for (value, label) in zip(yTicks.values, yTicks.labels) {
            guard let py = y(value) else { continue }
            svg.line(x1: left, y1: py, x2: right, y2: py, stroke: "#e6e6e6")
            svg.text(label, x: left - 6, y: py + 4, anchor: "end", size: 11, fill: "#444")
        }
        svg.rect(
            x: left, y: top, width: right - left, height: bottom - top, fill: "none",
            extra: [("stroke", "#999")])
        if !xTitle.isEmpty {
            svg.text(xTitle, x: (left + right) / 2, y: height - 10, anchor: "middle")
        }
        if !yTitle.isEmpty {
            svg.text(yTitle, x: 16, y: (top + bottom) / 2, anchor: "middle", rotation: -90)
        }
    }

    /// The legend, in a column right of the plot area.
    func drawLegend(into svg: inout SVGWriter) {
        for (index, entry) in legend.enumerated() {
            let y = top + 10 + Double(index) * 18, x = right + 14
            if entry.dot {
                svg.circle(x: x + 9, y: y - 4, radius: 4, fill: entry.color)
            } else {
                svg.line(
                    x1: x, y1: y - 4, x2: x + 20, y2: y - 4, stroke: entry.color, width: 2.5,
                    dashed: entry.dashed)
            }
            svg.text(entry.name, x: x + 26, y: y)
        }
    }

    /// A note in the middle of an empty plot area.
    func drawNoData(into svg: inout SVGWriter) {
        svg.text(
            "no data", x: (left + right) / 2, y: (top + bottom) / 2, anchor: "middle", fill: "#888")
    }
}
