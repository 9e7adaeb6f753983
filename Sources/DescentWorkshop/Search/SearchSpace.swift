import DescentCore
import DescentTraining

/// The hyperparameters a search varies, in order, each with its domain.
///
/// Written on a command line as `NAME=KIND:ARGUMENTS` entries separated by commas:
///
///     lr=log:1e-4:1e-1,dropout=uniform:0:0.5,hidden=choice:64|128,256|128,optimizer=choice:adam|momentum
///
/// Kinds: `choice:A|B|...`, `uniform:LOW:HIGH`, `log:LOW:HIGH` (log-uniform), `int:LOW:HIGH`,
/// `intlog:LOW:HIGH`. A comma starts a new entry only when `NAME=` follows it, so a choice may
/// hold commas (`128,256` is one value: two hidden layers). The same space as a JSON object:
///
///     {"lr": {"log": [1e-4, 1e-1]}, "hidden": {"choice": ["64", "128,256"]}}
public struct SearchSpace: Sendable, Equatable, CustomStringConvertible {
    public let hyperparameters: [Hyperparameter]

    /// - Parameter allowedNames: the names the trial runner understands; nil accepts any.
    /// - Throws: `DescentError.invalidArgument` for no hyperparameters, a name given twice, or a
    ///   name outside `allowedNames` (the message lists the allowed ones).
    public init(_ hyperparameters: [Hyperparameter], allowedNames: [String]? = nil) throws {
        guard !hyperparameters.isEmpty else {
            throw DescentError.invalidArgument(
                operation: "SearchSpace",
                reason: "the space has no hyperparameters; give at least one NAME=KIND:ARGUMENTS")
        }
        var seen = Set<String>()
        for parameter in hyperparameters {
            guard seen.insert(parameter.name).inserted else {
                throw DescentError.invalidArgument(
                    operation: "SearchSpace",
                    reason: "hyperparameter '\(parameter.name)' is given twice")
            }
            if let allowedNames, !allowedNames.contains(parameter.name) {
                throw DescentError.invalidArgument(
                    operation: "SearchSpace",
                    reason:
                        "unknown hyperparameter '\(parameter.name)'; use \(allowedNames.joined(separator: ", "))"
                )
            }
        }
        self.hyperparameters = hyperparameters
    }

    /// Parses the command-line form (see the type's documentation).
    /// - Throws: `DescentError.invalidArgument` saying which entry is malformed and how to write it.
    public init(parsing text: String, allowedNames: [String]? = nil) throws {
        try self.init(
            try Self.entries(of: text).map(Self.parameter(entry:)), allowedNames: allowedNames)
    }

