import FoundationEssentials

/// JSON through FoundationEssentials' Codable coders, set up once for the whole library.
///
/// Objects are written with their keys sorted and on one line: the encoder's own key order is a
/// hash order that changes from run to run, and seeded runs must write the same bytes. JSON has
/// no NaN or infinity, so every number that may not be finite goes through `JSONNullable`.
public enum JSON {
    /// `value` as one line of JSON text with sorted keys.
    /// - Throws: `EncodingError` for a non-finite number that was not wrapped in `JSONNullable`.
    public static func text(_ value: some Encodable) throws -> String {
        String(decoding: try encoder(pretty: false).encode(value), as: UTF8.self)
    }

    /// `value` as indented JSON text with sorted keys, ending in a newline, for files people read.
    public static func prettyText(_ value: some Encodable) throws -> String {
        String(decoding: try encoder(pretty: true).encode(value), as: UTF8.self) + "\n"
    }

    /// The value of type `type` that `bytes` hold.
    /// - Throws: `DecodingError` when the bytes are not JSON or not of that shape, or whatever
    ///   the type's own `init(from:)` throws.
    public static func decode<T: Decodable>(
        _ type: T.Type, from bytes: some Collection<UInt8>
    ) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }

    /// The value of type `type` that `text` holds.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try decode(type, from: Array(text.utf8))
    }

    /// What a decoding error says, in words for an error message ("'shape' is not a list").
    public static func reason(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.isEmpty
                ? "the value"
                : "'" + context.codingPath.map(\.stringValue).joined(separator: ".") + "'"
        }
        switch error as? DecodingError {
        case .dataCorrupted(let context)?:
            return context.codingPath.isEmpty
                ? "it is not valid JSON"
                : "\(path(context)) is not valid: \(context.debugDescription)"
        case .keyNotFound(let key, _)?: return "it has no '\(key.stringValue)'"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            return "\(path(context)) is of the wrong kind (\(context.debugDescription))"
        default: return "\(error)"
        }
    }

    private static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if pretty { encoder.outputFormatting.insert(.prettyPrinted) }
        return encoder
    }
}

/// A value that JSON writes as `null` when it is absent, and reads back as absent from `null`.
///
/// Swift's synthesized `Encodable` leaves an optional member out when it is nil; readers of
/// Descent's JSON (pandas, jq, the tests) rely on every key being present, so members that may
/// be missing are `JSONNullable`.
public struct JSONNullable<Wrapped: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var value: Wrapped?

    public init(_ value: Wrapped?) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        value = container.decodeNil() ? nil : try container.decode(Wrapped.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encodeNil() }
    }
}

extension JSONNullable where Wrapped == Double {
    /// A number, `null` when nil or not finite (JSON has no NaN or infinity).
    public init(finite number: Double?) {
        self.init(number.flatMap { $0.isFinite ? $0 : nil })
    }
}

/// A coding key made from any string: for objects whose keys are data (tensor names,
/// hyperparameter names, a metric's name).
public struct JSONKey: CodingKey, Hashable, Sendable {
    public var stringValue: String
    public var intValue: Int? { nil }
    public init(_ name: String) { stringValue = name }
    public init(stringValue: String) { self.init(stringValue) }
    public init?(intValue: Int) { nil }
}
