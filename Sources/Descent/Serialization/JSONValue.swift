/// A JSON value, written and parsed without Foundation; objects keep their member order, and
/// numbers keep their text, so that nothing is lost or reordered in a round trip.
public enum JSONValue: Sendable, Equatable, CustomStringConvertible {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    /// The number as JSON text (`"0.25"`, `"-3"`, `"1e-05"`).
    case number(String)
    case bool(Bool)
    case null

    /// A finite number, or `null` for NaN and infinities (which JSON cannot hold).
    public static func number(_ value: Double) -> JSONValue {
        value.isFinite ? .number("\(value)") : .null
    }

    /// An integer.
    public static func number(_ value: Int) -> JSONValue { .number(String(value)) }

    /// A number or `null` for nil or non-finite values.
    public static func optional(_ value: Double?) -> JSONValue { value.map(JSONValue.number) ?? .null }

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.array(let x), .array(let y)): return x == y
        case (.string(let x), .string(let y)), (.number(let x), .number(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    /// Compact JSON text (no spaces or newlines), one line.
    public var description: String {
        switch self {
        case .object(let members):
            "{" + members.map { "\(jsonString($0.0)):\($0.1.description)" }.joined(separator: ",") + "}"
        case .array(let elements): "[" + elements.map(\.description).joined(separator: ",") + "]"
        case .string(let text): jsonString(text)
        case .number(let text): text
        case .bool(let value): value ? "true" : "false"
        case .null: "null"
        }
    }
}

/// `text` as a JSON string literal, quoted and escaped (RFC 8259 section 7).
public func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case let c where c.value < 0x20:
            let hex = String(c.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
