import ArgumentParser
import Descent

/// `--schedule`: how the learning rate changes, counted in epochs and applied to `--lr`.
enum ScheduleChoice: ExpressibleByArgument, CustomStringConvertible, Equatable {
    /// The rate stays `--lr`.
    case constant
    /// Cosine annealing to 0 over the run after `warmupEpochs` of linear warm-up.
    case cosine(warmupEpochs: Double)
    /// The rate times `gamma` every `everyEpochs` epochs.
    case step(everyEpochs: Double, gamma: Double)
    /// The rate times `gamma` each epoch.
    case exponential(gamma: Double)
    /// The rate times `factor` when the validation loss has not improved for `patience` epochs.
    case plateau(factor: Double, patience: Int)

    /// The forms `--help` lists.
    static let forms =
        "constant, cosine[:WARMUP], step:EVERY,GAMMA, exponential:GAMMA or plateau:FACTOR,PATIENCE"

    /// The schedule `text` names, its numbers checked for their form.
    /// - Throws: a usage error naming what is wrong.
    init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let name = parts.first.map(String.init) ?? ""
        let arguments =
            parts.count > 1
            ? try parts[1].split(separator: ",", omittingEmptySubsequences: false).map {
                word -> Double in
                guard let value = Double(word.trimmingCharacters()), value.isFinite else {
                    throw usageError("--schedule \(text): '\(word)' is not a number")
                }
                return value
            } : []
        func require(_ count: ClosedRange<Int>, _ form: String) throws {
            guard count.contains(arguments.count) else {
                throw usageError("--schedule \(name) takes the form \(form), got '\(text)'")
            }
        }
        switch name {
        case "constant":
            try require(0...0, "constant")
            self = .constant
        case "cosine":
            try require(0...1, "cosine or cosine:WARMUP_EPOCHS")
            guard arguments.first ?? 0 >= 0 else {
                throw usageError("--schedule \(text): the warm-up must be 0 or more epochs")
            }
            self = .cosine(warmupEpochs: arguments.first ?? 0)
        case "step":
            try require(2...2, "step:EVERY_EPOCHS,GAMMA")
            guard arguments[0] > 0 else {
                throw usageError("--schedule \(text): EVERY must be a positive number of epochs")
            }
            self = .step(everyEpochs: arguments[0], gamma: arguments[1])
        case "exponential":
            try require(1...1, "exponential:GAMMA")
            self = .exponential(gamma: arguments[0])
        case "plateau":
            try require(2...2, "plateau:FACTOR,PATIENCE")
            guard arguments[1] >= 0, arguments[1] <= 1e6, arguments[1] == arguments[1].rounded()
            else {
                throw usageError(
                    "--schedule \(text): PATIENCE must be a whole number of epochs in 0...1000000")
            }
            self = .plateau(factor: arguments[0], patience: Int(arguments[1]))
        default:
            throw usageError("unknown schedule '\(text)'; use \(Self.forms)")
        }
    }

    init?(argument: String) { try? self.init(parsing: argument) }

    /// The command-line form (`step:1.5,0.5`), which parses back to the same schedule.
    var description: String {
        func number(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
        }
        return switch self {
        case .constant: "constant"
        case .cosine(let warmup): warmup == 0 ? "cosine" : "cosine:\(number(warmup))"
        case .step(let every, let gamma): "step:\(number(every)),\(number(gamma))"
        case .exponential(let gamma): "exponential:\(number(gamma))"
        case .plateau(let factor, let patience): "plateau:\(number(factor)),\(patience)"
        }
    }

    /// The per-step schedule (its lengths in epochs) for a run of `epochs` epochs, and the
    /// callbacks that adjust the rate between epochs; both act on the optimizer's one rate.
    /// - Throws: a usage error when the warm-up is not shorter than the run, or the library's
    ///   error for a factor it refuses.
    func make(
        epochs: Int
    ) throws -> (schedule: (any LearningRateSchedule)?, callbacks: [any Callback]) {
        switch self {
        case .constant:
            return (nil, [])
        case .cosine(let warmup):
            guard warmup < Double(epochs) else {
                throw usageError(
                    "--schedule \(self): the warm-up must be 0 or more epochs and shorter than --epochs (\(epochs))"
                )
            }
            return (
                try CosineAnnealing(duration: .epochs(Double(epochs)), warmup: .epochs(warmup)), []
            )
        case .step(let every, let gamma):
            return (try StepDecay(every: .epochs(every), gamma: gamma), [])
        case .exponential(let gamma):
            return (try ExponentialDecay(every: .epochs(1), decayRate: gamma), [])
        case .plateau(let factor, let patience):
            return (
                nil,
                [ReduceLROnPlateau(reducer: try PlateauReducer(factor: factor, patience: patience))]
            )
        }
    }
}
