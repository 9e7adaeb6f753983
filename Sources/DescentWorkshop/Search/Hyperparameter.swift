#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentTraining

/// One value of a hyperparameter: a real number, an integer, or a named choice (`"adam"`,
/// `"128,64"` for hidden widths, `"on"`).
public enum HyperparameterValue: Sendable, Hashable, CustomStringConvertible {
    case real(Double)
    case integer(Int)
    case text(String)

    /// The value as a command line takes it: shortest round-tripping decimal for reals.
    public var description: String {
        switch self {
        case .real(let value): "\(value)"
        case .integer(let value): String(value)
        case .text(let value): value
        }
    }

    /// The value as a number, for plotting and for narrowing ranges; nil for text.
    public var numeric: Double? {
        switch self {
        case .real(let value): value
        case .integer(let value): Double(value)
        case .text: nil
        }
    }
}

/// A value in JSON: a real or an integer as a number, a choice as a string. A number reads back
/// as an integer when it has no fraction; `TrialConfiguration.conformed(to:)` gives it its
/// domain's kind again.
extension HyperparameterValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let integer = try? container.decode(Int.self) {
            self = .integer(integer)
        } else if let real = try? container.decode(Double.self) {
            self = .real(real)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .real(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .text(let value): try container.encode(value)
        }
    }
}

/// Where a hyperparameter's values come from.
///
/// Learning rates and weight decays act multiplicatively, so they are searched on a log scale
/// (`logUniform`): drawing uniformly in `[log low, log high]` gives each decade the same share of
/// the trials, where a uniform draw over `[1e-4, 1e-1]` would put 90% of them above 1e-2 [1].
/// Dropout and similar bounded knobs are `uniform`; widths and batch sizes are integers, on a log
/// scale when they span several octaves; anything categorical (an optimizer, an activation,
/// a list of hidden widths, batch normalization on or off) is a `choice`.
///
/// [1]: Bergstra & Bengio, "Random Search for Hyper-Parameter Optimization", JMLR 13, 2012.
public enum HyperparameterDomain: Sendable, Equatable, CustomStringConvertible {
    /// One of the listed values, each equally likely.
    case choice([String])
    /// A real number uniform in `low...high`.
    case uniform(low: Double, high: Double)
    /// A positive real number whose logarithm is uniform in `log(low)...log(high)`.
    case logUniform(low: Double, high: Double)
    /// An integer uniform in `low...high`.
    case integer(low: Int, high: Int)
    /// A positive integer whose logarithm is uniform, rounded to the nearest integer.
    case integerLogUniform(low: Int, high: Int)

    /// Whether values are drawn, spaced and narrowed on a log scale.
    public var isLogarithmic: Bool {
        switch self {
        case .logUniform, .integerLogUniform: true
        default: false
        }
    }

    /// The numeric bounds, nil for a choice.
    public var bounds: (low: Double, high: Double)? {
        switch self {
        case .choice: nil
        case .uniform(let low, let high), .logUniform(let low, let high): (low, high)
        case .integer(let low, let high), .integerLogUniform(let low, let high):
            (Double(low), Double(high))
        }
    }

    /// The CLI form (`log:0.0001:0.1`, `choice:adam|sgd`), which `SearchSpace(parsing:)` reads back.
    public var description: String {
        switch self {
        case .choice(let values): "choice:" + values.joined(separator: "|")
        case .uniform(let low, let high): "uniform:\(low):\(high)"
        case .logUniform(let low, let high): "log:\(low):\(high)"
        case .integer(let low, let high): "int:\(low):\(high)"
        case .integerLogUniform(let low, let high): "intlog:\(low):\(high)"
        }
    }

    /// Checks that the domain holds at least one value and that a log domain is positive.
    /// - Throws: `DescentError.invalidArgument` naming `name` and what to fix.
    func validate(name: String) throws {
        func fail(_ reason: String) -> DescentError {
            .invalidArgument(
                operation: "SearchSpace", reason: "hyperparameter '\(name)' (\(self)): \(reason)")
        }
        switch self {
        case .choice(let values):
            guard !values.isEmpty, !values.contains(where: \.isEmpty) else {
                throw fail("a choice needs one or more non-empty values")
            }
            guard Set(values).count == values.count else {
                throw fail("a choice lists a value twice")
            }
        case .uniform(let low, let high), .logUniform(let low, let high):
            guard low.isFinite, high.isFinite else {
                throw fail("the bounds must be finite numbers")
            }
            guard low < high else {
                throw fail("the range is empty: the low bound must be below the high bound")
            }
            if isLogarithmic, low <= 0 {
                throw fail(
                    "a log range must be positive (it cannot include 0 or negative numbers); use uniform: or a low bound such as 1e-6"
                )
            }
        case .integer(let low, let high), .integerLogUniform(let low, let high):
            let limit = Int(Int32.max)
            guard (-limit...limit).contains(low), (-limit...limit).contains(high) else {
                throw fail("integer bounds must be within -\(limit)...\(limit)")
            }
            guard low <= high else {
                throw fail("the range is empty: the low bound must not exceed the high bound")
            }
            if isLogarithmic, low <= 0 {
                throw fail(
                    "a log range must be positive (it cannot include 0 or negative numbers); use int: instead"
                )
            }
        }
    }

