import DescentCore
import DescentTraining

/// Trains one configuration for the given number of epochs and reports its per-epoch validation
/// metric. The search knows nothing of models or backends: the runner does the training.
public typealias TrialRunner = (_ configuration: TrialConfiguration, _ epochs: Int) throws ->
    TrialResult

/// What a search reports as it goes.
public enum SearchEvent: Sendable {
    /// A stage begins: its space (narrowed, after the first stage of coarse-to-fine) and trial count.
    case stageStarted(stage: Int, space: SearchSpace, trials: Int)
    /// A trial ended; `resumed` when its record came from the results file instead of a run.
    case trialFinished(TrialRecord, resumed: Bool)
}

/// A hyperparameter search: proposes configurations with a strategy, has a runner train each
/// one (training split only; the runner scores the validation split), records every trial, and
/// ranks them.
///
/// Deterministic given its seed and the results of earlier trials, so a rerun proposes the same
/// trials in the same order; with a `SearchResultsFile` a rerun reuses each finished trial (found
/// by `TrialRecord.key`) instead of training it again.
public struct HyperparameterSearch: Sendable {
    public let space: SearchSpace
    public let strategy: SearchStrategy
    public let objective: SearchObjective
    /// Epochs of a full trial (the last rung under successive halving).
    public let epochs: Int
    /// The seed of the random proposals, and of every trial's weights and shuffles (one seed for
    /// all trials, so that they differ only in their hyperparameters).
    public let seed: UInt64
    public let halving: SuccessiveHalving?
    /// No new trial starts once the trials' wall time, resumed ones included, reaches this.
    public let budgetSeconds: Double?
    /// Grid search runs at most this many of its configurations (the first ones), when set.
    public let maximumTrials: Int?

    /// - Throws: `DescentError.invalidArgument` for an invalid strategy, a grid of more than
    ///   `SearchStrategy.maximumTrials` configurations, `epochs < 1` or a budget that is not
    ///   positive.
    public init(
        space: SearchSpace, strategy: SearchStrategy, objective: SearchObjective, epochs: Int,
        seed: UInt64 = 0,
        halving: SuccessiveHalving? = nil, budgetSeconds: Double? = nil, maximumTrials: Int? = nil
    ) throws {
        try strategy.validate()
        guard epochs >= 1 else {
            throw DescentError.invalidArgument(
                operation: "HyperparameterSearch",
                reason: "each trial needs at least 1 epoch, got \(epochs)")
        }
        if let budgetSeconds, !(budgetSeconds > 0) {
            throw DescentError.invalidArgument(
                operation: "HyperparameterSearch",
                reason: "the time budget must be positive, got \(budgetSeconds) s")
        }
        if let maximumTrials, maximumTrials < 1 {
            throw DescentError.invalidArgument(
                operation: "HyperparameterSearch",
                reason: "the trial limit must be at least 1, got \(maximumTrials)")
        }
        if case .grid(let points) = strategy {
            // The grid is planned whole: refuse one too large to plan (with overflow checked).
            var size = 1
            for parameter in space.hyperparameters {
                let axis = parameter.domain.gridSizeBound(count: points)
                let (product, overflow) = size.multipliedReportingOverflow(by: axis)
                size = overflow ? .max : product
            }
            let limit = SearchStrategy.maximumTrials
            guard size <= limit else {
                throw DescentError.invalidArgument(
                    operation: "HyperparameterSearch",
                    reason:
                        "the grid has \(size == .max ? "more than \(Int.max)" : "\(size)") configurations, over the limit of \(limit); "
                        + "use fewer grid points, or a random or coarse-to-fine search")
            }
        }
        self.space = space
        self.strategy = strategy
        self.objective = objective
        self.epochs = epochs
        self.seed = seed
        self.halving = halving
        self.budgetSeconds = budgetSeconds
        self.maximumTrials = maximumTrials
    }

