import DescentTraining

/// Points coloured by class (or one colour), with optional decision regions underneath and an
/// optional `y = x` reference line: a 2-D classifier over its data, a regression's predicted
/// versus true values, or a search's validation metric against a hyperparameter (log or
/// categorical x, the best trial highlighted).
public struct ScatterPlot: Chart {
    public var title: String
    /// The x axis title.
    public var xTitle: String
    /// The y axis title.
    public var yTitle: String
    /// The points; non-finite ones are skipped.
    public var points: [PlotPoint]
    /// The class of each point (indexing `classNames` and the palette), or nil for one colour.
    /// When it does not hold one class per point, the points are drawn in one colour.
    public var classes: [Int]?
    /// The legend label of each class; "class k" for a class without a name.
    public var classNames: [String]
    /// Decision regions drawn under the points.
    public var boundary: DecisionBoundary?
    /// Draw the line `y = x` and give both axes the same range (predicted versus true).
    public var showsIdentityLine: Bool
    /// Linear or logarithmic x (learning rates); on a logarithmic axis points with x <= 0 are skipped.
    public var xScale: AxisScale
    /// The names of a categorical x axis (optimizers, on/off): a point's x is the index of its
    /// category, each category is a tick, and `xScale` is ignored. Nil for a numeric x axis.
    public var xCategories: [String]?
    /// The indices of points to draw larger, with a dark ring, over the others (the best trial).
    public var highlighted: [Int]
    /// The width of the drawing in pixels.
    public var width: Double
    /// The height of the drawing in pixels.
    public var height: Double

    /// A scatter plot; see the properties.
    public init(
        title: String, xTitle: String, yTitle: String, points: [PlotPoint], classes: [Int]? = nil,
        classNames: [String] = [], boundary: DecisionBoundary? = nil,
        showsIdentityLine: Bool = false,
        xScale: AxisScale = .linear, xCategories: [String]? = nil, highlighted: [Int] = [],
        width: Double = 560, height: Double = 460
    ) {
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.points = points
        self.classes = classes
        self.classNames = classNames
        self.boundary = boundary
        self.showsIdentityLine = showsIdentityLine
        self.xScale = xScale
        self.xCategories = xCategories
        self.highlighted = highlighted
        self.width = width
        self.height = height
    }

    /// A regression's predictions against the true targets, with the `y = x` line on which a
    /// perfect model's points would lie.
    public static func predictedVersusTrue(
        predicted: [Double], actual: [Double], title: String = "Predicted vs true"
    ) -> ScatterPlot {
        ScatterPlot(
            title: title, xTitle: "true", yTitle: "predicted",
            points: zip(actual, predicted).map { PlotPoint(x: $0, y: $1) }, showsIdentityLine: true)
    }

    private func className(_ index: Int) -> String {
        index >= 0 && index < classNames.count ? classNames[index] : "class \(index)"
    }

