import DescentTraining

/// Accumulates SVG elements and closes them into one self-contained `<svg>` document: explicit
/// `width`, `height` and `viewBox`, the SVG namespace (so it can be inlined in XHTML), no ids
/// (so that many charts can share one page) and no scripts.
struct SVGWriter {
    let width: Double
    let height: Double
    private(set) var body = ""

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// The finished document.
    var document: String {
        let w = Markup.number(width), h = Markup.number(height)
        return
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" "
            + "font-family=\"system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
            + body + "</svg>"
    }

    /// Appends an element with attributes (values escaped) and optional text content (escaped).
    mutating func element(_ name: String, _ attributes: [(String, String)], text: String? = nil) {
        body += "<" + name
        for (key, value) in attributes { body += " \(key)=\"\(Markup.escaped(value))\"" }
        if let text { body += ">" + Markup.escaped(text) + "</\(name)>\n" } else { body += "/>\n" }
    }

    mutating func rect(
        x: Double, y: Double, width: Double, height: Double, fill: String,
        extra: [(String, String)] = []
    ) {
        element(
            "rect",
            [
                ("x", Markup.number(x)), ("y", Markup.number(y)), ("width", Markup.number(width)),
                ("height", Markup.number(height)), ("fill", fill),
            ] + extra)
    }

    mutating func line(
        x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1,
        dashed: Bool = false
    ) {
        var attributes = [
            ("x1", Markup.number(x1)), ("y1", Markup.number(y1)), ("x2", Markup.number(x2)),
            ("y2", Markup.number(y2)), ("stroke", stroke), ("stroke-width", Markup.number(width)),
        ]
        if dashed { attributes.append(("stroke-dasharray", "6 4")) }
        element("line", attributes)
    }

    /// A text label; `anchor` is `start`, `middle` or `end`; `rotation` in degrees about (x, y).
    mutating func text(
        _ content: String, x: Double, y: Double, anchor: String = "start", size: Double = 12,
        fill: String = "#222", weight: String? = nil, rotation: Double? = nil
    ) {
        var attributes = [
            ("x", Markup.number(x)), ("y", Markup.number(y)), ("text-anchor", anchor),
            ("font-size", Markup.number(size)), ("fill", fill),
        ]
        if let weight { attributes.append(("font-weight", weight)) }
        if let rotation {
            attributes.append(
                (
                    "transform",
                    "rotate(\(Markup.number(rotation)) \(Markup.number(x)) \(Markup.number(y)))"
                ))
        }
        element("text", attributes, text: content)
    }

    mutating func circle(
        x: Double, y: Double, radius: Double, fill: String, extra: [(String, String)] = []
    ) {
        element(
            "circle",
            [
                ("cx", Markup.number(x)), ("cy", Markup.number(y)), ("r", Markup.number(radius)),
                ("fill", fill),
            ] + extra)
    }

    /// A polyline through `points` (pixel coordinates, all finite).
    mutating func polyline(
        _ points: [(x: Double, y: Double)], stroke: String, width: Double = 2, dashed: Bool = false
    ) {
        let list = points.map { Markup.number($0.x) + "," + Markup.number($0.y) }.joined(
            separator: " ")
        var attributes = [
            ("points", list), ("fill", "none"), ("stroke", stroke),
            ("stroke-width", Markup.number(width)),
            ("stroke-linejoin", "round"), ("stroke-linecap", "round"),
        ]
        if dashed { attributes.append(("stroke-dasharray", "7 4")) }
        element("polyline", attributes)
    }

    /// Markup made by the chart itself (a group tag), appended as is: never user text.
    mutating func append(raw markup: String) { body += markup }
}

/// A fixed palette of colours that stay distinct for the common forms of colour blindness: the
/// Okabe-Ito palette [1], ordered so that the first two (blue, vermillion) contrast most, and
/// without its yellow, which is unreadable on white, until the end.
///
/// [1]: Okabe & Ito, "Color Universal Design", 2008.
public enum PlotPalette {
    /// The colours as `#rrggbb`, in the order charts assign them to series or classes.
    public static let colors = [
        "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
    ]

    /// The colour of series or class `index`, cycling through `colors`.
    public static func color(_ index: Int) -> String {
        colors[((index % colors.count) + colors.count) % colors.count]
    }

    /// `color` (`#rrggbb`) laid over white at `opacity` in `0...1`, as an opaque colour: regions
    /// drawn with it can overlap without darker seams where they meet.
    static func tint(_ color: String, opacity: Double) -> String {
        let hex = Array(color.utf8.dropFirst())
        guard hex.count == 6 else { return color }
        let a = min(max(opacity, 0), 1)
        return "#"
            + (0..<3).map { channel in
                let value =
                    Int(
                        String(decoding: hex[(2 * channel)..<(2 * channel + 2)], as: UTF8.self),
                        radix: 16) ?? 0
                let mixed = String(Int((255 - Double(255 - value) * a).rounded()), radix: 16)
                return mixed.count == 1 ? "0" + mixed : mixed
            }.joined()
    }

    /// A sequential white-to-dark-blue colour for `fraction` in `0...1` (clamped; NaN gives white),
    /// for heat maps: light cells are small values, dark cells large ones.
    static func sequential(_ fraction: Double) -> String {
        let t = fraction.isNaN ? 0 : min(max(fraction, 0), 1)
        let stops: [(Double, Double, Double)] = [
            (247, 251, 255), (198, 219, 239), (107, 174, 214), (33, 113, 181), (8, 48, 107),
        ]
        let scaled = t * Double(stops.count - 1)
        let index = min(Int(scaled), stops.count - 2), local = scaled - Double(index)
        let (a, b) = (stops[index], stops[index + 1])
        func channel(_ x: Double, _ y: Double) -> String {
            let value = Int((x + (y - x) * local).rounded())
            let hex = String(value, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }
        return "#" + channel(a.0, b.0) + channel(a.1, b.1) + channel(a.2, b.2)
    }
}

/// An approximation of the width in pixels of `text` at `size` (the average advance of a sans
/// serif face), for laying out margins and legends without measuring fonts.
func estimatedTextWidth(_ text: String, size: Double = 12) -> Double {
    Double(text.count) * size * 0.58
}
