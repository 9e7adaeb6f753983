import DescentTraining

/// A matrix drawn as coloured cells, each annotated with its value: a confusion matrix (rows the
/// true class, columns the predicted one), or any table of numbers. Colours run from white
/// (0, or the smallest value) to dark blue (the largest); annotations on dark cells are white.
public struct HeatMap: Chart {
    public var title: String
    /// The title of the row axis (left), for example "true".
    public var rowTitle: String
    /// The title of the column axis (bottom), for example "predicted".
    public var columnTitle: String
    /// The values that set each cell's colour, `rows` arrays of `columns` values; a missing or
    /// non-finite value is drawn grey.
    public var values: [[Double]]
    /// The text in each cell, when it is not the value itself (counts on a matrix coloured by
    /// fractions); nil writes the values.
    public var annotations: [[String]]?
    /// One label per row, left of it; the row index where missing.
    public var rowLabels: [String]
    /// One label per column, under it at 45 degrees; the column index where missing.
    public var columnLabels: [String]
    /// The side of a cell in pixels.
    public var cellSize: Double
    /// What the colours measure, written along the colour bar ("fraction of the true class").
    public var scaleTitle: String

    /// A heat map; see the properties.
    public init(
        title: String, rowTitle: String, columnTitle: String, values: [[Double]],
        annotations: [[String]]? = nil,
        rowLabels: [String], columnLabels: [String], cellSize: Double = 46, scaleTitle: String = ""
    ) {
        self.title = title
        self.rowTitle = rowTitle
        self.columnTitle = columnTitle
        self.values = values
        self.annotations = annotations
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.cellSize = cellSize
        self.scaleTitle = scaleTitle
    }

    /// A confusion matrix with the counts written in the cells and each row coloured by the
    /// fraction of its class (the recall on the diagonal), so that the mistakes of a small class
    /// show as clearly as those of a large one.
    public static func confusionMatrix(
        _ matrix: ConfusionMatrix, title: String = "Confusion matrix"
    ) -> HeatMap {
        let fractions = matrix.counts.map { row in
            let total = row.reduce(0, +)
            return row.map { total > 0 ? Double($0) / Double(total) : 0 }
        }
        return HeatMap(
            title: title, rowTitle: "true", columnTitle: "predicted", values: fractions,
            annotations: matrix.counts.map { $0.map(String.init) }, rowLabels: matrix.classNames,
            columnLabels: matrix.classNames, cellSize: matrix.classCount > 12 ? 34 : 46,
            scaleTitle: "fraction of the true class")
    }

    public func svg() -> String {
        let rowCount = values.count, columnCount = values.map(\.count).max() ?? 0
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        let low = min(0, finite.min() ?? 0), high = finite.max() ?? 1
        func fraction(_ value: Double) -> Double { high > low ? (value - low) / (high - low) : 0 }
        func label(_ labels: [String], _ index: Int) -> String {
            index < labels.count ? labels[index] : String(index)
        }
        let rowLabelWidth =
            (0..<rowCount).map { estimatedTextWidth(label(rowLabels, $0), size: 11) }.max() ?? 0
        let columnLabelWidth =
            (0..<columnCount).map { estimatedTextWidth(label(columnLabels, $0), size: 11) }.max()
            ?? 0
        let left = 30 + rowLabelWidth + 8, top = title.isEmpty ? 14.0 : 40
        let gridRight = left + Double(columnCount) * cellSize,
            gridBottom = top + Double(rowCount) * cellSize
        // Column labels are rotated 45 degrees, so they need sin(45) of their width below the grid.
        let labelDepth = columnLabelWidth * 0.71 + 14
        let width = max(gridRight + 100, estimatedTextWidth(title, size: 14) + 20)
        let height = gridBottom + labelDepth + 30
        var svg = SVGWriter(width: width, height: height)
        svg.rect(x: 0, y: 0, width: width, height: height, fill: "#ffffff")
        if !title.isEmpty {
            svg.text(title, x: width / 2, y: 22, anchor: "middle", size: 14, weight: "600")
        }
        let textSize = min(12, cellSize * 0.3)
        for row in 0..<rowCount {
            let y = top + Double(row) * cellSize
            svg.text(
                label(rowLabels, row), x: left - 6, y: y + cellSize / 2 + 4, anchor: "end", size: 11
            )
            for column in 0..<columnCount {
                let x = left + Double(column) * cellSize
                let value = column < values[row].count ? values[row][column] : .nan
                let shade = fraction(value)
                svg.rect(
                    x: x, y: y, width: cellSize, height: cellSize,
                    fill: value.isFinite ? PlotPalette.sequential(shade) : "#dddddd",
                    extra: [("stroke", "#ffffff"), ("stroke-width", "1")])
                let text =
                    annotations.flatMap {
                        row < $0.count && column < $0[row].count ? $0[row][column] : nil
                    }
                    ?? Markup.readable(value, significantDigits: 3)
                svg.text(
                    text, x: x + cellSize / 2, y: y + cellSize / 2 + textSize * 0.35,
                    anchor: "middle", size: textSize,
                    fill: value.isFinite && shade > 0.55 ? "#ffffff" : "#222222")
            }
        }
        for column in 0..<columnCount {
            let x = left + (Double(column) + 0.5) * cellSize
            svg.text(
                label(columnLabels, column), x: x, y: gridBottom + 12, anchor: "end", size: 11,
                rotation: -45)
        }
        if !rowTitle.isEmpty {
            svg.text(rowTitle, x: 14, y: (top + gridBottom) / 2, anchor: "middle", rotation: -90)
        }
        if !columnTitle.isEmpty {
            svg.text(columnTitle, x: (left + gridRight) / 2, y: height - 10, anchor: "middle")
        }
        drawScale(low: low, high: high, x: gridRight + 20, top: top, bottom: gridBottom, into: &svg)
        return svg.document
    }

    /// A vertical colour bar from `low` (bottom) to `high` (top), in ten steps.
    private func drawScale(
        low: Double, high: Double, x: Double, top: Double, bottom: Double, into svg: inout SVGWriter
    ) {
        let steps = 10, height = max(bottom - top, 40)
        for step in 0..<steps {
            let y = top + height * Double(steps - 1 - step) / Double(steps)
            svg.rect(
                x: x, y: y, width: 14, height: height / Double(steps) + 0.25,
                fill: PlotPalette.sequential((Double(step) + 0.5) / Double(steps)))
        }
        svg.text(
            Markup.readable(high, significantDigits: 3), x: x + 18, y: top + 10, size: 10,
            fill: "#444")
        svg.text(
            Markup.readable(low, significantDigits: 3), x: x + 18, y: top + height, size: 10,
            fill: "#444")
        if !scaleTitle.isEmpty {
            svg.text(
                scaleTitle, x: x + 62, y: top + height / 2, anchor: "middle", size: 11,
                fill: "#444", rotation: -90)
        }
    }
}
