import ArgumentParser
import Descent

/// `--init`: the weight initializer of every dense layer, or auto (He for the ReLU family,
/// Glorot otherwise, PyTorch's default for the output layer).
enum InitializerChoice: ExpressibleByArgument, CustomStringConvertible, Equatable {
    case auto
    /// A named initializer without numbers (`he-normal`), or one with them (`constant:V`).
    case initializer(Initializer, text: String)

    /// The names without numbers, as `--init` takes them.
    private static let named: [(name: String, initializer: Initializer)] = [
        ("zeros", .zeros), ("glorot-uniform", .glorotUniform), ("glorot-normal", .glorotNormal),
        ("he-uniform", .heUniform), ("he-normal", .heNormal), ("lecun-uniform", .lecunUniform),
        ("lecun-normal", .lecunNormal), ("pytorch", .pytorchLinear),
    ]

    /// The initializer `text` names, its numbers checked.
    /// - Throws: a usage error naming what is wrong.
    init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            .map(String.init)
        let name = parts[0], takesNumbers = ["constant", "uniform", "normal"].contains(name)
        guard takesNumbers == (parts.count > 1) else {
            throw usageError(
                takesNumbers
                    ? "--init \(name) needs its numbers: constant:V, uniform:LOW,HIGH or normal:MEAN,STD"
                    : "--init \(name) takes no numbers, got '\(text)'")
        }
        func numbers(_ count: Int, _ form: String) throws -> [Float] {
            let values = parts[1].split(separator: ",", omittingEmptySubsequences: false).map {
                Float($0.trimmingCharacters())
            }
            guard values.count == count, values.allSatisfy({ $0?.isFinite == true }) else {
                throw usageError(
                    "--init \(name) takes the form \(form) with finite numbers, got '\(text)'")
            }
            return values.map { $0! }
        }
        switch name {
        case "auto":
            self = .auto
        case "constant":
            self = .initializer(.constant(try numbers(1, "constant:V")[0]), text: text)
        case "uniform":
            let bounds = try numbers(2, "uniform:LOW,HIGH")
            guard bounds[0] < bounds[1] else {
                throw usageError("--init uniform:LOW,HIGH needs LOW < HIGH, got '\(text)'")
            }
            self = .initializer(.uniform(low: bounds[0], high: bounds[1]), text: text)
        case "normal":
            let moments = try numbers(2, "normal:MEAN,STD")
            guard moments[1] >= 0 else {
                throw usageError("--init normal:MEAN,STD needs STD >= 0, got '\(text)'")
            }
            self = .initializer(
                .normal(mean: moments[0], standardDeviation: moments[1]), text: text)
        default:
            guard let entry = Self.named.first(where: { $0.name == name }) else {
                throw usageError(
                    "unknown --init '\(text)'; use auto, zeros, constant:V, uniform:LOW,HIGH, normal:MEAN,STD, "
                        + "glorot-uniform, glorot-normal, he-uniform, he-normal, lecun-uniform, lecun-normal or pytorch"
                )
            }
            self = .initializer(entry.initializer, text: text)
        }
    }

    init?(argument: String) { try? self.init(parsing: argument) }

    /// The command-line form, as given.
    var description: String {
        switch self {
        case .auto: "auto"
        case .initializer(_, let text): text
        }
    }

    /// The chosen initializer, nil for auto.
    var chosen: Initializer? {
        switch self {
        case .auto: nil
        case .initializer(let initializer, _): initializer
        }
    }
}