    /// Runs the search to its end, or until the budget is spent or `runner` throws (then the
    /// finished trials are already in `results`, and the error propagates).
    /// - Parameters:
    ///   - results: where finished trials are read from and appended to; nil keeps them in memory.
    ///   - events: called as stages begin and trials end.
    public func run(
        results: SearchResultsFile? = nil, events: (SearchEvent) -> Void = { _ in },
        runner: TrialRunner
    ) throws -> SearchOutcome {
        let stored = Dictionary(
            (results?.records ?? []).map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var outcome = SearchOutcome(objective: objective)
        var stageSpace = space
        for stage in 0..<strategy.stageCount {
            if stage > 0, case .coarseToFine(_, _, let shrink) = strategy {
                let ranked = outcome.ranking.map(\.configuration)
                stageSpace = SearchStrategy.narrowed(
                    stageSpace, around: Array(ranked.prefix(max(1, ranked.count / 4))),
                    shrink: shrink)
            }
            let proposals = proposals(stage: stage, in: stageSpace)
            events(.stageStarted(stage: stage, space: stageSpace, trials: proposals.count))
            outcome.stageSpaces.append(stageSpace)
            var candidates = Array(proposals.indices)
            let rungs = halving?.rungs(epochs: epochs) ?? [epochs]
            for (rung, rungEpochs) in rungs.enumerated() {
                var scored: [(index: Int, score: Double?)] = []
                for index in candidates {
                    let configuration = proposals[index]
                    let key = TrialRecord.key(
                        stage: stage, index: index, configuration: configuration, epochs: rungEpochs
                    )
                    let record: TrialRecord
                    if let previous = stored[key] {
                        record = previous
                        outcome.resumed += 1
                        events(.trialFinished(record, resumed: true))
                    } else {
                        if let budgetSeconds, outcome.spentSeconds >= budgetSeconds {
                            outcome.stoppedByBudget = true
                            return outcome
                        }
                        let result = try runner(configuration, rungEpochs)
                        record = TrialRecord(
                            stage: stage, index: index, configuration: configuration,
                            epochs: rungEpochs, seed: seed, result: result)
                        try results?.append(record)
                        outcome.ran += 1
                        events(.trialFinished(record, resumed: false))
                    }
                    outcome.records.append(record)
                    scored.append((index, record.score(objective)))
                }
                if rung < rungs.count - 1, let halving {
                    candidates = scored.sorted {
                        $0.score == $1.score
                            ? $0.index < $1.index
                            : SearchOutcome.isBetter($0.score, than: $1.score, objective)
                    }
                    .prefix(halving.survivors(of: scored.count)).map(\.index).sorted()
                }
            }
        }
        return outcome
    }

    /// The configurations of `stage`: the grid, or random draws from the stage's space.
    func proposals(stage: Int, in stageSpace: SearchSpace) -> [TrialConfiguration] {
        switch strategy {
        case .grid(let points):
            let all = SearchStrategy.grid(stageSpace, pointsPerAxis: points)
            return maximumTrials.map { Array(all.prefix($0)) } ?? all
        case .random(let trials):
            return SearchStrategy.random(stageSpace, count: trials, seed: seed, stage: stage)
        case .coarseToFine:
            return SearchStrategy.random(
                stageSpace, count: strategy.stageSize(stage), seed: seed, stage: stage)
        }
    }
}

/// The trials of a search and how they rank.
public struct SearchOutcome: Sendable {
    public let objective: SearchObjective
    /// Every trial record in the order the search reached it (each rung of successive halving is
    /// a record of its own).
    public var records: [TrialRecord] = []
    /// The space of each stage that began.
    public var stageSpaces: [SearchSpace] = []
    /// Trials reused from the results file, and trials run now.
    public var resumed = 0
    public var ran = 0
    /// Whether the time budget ended the search before its last trial.
    public var stoppedByBudget = false

    init(objective: SearchObjective) {
        self.objective = objective
    }

    /// The wall time of every trial, resumed ones included.
    public var spentSeconds: Double { records.reduce(0) { $0 + $1.result.wallSeconds } }

    /// One record per configuration (its longest run), those that reached more epochs first,
    /// then by score, best first; trials without a finite score last.
    public var ranking: [TrialRecord] {
        var longest: [String: TrialRecord] = [:]
        for record in records {
            let id = "\(record.stage)/\(record.index)"
            if let known = longest[id], known.epochs >= record.epochs { continue }
            longest[id] = record
        }
        return longest.values.sorted { a, b in
            if a.epochs != b.epochs { return a.epochs > b.epochs }
            let (x, y) = (a.score(objective), b.score(objective))
            if x != y { return Self.isBetter(x, than: y, objective) }
            return (a.stage, a.index) < (b.stage, b.index)
        }
    }

    /// The best configuration, nil when no trial has a finite score.
    public var best: TrialRecord? {
        ranking.first.flatMap { $0.score(objective) == nil ? nil : $0 }
    }

    static func isBetter(_ a: Double?, than b: Double?, _ objective: SearchObjective) -> Bool {
        switch (a, b) {
        case (let a?, let b?): objective.prefers(a, over: b)
        case (.some, nil): true
        default: false
        }
    }
}