    /// Reads the JSON form (see `init(json:allowedNames:)`) from the file at `path`.
    /// - Throws: `DescentError.invalidArgument` naming the file when it cannot be read, or as
    ///   `init(json:allowedNames:)` for its contents.
    public init(jsonFile path: String, allowedNames: [String]? = nil) throws {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(path)
        } catch {
            throw DescentError.invalidArgument(
                operation: "SearchSpace", reason: "cannot read \(path): \(error.reason)")
        }
        try self.init(json: String(decoding: bytes, as: UTF8.self), allowedNames: allowedNames)
    }

    /// Parses the JSON form: an object from names to `{"KIND": [LOW, HIGH]}` or `{"choice": [...]}`.
    /// JSON objects keep no order, so the space's hyperparameters are in the order of their names.
    /// - Throws: `DescentError.invalidArgument` for malformed JSON, an unknown kind, or a choice
    ///   that contains '|' (the separator of `description`).
    public init(json text: String, allowedNames: [String]? = nil) throws {
        func fail(_ reason: String) -> DescentError {
            .invalidArgument(operation: "SearchSpace", reason: "the JSON search space \(reason)")
        }
        let advice = "write {\"log\": [LOW, HIGH]}, {\"choice\": [A, B]} or similar"
        // Each argument is a number or a string, read as a hyperparameter value reads.
        let members: [String: [String: [HyperparameterValue]]]
        do {
            members = try JSON.decode([String: [String: [HyperparameterValue]]].self, from: text)
        } catch {
            throw fail(
                "is not an object from names to {\"KIND\": [ARGUMENTS]} (\(JSON.reason(error))); \(advice)"
            )
        }
        let parameters = try members.sorted { $0.key < $1.key }.map {
            name, domain -> Hyperparameter in
            guard domain.count == 1, let (kind, arguments) = domain.first else {
                throw fail(
                    "gives '\(name)' \(domain.count) kinds (\(domain.keys.sorted().joined(separator: ", "))); \(advice)"
                )
            }
            let words = arguments.map(\.description)
            // `description` (and the fingerprint a results file is matched by) writes choices
            // joined by '|', so a choice that contains one would read back as two.
            if kind == "choice", let word = words.first(where: { $0.contains("|") }) {
                throw fail("gives '\(name)' the choice \"\(word)\"; a choice cannot contain '|'")
            }
            return try Self.parameter(name: name, kind: kind, arguments: words) {
                fail("gives '\(name)' as \(kind) \(words): \($0); \(advice)")
            }
        }
        try self.init(parameters, allowedNames: allowedNames)
    }

    /// The hyperparameter called `name`.
    public subscript(name: String) -> Hyperparameter? { hyperparameters.first { $0.name == name } }

    /// The command-line form, one canonical text per space.
    public var description: String {
        hyperparameters.map { "\($0.name)=\($0.domain)" }.joined(separator: ",")
    }

    /// A stable 64-bit FNV-1a hash of `description`, as 16 hex digits: a results file stores it so
    /// that a rerun can tell whether the file belongs to the same space.
    public var fingerprint: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in description.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The same space with `domains` replacing the domains of the same names.
    func replacing(_ domains: [String: HyperparameterDomain]) -> SearchSpace {
        SearchSpace(
            unchecked: hyperparameters.map { parameter in
                domains[parameter.name].map {
                    (try? Hyperparameter(parameter.name, $0)) ?? parameter
                } ?? parameter
            })
    }

    private init(unchecked hyperparameters: [Hyperparameter]) {
        self.hyperparameters = hyperparameters
    }

    /// Splits at each comma that is followed by `NAME=`.
    private static func entries(of text: String) -> [String] {
        var entries: [String] = [], current = ""
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            if character == ",", startsEntry(characters[(index + 1)...]) {
                entries.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        entries.append(current)
        return entries.map { String($0.drop { $0 == " " }) }.filter { !$0.isEmpty }
    }

    private static func startsEntry(_ rest: ArraySlice<Character>) -> Bool {
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        return !name.isEmpty && rest.dropFirst(name.count).first == "="
    }

    /// One `NAME=KIND:ARGUMENTS` entry of the command-line form.
    private static func parameter(entry: String) throws -> Hyperparameter {
        func fail(_ reason: String) -> DescentError {
            let form =
                "write NAME=log:LOW:HIGH, uniform:LOW:HIGH, int:LOW:HIGH, intlog:LOW:HIGH or choice:A|B"
            return .invalidArgument(
                operation: "SearchSpace", reason: "'\(entry)': \(reason); \(form)")
        }
        let halves = entry.split(separator: "=", maxSplits: 1).map(String.init)
        guard halves.count == 2, !halves[0].isEmpty else {
            throw fail("no NAME= before the domain")
        }
        let parts = halves[1].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            .map(String.init)
        guard parts.count == 2 else { throw fail("no KIND: in the domain") }
        let kind = parts[0].trimmingSpaces
        let arguments = parts[1].split(
            separator: kind == "choice" ? "|" : ":", omittingEmptySubsequences: false
        )
        .map { String($0).trimmingSpaces }
        return try parameter(
            name: halves[0].trimmingSpaces, kind: kind, arguments: arguments, fail: fail)
    }

    /// The hyperparameter `name` of `kind` ("log", "choice", ...) over `arguments`, the bounds
    /// or the choices (split by the caller: the JSON form gives them as an array); `fail` makes
    /// the error for a reason, in the terms of the caller's form.
    private static func parameter(
        name: String, kind: String, arguments: [String], fail: (String) -> DescentError
    ) throws -> Hyperparameter {
        if kind == "choice" { return try Hyperparameter(name, .choice(arguments)) }
        guard arguments.count == 2 else { throw fail("a range takes two bounds, LOW:HIGH") }
        switch kind {
        case "uniform", "log":
            guard let low = Double(arguments[0]), let high = Double(arguments[1]) else {
                throw fail("the bounds must be numbers")
            }
            return try Hyperparameter(
                name,
                kind == "log" ? .logUniform(low: low, high: high) : .uniform(low: low, high: high))
        case "int", "intlog":
            guard let low = Int(arguments[0]), let high = Int(arguments[1]) else {
                throw fail("the bounds must be integers")
            }
            return try Hyperparameter(
                name,
                kind == "intlog"
                    ? .integerLogUniform(low: low, high: high) : .integer(low: low, high: high))
        default:
            throw fail("unknown kind '\(kind)'")
        }
    }
}

extension String {
    /// Without leading and trailing spaces.
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
