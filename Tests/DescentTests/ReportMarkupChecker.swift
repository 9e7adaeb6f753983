/// A strict XML well-formedness checker for the report's SVG and XHTML, independent of any XML
/// library: one root element, balanced and properly nested tags, quoted and unique attributes,
/// no raw `<` in values, and every `&` starting a known entity or character reference. A
/// `<!DOCTYPE ...>` and comments are allowed before the root.
struct MarkupChecker {
    /// Elements by name, counted while checking.
    private(set) var elementCounts: [String: Int] = [:]
    /// Every attribute's name and (unescaped-as-written) value, in document order.
    private(set) var attributes: [(element: String, name: String, value: String)] = []

    /// Checks `text`; returns nil when it is well-formed, otherwise what is wrong and where.
    mutating func check(_ text: String) -> String? {
        let s = Array(text.unicodeScalars)
        var i = 0, stack: [String] = [], sawRoot = false
        func error(_ message: String) -> String {
            "\(message) at scalar \(i): ...\(String(String.UnicodeScalarView(s[max(0, i - 30)..<min(s.count, i + 30)])))..."
        }
        func isNameStart(_ c: Unicode.Scalar) -> Bool {
            c.properties.isAlphabetic || c == "_" || c == ":"
        }
        func isName(_ c: Unicode.Scalar) -> Bool {
            isNameStart(c) || ("0"..."9").contains(c) || c == "-" || c == "."
        }
        func name() -> String? {
            guard i < s.count, isNameStart(s[i]) else { return nil }
            var out = ""
            while i < s.count, isName(s[i]) { out.unicodeScalars.append(s[i]); i += 1 }
            return out
        }
        func skipSpace() { while i < s.count, [" ", "\n", "\t", "\r"].contains(s[i]) { i += 1 } }
        func starts(_ prefix: String) -> Bool {
            let p = Array(prefix.unicodeScalars)
            return i + p.count <= s.count && Array(s[i..<i + p.count]) == p
        }
        /// Checks the reference at `i` (pointing at '&') and moves past it.
        func reference() -> Bool {
            var j = i + 1, body = ""
            while j < s.count, s[j] != ";", j - i < 12 { body.unicodeScalars.append(s[j]); j += 1 }
            guard j < s.count, s[j] == ";" else { return false }
            let ok: Bool
            if ["amp", "lt", "gt", "quot", "apos"].contains(body) {
                ok = true
            } else if body.hasPrefix("#x") {
                ok = UInt32(body.dropFirst(2), radix: 16) != nil
            } else if body.hasPrefix("#") {
                ok = UInt32(body.dropFirst()) != nil
            } else {
                ok = false
            }
            i = j + 1
            return ok
        }
        while i < s.count {
            if s[i] == "<" {
                if starts("<!--") {
                    while i < s.count, !starts("-->") { i += 1 }
                    guard i < s.count else { return error("unterminated comment") }
                    i += 3
                    continue
                }
                if starts("<!DOCTYPE") {
                    guard !sawRoot, stack.isEmpty else { return error("DOCTYPE after the root") }
                    while i < s.count, s[i] != ">" { i += 1 }
                    i += 1
                    continue
                }
                i += 1
                if i < s.count, s[i] == "/" {
                    i += 1
                    guard let tag = name() else { return error("bad end tag name") }
                    skipSpace()
                    guard i < s.count, s[i] == ">" else {
                        return error("end tag </\(tag) not closed")
                    }
                    i += 1
                    guard stack.last == tag else {
                        return error("</\(tag)> closes <\(stack.last ?? "nothing")>")
                    }
                    stack.removeLast()
                    continue
                }
                guard let tag = name() else { return error("bad tag name") }
                guard !(sawRoot && stack.isEmpty) else {
                    return error("a second root element <\(tag)>")
                }
                sawRoot = true
                elementCounts[tag, default: 0] += 1
                var seen = Set<String>()
                while true {
                    let hadSpace = i < s.count && [" ", "\n", "\t", "\r"].contains(s[i])
                    skipSpace()
                    guard i < s.count else { return error("unterminated tag <\(tag)") }
                    if s[i] == ">" { i += 1; stack.append(tag); break }
                    if starts("/>") { i += 2; break }
                    guard hadSpace, let attribute = name() else {
                        return error("bad attribute in <\(tag)>")
                    }
                    guard seen.insert(attribute).inserted else {
                        return error("duplicate attribute \(attribute) in <\(tag)>")
                    }
                    skipSpace()
                    guard i < s.count, s[i] == "=" else {
                        return error("attribute \(attribute) without value")
                    }
                    i += 1
                    skipSpace()
                    guard i < s.count, s[i] == "\"" || s[i] == "'" else {
                        return error("unquoted attribute \(attribute)")
                    }
                    let quote = s[i]
                    i += 1
                    var value = ""
                    while i < s.count, s[i] != quote {
                        if s[i] == "<" { return error("'<' in attribute \(attribute)") }
                        if s[i] == "&" {
                            let start = i
                            guard reference() else {
                                return error("bad reference in attribute \(attribute)")
                            }
                            value += String(String.UnicodeScalarView(s[start..<i]))
                            continue
                        }
                        value.unicodeScalars.append(s[i])
                        i += 1
                    }
                    guard i < s.count else { return error("unterminated attribute \(attribute)") }
                    i += 1
                    attributes.append((tag, attribute, value))
                }
                continue
            }
            if s[i] == "&" {
                guard reference() else { return error("bad reference in text") }
                continue
            }
            if stack.isEmpty, ![" ", "\n", "\t", "\r"].contains(s[i]) {
                return error("text outside the root element")
            }
            i += 1
        }
        guard sawRoot else { return "no root element" }
        guard stack.isEmpty else { return "unclosed elements: \(stack)" }
        return nil
    }

    /// The geometry attributes whose value is not a list of finite numbers ("nan", "inf", "").
    var nonFiniteGeometry: [String] {
        let geometric: Set<String> = [
            "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height", "points",
            "viewBox",
            "font-size", "stroke-width", "fill-opacity",
        ]
        return attributes.filter { geometric.contains($0.name) }.compactMap { attribute in
            let numbers = attribute.value.split(whereSeparator: { $0 == " " || $0 == "," })
            let finite = !numbers.isEmpty && numbers.allSatisfy { Double($0)?.isFinite == true }
            return finite ? nil : "\(attribute.element) \(attribute.name)=\"\(attribute.value)\""
        }
    }
}
