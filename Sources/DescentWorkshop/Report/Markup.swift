#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentTraining

/// Text and number helpers shared by the SVG charts and the HTML pages: everything that ends up
/// in markup goes through here, so that no chart can emit unescaped text or a `nan` coordinate.
enum Markup {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by entities, safe in element content and in
    /// quoted attribute values. Control characters that XML 1.0 forbids even as references are
    /// replaced by U+FFFD, so that any string (a hostile class name, a file name) keeps the
    /// document well-formed.
    static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case let c where c.value < 0x20 || c.value == 0xFFFE || c.value == 0xFFFF:
                out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A coordinate or length with at most 2 decimals and no trailing zeros ("12.5", "3", "-0.25").
    /// Non-finite values, which the charts filter out before they get here, become "0" rather
    /// than "nan", which would make the SVG invalid.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let clamped = min(max(value, -1e7), 1e7)
        var text = TextTable.fixed(clamped, digits: 2)
        while text.hasSuffix("0") && text.contains(".") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// `value` as a short readable number for tables and captions: up to `significantDigits`
    /// significant digits, scientific ("3.2e-4") below 0.001 and from 1e7, plain otherwise;
    /// "n/a" for NaN, "inf" or "-inf" for infinities (as text, never as a coordinate).
    static func readable(_ value: Double, significantDigits: Int = 4) -> String {
        guard value.isFinite else { return value.isNaN ? "n/a" : (value > 0 ? "inf" : "-inf") }
        if value == 0 { return "0" }
        let exponent = Int(floorLog10(abs(value)))
        let decimals = max(0, significantDigits - 1 - exponent)
        if abs(value) < 1e-3 || abs(value) >= 1e7 || decimals > 15 {
            let mantissa = value / power10(exponent)
            var text = trimmed(TextTable.fixed(mantissa, digits: significantDigits - 1))
            // Rounding can carry the mantissa to 10 ("9.9996e-4" -> "10e-4").
            if text == "10" || text == "-10" {
                return "\(text.hasPrefix("-") ? "-" : "")1e\(exponent + 1)"
            }
            if text.isEmpty { text = "0" }
            return "\(text)e\(exponent)"
        }
        return trimmed(TextTable.fixed(value, digits: decimals))
    }

    /// A fixed-point string without trailing fractional zeros ("0.250" -> "0.25", "3.0" -> "3").
    static func trimmed(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var text = text
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// A percentage with `digits` decimals: 0.9731 -> "97.3%".
    static func percent(_ fraction: Double, digits: Int = 1) -> String {
        fraction.isFinite
            ? TextTable.fixed(fraction * 100, digits: digits) + "%" : readable(fraction)
    }
}

/// `floor(log10(x))` for a positive finite `x`, exact at powers of ten (where `log10` may round).
func floorLog10(_ x: Double) -> Double {
    var exponent = Int(log10(x).rounded(.down))
    while power10(exponent + 1) <= x { exponent += 1 }
    while power10(exponent) > x { exponent -= 1 }
    return Double(exponent)
}

/// `10^exponent`, exact for `exponent` in `-22...22` (a correctly rounded division or product of
/// exact powers), so that tick values such as 0.3 come out as the nearest double.
func power10(_ exponent: Int) -> Double {
    var result = 1.0
    for _ in 0..<min(abs(exponent), 330) { result *= 10 }
    return exponent >= 0 ? result : 1 / result
}