    public func svg() -> String {
        let visible = points.indices.filter { points[$0].x.isFinite && points[$0].y.isFinite }
        let perPointClasses = classes.flatMap { $0.count == points.count ? $0 : nil }
        var xs = visible.map { points[$0].x }, ys = visible.map { points[$0].y }
        if let boundary {
            xs += [boundary.xRange.lowerBound, boundary.xRange.upperBound]
            ys += [boundary.yRange.lowerBound, boundary.yRange.upperBound]
        }
        var xTicks: AxisTicks, yTicks: AxisTicks
        if let xCategories {
            xTicks = .categories(xCategories)
            yTicks = AxisTicks(scale: .linear, covering: ys)
        } else if showsIdentityLine {
            xTicks = AxisTicks(scale: xScale, covering: xs + ys)
            yTicks = xTicks
        } else {
            xTicks = AxisTicks(scale: xScale, covering: xs)
            yTicks = AxisTicks(scale: .linear, covering: ys)
        }
        if boundary != nil, let xLow = xs.min(), let xHigh = xs.max(), let yLow = ys.min(),
            let yHigh = ys.max()
        {
            // The regions fill the plot instead of floating in the margin the nice ticks add.
            xTicks = xTicks.fitted(to: xLow...xHigh)
            yTicks = yTicks.fitted(to: yLow...yHigh)
        }
        var legendClasses = Set(perPointClasses ?? [])
        if let boundary { legendClasses.formUnion(boundary.classes) }
        let legend = legendClasses.sorted().map {
            LegendEntry(name: className($0), color: PlotPalette.color($0), dot: true)
        }
        let frame = CartesianFrame(
            width: width, height: height, title: title, xTitle: xTitle, yTitle: yTitle,
            xTicks: xTicks, yTicks: yTicks, legend: legend)
        var svg = SVGWriter(width: width, height: height)
        frame.drawAxes(into: &svg)
        if let boundary { drawBoundary(boundary, frame: frame, into: &svg) }
        if showsIdentityLine, let a = frame.x(xTicks.lower), let b = frame.x(xTicks.upper),
            let c = frame.y(yTicks.lower), let d = frame.y(yTicks.upper)
        {
            svg.line(x1: a, y1: c, x2: b, y2: d, stroke: "#555", width: 1.2, dashed: true)
        }
        if visible.isEmpty { frame.drawNoData(into: &svg) }
        let stroke: [(String, String)] = [("stroke", "#ffffff"), ("stroke-width", "0.6")]
        let ring: [(String, String)] = [("stroke", "#000000"), ("stroke-width", "1.8")]
        let emphasized = Set(highlighted)
        for index in visible.filter({ !emphasized.contains($0) })
            + visible.filter(emphasized.contains)
        {
            guard let x = frame.x(points[index].x), let y = frame.y(points[index].y) else {
                continue
            }
            let isHighlighted = emphasized.contains(index)
            svg.circle(
                x: x, y: y, radius: isHighlighted ? 6 : 3,
                fill: PlotPalette.color(perPointClasses?[index] ?? 0),
                extra: isHighlighted ? ring : stroke)
        }
        frame.drawLegend(into: &svg)
        return svg.document
    }

    /// The cells as opaque tinted rects, runs of equal class and tint in a row merged into one rect.
    private func drawBoundary(
        _ boundary: DecisionBoundary, frame: CartesianFrame, into svg: inout SVGWriter
    ) {
        let dx =
            (boundary.xRange.upperBound - boundary.xRange.lowerBound) / Double(boundary.columns)
        let dy = (boundary.yRange.upperBound - boundary.yRange.lowerBound) / Double(boundary.rows)
        func opacity(_ cell: Int) -> Int {
            // In twentieths, so that neighbouring cells of similar confidence merge.
            guard let confidence = boundary.confidences?[cell], confidence.isFinite else {
                return 5
            }
            return 1 + Int((min(max(confidence, 0), 1) * 8).rounded())
        }
        for row in 0..<boundary.rows {
            guard let top = frame.y(boundary.yRange.lowerBound + Double(row + 1) * dy),
                let bottom = frame.y(boundary.yRange.lowerBound + Double(row) * dy)
            else { continue }
            var start = 0
            while start < boundary.columns {
                let cell = row * boundary.columns + start
                var end = start + 1
                while end < boundary.columns,
                    boundary.classes[cell + end - start] == boundary.classes[cell],
                    opacity(cell + end - start) == opacity(cell)
                { end += 1 }
                if let left = frame.x(boundary.xRange.lowerBound + Double(start) * dx),
                    let right = frame.x(boundary.xRange.lowerBound + Double(end) * dx)
                {
                    // A quarter pixel of overlap hides the hairline seams between rects.
                    svg.rect(
                        x: left, y: top, width: right - left + 0.25, height: bottom - top + 0.25,
                        fill: PlotPalette.tint(
                            PlotPalette.color(boundary.classes[cell]),
                            opacity: Double(opacity(cell)) / 20))
                }
                start = end
            }
        }
    }
}
