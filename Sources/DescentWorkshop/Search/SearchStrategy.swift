import DescentCore
import DescentTraining

/// How a search proposes configurations.
///
/// The lecture's advice [1]: prefer random search to grid search (with few hyperparameters that
/// matter, a grid spends most trials repeating the same few values of each one, where random
/// trials each try a new value [2]), search on log scales, and stage the search from coarse to
/// fine.
///
/// [1]: Stanford CS231n, "Neural Networks Part 3: Learning and Evaluation", hyperparameter optimization.
/// [2]: Bergstra & Bengio, "Random Search for Hyper-Parameter Optimization", JMLR 13, 2012.
public enum SearchStrategy: Sendable, Equatable, CustomStringConvertible {
    /// Every combination of `pointsPerAxis` values per numeric range (log-spaced on log ranges)
    /// and every value of each choice.
    case grid(pointsPerAxis: Int)
    /// `trials` configurations drawn independently from the space.
    case random(trials: Int)
    /// A random coarse stage, then `stages - 1` random stages, each over a space whose numeric
    /// ranges are `shrink` times as wide as the last stage's (on the log scale for log ranges),
    /// centred on the best trial so far and inside the last stage's ranges, and whose choices are
    /// those of the best quarter of the trials so far. `trials` is shared out over the stages.
    case coarseToFine(trials: Int, stages: Int, shrink: Double)

    public var description: String {
        switch self {
        case .grid(let points): "grid (\(points) points per numeric axis)"
        case .random(let trials): "random (\(trials) trials)"
        case .coarseToFine(let trials, let stages, let shrink):
            "coarse-to-fine (\(trials) trials in \(stages) stages, shrink \(shrink))"
        }
    }

    /// The most trials a search plans (and the most grid points on one axis): far beyond what a
    /// search runs in practice, and small enough that planning them takes no noticeable memory.
    public static let maximumTrials = 100_000

    /// - Throws: `DescentError.invalidArgument` for counts below 1 or above `maximumTrials`, or a
    ///   shrink outside (0, 1).
    public func validate() throws {
        func fail(_ reason: String) -> DescentError {
            .invalidArgument(operation: "SearchStrategy", reason: reason)
        }
        let limit = Self.maximumTrials
        switch self {
        case .grid(let points):
            guard points >= 1 else {
                throw fail("a grid needs at least 1 point per axis, got \(points)")
            }
            guard points <= limit else {
                throw fail("a grid takes at most \(limit) points per axis, got \(points)")
            }
        case .random(let trials):
            guard trials >= 1 else {
                throw fail("a random search needs at least 1 trial, got \(trials)")
            }
            guard trials <= limit else {
                throw fail("a search plans at most \(limit) trials, got \(trials)")
            }
        case .coarseToFine(let trials, let stages, let shrink):
            guard trials <= limit else {
                throw fail("a search plans at most \(limit) trials, got \(trials)")
            }
            guard stages >= 1 else {
                throw fail("coarse-to-fine needs at least 1 stage, got \(stages)")
            }
            guard trials >= stages else {
                throw fail(
                    "coarse-to-fine needs at least one trial per stage: \(trials) trials for \(stages) stages"
                )
            }
            guard shrink > 0 && shrink < 1 else {
                throw fail("the shrink factor must be in (0, 1), got \(shrink)")
            }
        }
    }

    /// How many stages the strategy runs.
    public var stageCount: Int {
        if case .coarseToFine(_, let stages, _) = self { return stages }
        return 1
    }

    /// Trials per stage: an even share, the remainder going to the coarse stage.
    func stageSize(_ stage: Int) -> Int {
        guard case .coarseToFine(let trials, let stages, _) = self else { return 0 }
        return trials / stages + (stage == 0 ? trials % stages : 0)
    }

    /// The exact product of every hyperparameter's grid values, the first hyperparameter varying
    /// slowest.
    public static func grid(_ space: SearchSpace, pointsPerAxis: Int) -> [TrialConfiguration] {
        var combinations: [[(String, HyperparameterValue)]] = [[]]
        for parameter in space.hyperparameters {
            let values = parameter.domain.gridValues(count: pointsPerAxis)
            combinations = combinations.flatMap { prefix in
                values.map { prefix + [(parameter.name, $0)] }
            }
        }
        return combinations.map(TrialConfiguration.init)
    }

