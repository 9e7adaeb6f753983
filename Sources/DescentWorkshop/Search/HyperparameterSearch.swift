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
    ///
    /// With a `communicator` of several ranks (`mpirun -np K descent search`), every rank runs
    /// this with the same arguments and the trials go out in rounds of K: the i-th trial of a
    /// rung still to run trains on rank i mod K, the round's records are gathered on every rank,
    /// and rank 0 appends them to `results`. Every rank thus sees the same records in the same
    /// order, and the budget, the halving rungs and the coarse-to-fine stages decide alike on
    /// each.
    /// - Parameters:
    ///   - results: where finished trials are read from and appended to; nil keeps them in
    ///     memory. Given on rank 0 only in a distributed search (it shares the stored records).
    ///   - events: called as stages begin and trials end.
    public func run(
        results: SearchResultsFile? = nil, events: (SearchEvent) -> Void = { _ in },
        communicator: any Communicator = SingleProcessCommunicator(),
        runner: TrialRunner
    ) throws -> SearchOutcome {
        let stored = Dictionary(
            try sharedRecords(results?.records ?? [], communicator: communicator).map {
                ($0.key, $0)
            }, uniquingKeysWith: { first, _ in first })
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
                var pending: [Int] = []
                for index in candidates {
                    let key = TrialRecord.key(
                        stage: stage, index: index, configuration: proposals[index],
                        epochs: rungEpochs)
                    if let record = stored[key] {
                        outcome.resumed += 1
                        events(.trialFinished(record, resumed: true))
                        outcome.records.append(record)
                        scored.append((index, record.score(objective)))
                    } else {
                        pending.append(index)
                    }
                }
                // Rounds of one trial per rank (one trial at a time in one process).
                for round in stride(from: 0, to: pending.count, by: communicator.size) {
                    if let budgetSeconds, outcome.spentSeconds >= budgetSeconds {
                        outcome.stoppedByBudget = true
                        return outcome
                    }
                    let mine = round + communicator.rank
                    let record = try (mine < pending.count ? pending[mine] : nil).map { index in
                        TrialRecord(
                            stage: stage, index: index, configuration: proposals[index],
                            epochs: rungEpochs, seed: seed,
                            result: try runner(proposals[index], rungEpochs))
                    }
                    for record in try gathered(record, communicator: communicator) {
                        try results?.append(record)
                        outcome.ran += 1
                        events(.trialFinished(record, resumed: false))
                        outcome.records.append(record)
                        scored.append((record.index, record.score(objective)))
                    }
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

    /// Rank 0's stored records on every rank.
    private func sharedRecords(
        _ records: [TrialRecord], communicator: any Communicator
    ) throws
        -> [TrialRecord]
    {
        guard communicator.isDistributed else { return records }
        let lines = try communicator.broadcast(
            Array(try records.map { try JSON.text($0) }.joined(separator: "\n").utf8))
        return try decoded(String(decoding: lines, as: UTF8.self))
    }

    /// Each rank's record of a round (nil from a rank that had no trial), on every rank in rank
    /// order.
    private func gathered(
        _ record: TrialRecord?, communicator: any Communicator
    ) throws
        -> [TrialRecord]
    {
        guard communicator.isDistributed else { return record.map { [$0] } ?? [] }
        return try communicator.allgather(try record.map { try JSON.text($0) } ?? "").flatMap {
            try decoded($0)
        }
    }

    /// The records of JSON lines, their configurations in the space's kinds (as the results
    /// file reads them back).
    private func decoded(_ lines: String) throws -> [TrialRecord] {
        try lines.split(separator: "\n").map { line in
            var record = try JSON.decode(TrialRecord.self, from: String(line))
            guard let configuration = record.configuration.conformed(to: space) else {
                throw DescentError.invalidArgument(
                    operation: "HyperparameterSearch",
                    reason: "a rank sent a trial outside the space: \(line.prefix(200))")
            }
            record.configuration = configuration
            return record
        }
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
