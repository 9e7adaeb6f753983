import DescentTraining

/// One piece of content of an `HTMLPage` section.
public enum PageBlock: Sendable {
    /// A paragraph of text.
    case paragraph(String)
    /// A two-column table of named values, in the given order (a configuration, a summary).
    case keyValues([(key: String, value: String)])
    /// A table with a header row; cells that read as numbers are right-aligned.
    case table(header: [String], rows: [[String]])
    /// A chart, rendered inline as SVG.
    case chart(any Chart)
    /// SVG markup made elsewhere, embedded as is: it must be a well-formed `<svg>` element.
    case svg(String)
    /// Diagnosis findings, most severe first, with their advice and evidence.
    case findings([Finding])
}

/// A titled part of an `HTMLPage`.
public struct PageSection: Sendable {
    /// The `<h2>` heading, also the table-of-contents entry.
    public var heading: String
    /// The content, in order.
    public var blocks: [PageBlock]

    /// A section with `heading` and `blocks`.
    public init(_ heading: String, _ blocks: [PageBlock]) {
        self.heading = heading
        self.blocks = blocks
    }
}

/// A self-contained HTML page: inline CSS, inline SVG charts, no scripts, no network. The markup
/// is XHTML-compatible (every element closed, every attribute quoted, all text escaped), so an
/// XML parser reads it as well as a browser does, and it is generic enough for training reports,
/// learning-rate finder pages and hyperparameter searches alike.
public struct HTMLPage: Sendable {
    /// The `<title>` and the `<h1>` heading.
    public var title: String
    /// A line under the title (the date, the command that made the page).
    public var subtitle: String?
    /// The sections, in order.
    public var sections: [PageSection]

    /// A page; add sections here or later.
    public init(title: String, subtitle: String? = nil, sections: [PageSection] = []) {
        self.title = title
        self.subtitle = subtitle
        self.sections = sections
    }

    /// The page as a complete document, with a table of contents when it has several sections.
    public func render() -> String {
        var html =
            "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
            + "<meta charset=\"utf-8\" />\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n"
            + "<title>\(Markup.escaped(title))</title>\n<style>\n\(Self.style)</style>\n</head>\n<body>\n<main>\n"
            + "<h1>\(Markup.escaped(title))</h1>\n"
        if let subtitle { html += "<p class=\"subtitle\">\(Markup.escaped(subtitle))</p>\n" }
        if sections.count > 2 {
            html += "<nav><ul>\n"
            for (index, section) in sections.enumerated() {
                html +=
                    "<li><a href=\"#section-\(index + 1)\">\(Markup.escaped(section.heading))</a></li>\n"
            }
            html += "</ul></nav>\n"
        }
        for (index, section) in sections.enumerated() {
            html +=
                "<section id=\"section-\(index + 1)\">\n<h2>\(Markup.escaped(section.heading))</h2>\n"
            for block in section.blocks { html += Self.render(block) }
            html += "</section>\n"
        }
        return html + "</main>\n</body>\n</html>\n"
    }

    private static func render(_ block: PageBlock) -> String {
        switch block {
        case .paragraph(let text):
            return "<p>\(Markup.escaped(text))</p>\n"
        case .keyValues(let pairs):
            let rows = pairs.map {
                "<tr><th scope=\"row\">\(Markup.escaped($0.key))</th><td>\(Markup.escaped($0.value))</td></tr>\n"
            }
            return "<table class=\"pairs\">\n<tbody>\n" + rows.joined() + "</tbody>\n</table>\n"
        case .table(let header, let rows):
            var html = "<table class=\"grid\">\n<thead><tr>"
            html +=
                header.map { "<th>\(Markup.escaped($0))</th>" }.joined()
                + "</tr></thead>\n<tbody>\n"
            for row in rows {
                html +=
                    "<tr>"
                    + row.map { cell in
                        (isNumeric(cell) ? "<td class=\"num\">" : "<td>") + Markup.escaped(cell)
                            + "</td>"
                    }.joined() + "</tr>\n"
            }
            return html + "</tbody>\n</table>\n"
        case .chart(let chart):
            return "<figure class=\"chart\">\n" + chart.svg() + "\n</figure>\n"
        case .svg(let markup):
            return "<figure class=\"chart\">\n" + markup + "\n</figure>\n"
        case .findings(let findings):
            guard !findings.isEmpty else {
                return "<p>No findings: nothing in the run looked wrong.</p>\n"
            }
            let sorted = findings.enumerated().sorted {
                $0.element.severity != $1.element.severity
                    ? $0.element.severity > $1.element.severity : $0.offset < $1.offset
            }.map(\.element)
            return "<ul class=\"findings\">\n" + sorted.map(render).joined() + "</ul>\n"
        }
    }

