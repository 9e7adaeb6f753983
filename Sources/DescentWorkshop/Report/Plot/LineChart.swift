import DescentTraining

/// A point of a chart, in data coordinates.
public struct PlotPoint: Sendable, Equatable {
    /// The horizontal coordinate.
    public var x: Double
    /// The vertical coordinate.
    public var y: Double

    /// The point (x, y).
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// How a series' line is stroked: for example training solid and validation dashed.
public enum LineStyle: Sendable, Equatable {
    case solid
    case dashed
}

/// A named series of a line chart. Points are joined in order; a non-finite point (or one <= 0
/// on a logarithmic axis) breaks the line into separate runs instead of bending it to the edge,
/// and a point with no drawable neighbour is drawn as a dot.
public struct LineSeries: Sendable, Equatable {
    /// The legend label.
    public var name: String
    /// The points, joined in this order.
    public var points: [PlotPoint]
    /// Solid or dashed.
    public var style: LineStyle
    /// The palette index of the colour (see `PlotPalette`); nil for the series' position in the
    /// chart. Give two series the same index to pair them (training and validation loss).
    public var colorIndex: Int?

    /// A series through `points`.
    public init(
        name: String, points: [PlotPoint], style: LineStyle = .solid, colorIndex: Int? = nil
    ) {
        self.name = name
        self.points = points
        self.style = style
        self.colorIndex = colorIndex
    }

    /// A series of `values` at x = `firstX`, `firstX + 1`, ... (epochs counted from 1, steps).
    public init(
        name: String, values: [Double], firstX: Double = 1, style: LineStyle = .solid,
        colorIndex: Int? = nil
    ) {
        self.init(
            name: name,
            points: values.enumerated().map {
                PlotPoint(x: firstX + Double($0.offset), y: $0.element)
            },
            style: style, colorIndex: colorIndex)
    }
}

/// A horizontal band of y values shaded behind the data, labelled: for example the healthy range
/// of update-to-weight ratios around 1e-3.
public struct ReferenceBand: Sendable, Equatable {
    /// The bottom of the band.
    public var lower: Double
    /// The top of the band.
    public var upper: Double
    /// Written inside the band, at its top left.
    public var label: String

    /// The band from `lower` to `upper`.
    public init(lower: Double, upper: Double, label: String) {
        self.lower = lower
        self.upper = upper
        self.label = label
    }
}

/// A vertical line at one x value, labelled: for example the learning rate a range test suggests.
public struct VerticalMarker: Sendable, Equatable {
    /// Where the line is, in data coordinates.
    public var x: Double
    /// Written at the line's top.
    public var label: String

    /// The line at `x`.
    public init(x: Double, label: String) {
        self.x = x
        self.label = label
    }
}

/// Several named series against a shared x axis: loss curves, learning rates, per-layer
/// statistics. The axes cover the drawable points (and the band), rounded out to nice ticks.
public struct LineChart: Chart {
    public var title: String
    /// The x axis title, under it.
    public var xTitle: String
    /// The y axis title, left of it.
    public var yTitle: String
    /// The series, drawn and listed in the legend in this order.
    public var series: [LineSeries]
    /// Linear or logarithmic x.
    public var xScale: AxisScale
    /// Linear or logarithmic y (learning rates, ratios, norms).
    public var yScale: AxisScale
    /// Never tick x by less than 1, for epochs and steps.
    public var integerX: Bool
    /// A shaded range of y behind the data.
    public var band: ReferenceBand?
    /// A fixed y range (fractions in 0...1; the useful part of a curve that explodes), or nil for
    /// the range of the data. Points outside it break their line rather than leave the frame.
    public var yDomain: ClosedRange<Double>?
    /// A vertical line across the plot.
    public var marker: VerticalMarker?
    /// The width of the drawing in pixels.
    public var width: Double
    /// The height of the drawing in pixels.
    public var height: Double