    /// `count` configurations drawn from `space` with the Philox stream of `seed` and `stage`: the
    /// same seed and stage give the same configurations on every machine.
    public static func random(
        _ space: SearchSpace, count: Int, seed: UInt64, stage: Int = 0
    ) -> [TrialConfiguration] {
        var random = DataRandom(
            seed: seed &+ UInt64(stage) &* 0x9E37_79B9_7F4A_7C15, stream: .search)
        return (0..<count).map { _ in
            TrialConfiguration(
                space.hyperparameters.map { ($0.name, $0.domain.value(at: random.unitDouble())) })
        }
    }

    /// `space` narrowed around `best` (the best configurations first): each numeric range becomes
    /// `shrink` times as wide in position (log scale for log ranges), centred on `best[0]`'s value
    /// and moved to lie inside the old range; each choice keeps the values `best` uses.
    public static func narrowed(
        _ space: SearchSpace, around best: [TrialConfiguration], shrink: Double
    ) -> SearchSpace {
        guard let top = best.first else { return space }
        var domains: [String: HyperparameterDomain] = [:]
        for parameter in space.hyperparameters {
            let domain = parameter.domain
            if case .choice(let values) = domain {
                let kept = values.filter { value in
                    best.contains { $0[parameter.name] == .text(value) }
                }
                if !kept.isEmpty { domains[parameter.name] = .choice(kept) }
                continue
            }
            guard let value = top[parameter.name], let centre = domain.position(of: value) else {
                continue
            }
            let width = min(max(shrink, 0), 1)
            let low = min(max(centre - width / 2, 0), 1 - width)
            domains[parameter.name] = domain.subrange(from: low, to: low + width)
        }
        return space.replacing(domains)
    }
}

/// Successive halving [1]: every configuration of a stage first trains for a few epochs; only the
/// best `1/eta` of them go on to `eta` times as many, and so on up to the full budget, so a
/// fixed budget buys more trials (a poor learning rate shows within an epoch or two).
///
/// Each rung retrains its configurations from scratch with the larger budget: simplest, and
/// identical to what a single run of that many epochs would give (same seed), at the cost of
/// repeating the earlier epochs.
///
/// [1]: Jamieson & Talwalkar, "Non-stochastic Best Arm Identification and Hyperparameter
///      Optimization", AISTATS 2016; Li et al., "Hyperband", JMLR 18, 2018.
public struct SuccessiveHalving: Sendable, Equatable {
    /// The factor by which each rung cuts the survivors and multiplies the epochs.
    public let eta: Int
    /// The epochs of the first rung, at least.
    public let minimumEpochs: Int

    /// - Throws: `DescentError.invalidArgument` for `eta < 2` or `minimumEpochs < 1`.
    public init(eta: Int, minimumEpochs: Int = 1) throws {
        guard eta >= 2 else {
            throw DescentError.invalidArgument(
                operation: "SuccessiveHalving",
                reason: "eta must be 2 or more (keep the top 1/eta), got \(eta)")
        }
        guard minimumEpochs >= 1 else {
            throw DescentError.invalidArgument(
                operation: "SuccessiveHalving",
                reason: "the first rung needs at least 1 epoch, got \(minimumEpochs)")
        }
        self.eta = eta
        self.minimumEpochs = minimumEpochs
    }

    /// The epochs of each rung, ending at `epochs`: `epochs / eta^k` for as long as that stays
    /// at or above `minimumEpochs`.
    public func rungs(epochs: Int) -> [Int] {
        var rungs = [epochs]
        while rungs[0] / eta >= minimumEpochs, rungs[0] / eta < rungs[0] {
            rungs.insert(rungs[0] / eta, at: 0)
        }
        return rungs
    }

    /// How many of `count` configurations go on to the next rung.
    public func survivors(of count: Int) -> Int { max(1, count / eta) }
}
