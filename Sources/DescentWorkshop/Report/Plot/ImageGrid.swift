import DescentTraining

/// A small grayscale image with a caption, for `ImageGrid`.
public struct GridImage: Sendable, Equatable {
    /// Row-major `height x width` intensities.
    public var pixels: [Float]
    /// Pixels per row.
    public var width: Int
    /// Rows.
    public var height: Int
    /// Drawn under the image; "\n" starts a new line.
    public var caption: String
    /// The intensities drawn black and white; nil maps each image's own minimum to black and its
    /// maximum to white.
    public var range: ClosedRange<Float>?

    /// An image; one whose `pixels` do not hold `width * height` values is drawn as "invalid image".
    public init(
        pixels: [Float], width: Int, height: Int, caption: String, range: ClosedRange<Float>? = nil
    ) {
        self.pixels = pixels
        self.width = width
        self.height = height
        self.caption = caption
        self.range = range
    }
}

/// Images in a grid with captions, drawn as SVG rects (runs of equal gray in a row merged, on a
/// black background) so that the page needs no image files: for example the test images a
/// classifier got most confidently wrong.
public struct ImageGrid: Chart {
    public var title: String
    /// The images, left to right, then top to bottom.
    public var images: [GridImage]
    /// Images per row.
    public var columns: Int
    /// Pixels of the drawing per pixel of the image.
    public var scale: Double

    /// A grid of `images`, `columns` per row, each pixel drawn `scale` pixels wide.
    public init(title: String, images: [GridImage], columns: Int = 6, scale: Double = 3) {
        self.title = title
        self.images = images
        self.columns = columns
        self.scale = scale
    }

    public func svg() -> String {
        let columns = max(1, min(self.columns, max(1, images.count)))
        let captionLines = images.map {
            $0.caption.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        let lineCount = captionLines.map(\.count).max() ?? 0
        let imageWidth = images.map { Double(max(0, $0.width)) * scale }.max() ?? 0
        let imageHeight = images.map { Double(max(0, $0.height)) * scale }.max() ?? 0
        let textWidth =
            captionLines.flatMap { $0 }.map { estimatedTextWidth($0, size: 10.5) }.max() ?? 0
        let cellWidth = max(imageWidth, textWidth) + 14,
            cellHeight = imageHeight + Double(lineCount) * 13 + 16
        let rows = (images.count + columns - 1) / columns
        let top = title.isEmpty ? 8.0 : 34
        let width = max(Double(columns) * cellWidth + 8, estimatedTextWidth(title, size: 14) + 20)
        let height = top + (images.isEmpty ? 30 : Double(rows) * cellHeight)
        var svg = SVGWriter(width: width, height: height)
        svg.rect(x: 0, y: 0, width: width, height: height, fill: "#ffffff")
        if !title.isEmpty {
            svg.text(title, x: width / 2, y: 22, anchor: "middle", size: 14, weight: "600")
        }
        if images.isEmpty {
            svg.text("no images", x: width / 2, y: top + 18, anchor: "middle", fill: "#888")
        }
        for (index, image) in images.enumerated() {
            let cellX = 4 + Double(index % columns) * cellWidth,
                cellY = top + Double(index / columns) * cellHeight
            let drawnWidth = Double(max(0, image.width)) * scale,
                drawnHeight = Double(max(0, image.height)) * scale
            // Whole-pixel origins and crisp edges keep anti-aliasing from striping the images.
            let x = (cellX + (cellWidth - drawnWidth) / 2).rounded()
            svg.append(raw: "<g shape-rendering=\"crispEdges\">\n")
            draw(image, x: x, y: cellY.rounded(), into: &svg)
            svg.append(raw: "</g>\n")
            for (line, text) in captionLines[index].enumerated() {
                svg.text(
                    text, x: cellX + cellWidth / 2, y: cellY + drawnHeight + 14 + Double(line) * 13,
                    anchor: "middle", size: 10.5)
            }
        }
        return svg.document
    }

    /// One image at (x, y): a black rect, then a rect per run of equal non-black gray in a row,
    /// the intensities quantized to 32 levels.
    private func draw(_ image: GridImage, x: Double, y: Double, into svg: inout SVGWriter) {
        let width = max(0, image.width), height = max(0, image.height)
        svg.rect(
            x: x, y: y, width: Double(width) * scale, height: Double(height) * scale,
            fill: "#000000")
        guard width > 0, height > 0, image.pixels.count == width * height else {
            svg.text(
                "invalid image", x: x + Double(width) * scale / 2, y: y + 14, anchor: "middle",
                size: 10, fill: "#ffffff")
            return
        }
        let finite = image.pixels.filter(\.isFinite)
        let low = Double(image.range?.lowerBound ?? finite.min() ?? 0)
        let high = Double(image.range?.upperBound ?? finite.max() ?? 1)
        func level(_ pixel: Float) -> Int {
            guard pixel.isFinite, high > low else { return 0 }
            return Int((min(max((Double(pixel) - low) / (high - low), 0), 1) * 31).rounded())
        }
        for row in 0..<height {
            var start = 0
            while start < width {
                let shade = level(image.pixels[row * width + start])
                var end = start + 1
                while end < width, level(image.pixels[row * width + end]) == shade { end += 1 }
                if shade > 0 {
                    let gray = String(shade * 255 / 31, radix: 16)
                    let hex = gray.count == 1 ? "0" + gray : gray
                    svg.rect(
                        x: x + Double(start) * scale, y: y + Double(row) * scale,
                        width: Double(end - start) * scale,
                        height: scale, fill: "#" + hex + hex + hex)
                }
                start = end
            }
        }
    }
}