    private static func render(_ finding: Finding) -> String {
        let severity = finding.severity.rawValue
        var html =
            "<li class=\"finding \(severity)\">\n<p><span class=\"badge \(severity)\">\(severity)</span> "
            + "<code>\(Markup.escaped(finding.code))</code>"
        // Epochs are 0-based in the API and 1-based on the charts and in the progress output.
        if let epoch = finding.epoch { html += " <span class=\"muted\">epoch \(epoch + 1)</span>" }
        html += "</p>\n<p>\(Markup.escaped(finding.message))</p>\n"
        if !finding.advice.isEmpty {
            html += "<p class=\"advice\">\(Markup.escaped(finding.advice))</p>\n"
        }
        if !finding.evidence.isEmpty {
            let items = finding.evidence.sorted { $0.key < $1.key }
                .map { "<span>\(Markup.escaped($0.key)): \(Markup.escaped($0.value))</span>" }
            html += "<p class=\"evidence\">" + items.joined(separator: " ") + "</p>\n"
        }
        return html + "</li>\n"
    }

    /// Whether a table cell reads as a number ("0.25", "-3", "97.1%", "1e-3"), to align it right.
    private static func isNumeric(_ cell: String) -> Bool {
        let core = cell.hasSuffix("%") ? String(cell.dropLast()) : cell
        return !core.isEmpty && Double(core) != nil
    }

    /// Plain, print-friendly styling; no web fonts, nothing fetched.
    static let style = """
        body { margin: 0; background: #f6f7f9; color: #1d1f23;
               font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
        main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; }
        h1 { font-size: 26px; margin: 8px 0 4px; }
        h2 { font-size: 20px; margin: 0 0 12px; }
        .subtitle, .muted { color: #5f6670; }
        nav ul { list-style: none; padding: 0; margin: 12px 0 20px; display: flex; flex-wrap: wrap; gap: 6px 18px; }
        nav a { color: #0b5cad; text-decoration: none; }
        section { background: #ffffff; border: 1px solid #e1e4e8; border-radius: 8px; padding: 18px 22px; margin: 18px 0; }
        figure.chart { display: inline-block; vertical-align: top; margin: 12px 16px 12px 0; max-width: 100%;
                       overflow-x: auto; }
        figure.chart svg { max-width: 100%; height: auto; }
        table { border-collapse: collapse; margin: 8px 0 14px; font-size: 14px; }
        th, td { padding: 4px 12px; border-bottom: 1px solid #e6e8eb; text-align: left; }
        table.grid thead th { border-bottom: 2px solid #c9ced4; }
        table.pairs th { font-weight: 600; color: #3d434b; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px;
               background: #f0f2f4; padding: 1px 5px; border-radius: 4px; }
        ul.findings { list-style: none; padding: 0; margin: 0; }
        li.finding { border-left: 4px solid #56B4E9; padding: 6px 14px; margin: 10px 0; background: #fafbfc; }
        li.finding.warning { border-left-color: #E69F00; }
        li.finding.error { border-left-color: #D55E00; }
        li.finding p { margin: 4px 0; }
        .badge { display: inline-block; min-width: 56px; text-align: center; font-size: 12px; font-weight: 600;
                 text-transform: uppercase; border-radius: 4px; padding: 1px 6px; color: #ffffff; background: #0072B2; }
        .badge.warning { background: #b57900; }
        .badge.error { background: #c04f00; }
        .advice { font-weight: 500; }
        .evidence { font-size: 13px; color: #5f6670; }
        .evidence span { margin-right: 14px; }

        """
}