    /// A line chart; see the properties.
    public init(
        title: String, xTitle: String, yTitle: String, series: [LineSeries],
        xScale: AxisScale = .linear,
        yScale: AxisScale = .linear, integerX: Bool = true, band: ReferenceBand? = nil,
        yDomain: ClosedRange<Double>? = nil, marker: VerticalMarker? = nil, width: Double = 640,
        height: Double = 340
    ) {
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.series = series
        self.xScale = xScale
        self.yScale = yScale
        self.integerX = integerX
        self.band = band
        self.yDomain = yDomain
        self.marker = marker
        self.width = width
        self.height = height
    }

    public func svg() -> String {
        func drawable(_ p: PlotPoint) -> Bool {
            p.x.isFinite && p.y.isFinite && (xScale == .linear || p.x > 0)
                && (yScale == .linear || p.y > 0) && yDomain.map { $0.contains(p.y) } ?? true
        }
        let points = series.flatMap(\.points).filter(drawable)
        let bandValues = band.map { [$0.lower, $0.upper] } ?? []
        let yTicks =
            yDomain.map {
                yScale == .linear
                    ? AxisTicks.linear(from: $0.lowerBound, to: $0.upperBound)
                    : AxisTicks.logarithmic(from: $0.lowerBound, to: $0.upperBound)
            } ?? AxisTicks(scale: yScale, covering: points.map(\.y) + bandValues)
        let frame = CartesianFrame(
            width: width, height: height, title: title, xTitle: xTitle, yTitle: yTitle,
            xTicks: AxisTicks(
                scale: xScale, covering: points.map(\.x) + (marker.map { [$0.x] } ?? []),
                integersOnly: integerX),
            yTicks: yTicks,
            legend: series.enumerated().map {
                LegendEntry(
                    name: $0.element.name,
                    color: PlotPalette.color($0.element.colorIndex ?? $0.offset),
                    dashed: $0.element.style == .dashed)
            })
        var svg = SVGWriter(width: width, height: height)
        frame.drawAxes(into: &svg)
        if let band, let y1 = frame.y(band.upper), let y2 = frame.y(band.lower) {
            let top = max(frame.top, min(y1, y2)), bottom = min(frame.bottom, max(y1, y2))
            if bottom > top {
                svg.rect(
                    x: frame.left, y: top, width: frame.right - frame.left, height: bottom - top,
                    fill: "#009E73",
                    extra: [("fill-opacity", "0.12")])
                svg.text(band.label, x: frame.left + 6, y: top + 13, size: 11, fill: "#00704f")
            }
        }
        if points.isEmpty { frame.drawNoData(into: &svg) }
        if let marker, let x = frame.x(marker.x) {
            svg.line(x1: x, y1: frame.top, x2: x, y2: frame.bottom, stroke: "#D55E00", dashed: true)
            svg.text(marker.label, x: x + 4, y: frame.top + 12, size: 11, fill: "#D55E00")
        }
        for (index, line) in series.enumerated() {
            let color = PlotPalette.color(line.colorIndex ?? index)
            for run in runs(of: line.points, drawable: drawable, frame: frame) {
                if run.count == 1 {
                    svg.circle(x: run[0].x, y: run[0].y, radius: 3, fill: color)
                } else {
                    svg.polyline(run, stroke: color, dashed: line.style == .dashed)
                }
            }
        }
        frame.drawLegend(into: &svg)
        return svg.document
    }

    /// The maximal runs of consecutive drawable points, in pixels.
    private func runs(
        of points: [PlotPoint], drawable: (PlotPoint) -> Bool, frame: CartesianFrame
    ) -> [[(x: Double, y: Double)]] {
        var runs: [[(x: Double, y: Double)]] = [], current: [(x: Double, y: Double)] = []
        for point in points {
            if drawable(point), let x = frame.x(point.x), let y = frame.y(point.y) {
                current.append((x, y))
            } else if !current.isEmpty {
                runs.append(current)
                current = []
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }
}