    /// The value at position `u` in `[0, 1]` along the domain (on the log scale for log domains):
    /// a uniform `u` gives a draw from the domain, evenly spaced `u`s give a grid axis. Reals are
    /// rounded to 6 significant digits, so that they read well in tables and command lines.
    public func value(at u: Double) -> HyperparameterValue {
        let u = min(max(u, 0), 1)
        switch self {
        case .choice(let values):
            return .text(values[min(Int(u * Double(values.count)), values.count - 1)])
        case .uniform(let low, let high):
            return .real(
                u == 0
                    ? low : u == 1 ? high : min(max(significant(low + u * (high - low)), low), high)
            )
        case .logUniform(let low, let high):
            return .real(
                u == 0
                    ? low
                    : u == 1
                        ? high
                        : min(
                            max(significant(exp(log(low) + u * (log(high) - log(low)))), low), high)
            )
        case .integer(let low, let high):
            return .integer(min(low + Int((u * Double(high - low + 1)).rounded(.down)), high))
        case .integerLogUniform(let low, let high):
            let value = exp(log(Double(low)) + u * (log(Double(high)) - log(Double(low))))
            return .integer(min(max(Int(value.rounded()), low), high))
        }
    }

    /// `count` values spread evenly over the domain, both ends included (log-spaced on log
    /// domains); every value of a choice, and at most every integer of an integer range.
    public func gridValues(count: Int) -> [HyperparameterValue] {
        if case .choice(let values) = self { return values.map(HyperparameterValue.text) }
        let points: [HyperparameterValue] =
            count <= 1
            ? [value(at: 0.5)]
            : (0..<count).map { value(at: Double($0) / Double(count - 1)) }
        var seen: Set<HyperparameterValue> = [], unique: [HyperparameterValue] = []
        for point in points where seen.insert(point).inserted { unique.append(point) }
        return unique
    }

    /// At least as many values as `gridValues(count:)` returns, without making them.
    public func gridSizeBound(count: Int) -> Int {
        switch self {
        case .choice(let values): values.count
        case .integer(let low, let high), .integerLogUniform(let low, let high):
            min(max(count, 1), high - low + 1)
        default: max(count, 1)
        }
    }

    /// Where `value` lies along the domain, in `[0, 1]` (log scale for log domains): the inverse
    /// of `value(at:)`, for narrowing ranges and for plotting; nil for text.
    public func position(of value: HyperparameterValue) -> Double? {
        guard let x = value.numeric, let (low, high) = bounds, high > low else { return nil }
        return isLogarithmic
            ? (log(x) - log(low)) / (log(high) - log(low)) : (x - low) / (high - low)
    }

    /// The same kind of domain over the positions `from...to` of this one (in `[0, 1]`, on the
    /// log scale for log domains), so a narrowed range always lies inside the range it came from.
    func subrange(from: Double, to: Double) -> HyperparameterDomain {
        let a = value(at: from).numeric ?? 0, b = value(at: to).numeric ?? 0
        switch self {
        case .choice: return self
        case .uniform: return .uniform(low: a, high: b)
        case .logUniform: return .logUniform(low: a, high: b)
        case .integer(let low, let high):
            let lo = max(low, Int(a.rounded())), hi = min(high, Int(b.rounded()))
            return .integer(low: min(lo, hi), high: max(lo, hi))
        case .integerLogUniform(let low, let high):
            let lo = max(low, Int(a.rounded())), hi = min(high, Int(b.rounded()))
            return .integerLogUniform(low: min(lo, hi), high: max(lo, hi))
        }
    }
}

/// A named hyperparameter and its domain.
public struct Hyperparameter: Sendable, Equatable {
    public let name: String
    public let domain: HyperparameterDomain

    /// - Throws: `DescentError.invalidArgument` for an empty range, a log range that reaches 0 or
    ///   below, or an empty choice.
    public init(_ name: String, _ domain: HyperparameterDomain) throws {
        guard !name.isEmpty else {
            throw DescentError.invalidArgument(
                operation: "SearchSpace", reason: "a hyperparameter needs a name")
        }
        try domain.validate(name: name)
        self.name = name
        self.domain = domain
    }
}

/// `x` rounded to 6 significant digits, as the nearest double to that decimal (so that it
/// prints as `0.00123`, not `0.0012300000000000002`).
private func significant(_ x: Double) -> Double {
    guard x != 0, x.isFinite else { return x }
    let exponent = Int(floor(log10(abs(x)))) - 5
    let mantissa = (x / pow(10, Double(exponent))).rounded()
    return Double("\(Int(mantissa))e\(exponent)") ?? x
}
