import Descent
import Testing

/// A reducer with the rate it acts on, as `ReduceLROnPlateau` pairs it with the optimizer's.
@dynamicMemberLookup
private struct Rated {
    var reducer: PlateauReducer
    var learningRate: Double

    init(_ learningRate: Double, _ reducer: PlateauReducer) {
        self.reducer = reducer
        self.learningRate = learningRate
    }

    @discardableResult
    mutating func observe(_ metric: Double) -> Double {
        learningRate = reducer.observe(metric, learningRate: learningRate)
        return learningRate
    }

    func isImprovement(_ metric: Double) -> Bool { reducer.isImprovement(metric) }

    subscript<T>(dynamicMember path: KeyPath<PlateauReducer, T>) -> T { reducer[keyPath: path] }
}

/// Feeds `metrics` to `reducer` in order and returns the learning rate after each observation.
private func observe(_ reducer: inout Rated, _ metrics: [Double]) -> [Double] {
    metrics.map { reducer.observe($0) }
}

/// Agreement to a few ulp (`1 * 0.1 * 0.1` is not the literal `0.01`).
private func expectRates(
    _ actual: [Double], _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation
) {
    let accepted =
        actual.count == expected.count
        && zip(actual, expected).allSatisfy { $0 == $1 || abs($0 - $1) <= 1e-12 * abs($1) }
    #expect(accepted, "rates \(actual), expected \(expected)", sourceLocation: sourceLocation)
}

/// One constructor call that must be rejected.
struct InvalidReducer: Sendable, CustomTestStringConvertible {
    let name: String
    let mentions: String
    let make: @Sendable () throws -> PlateauReducer

    var testDescription: String { name }

    static let all: [InvalidReducer] = [
        .init(name: "factor 0", mentions: "factor") { try PlateauReducer(factor: 0) },
        .init(name: "factor 1", mentions: "factor") { try PlateauReducer(factor: 1) },
        .init(name: "factor above 1", mentions: "factor") { try PlateauReducer(factor: 2) },
        .init(name: "factor negative", mentions: "factor") { try PlateauReducer(factor: -0.5) },
        .init(name: "factor NaN", mentions: "factor") { try PlateauReducer(factor: .nan) },
        .init(name: "negative patience", mentions: "patience") { try PlateauReducer(patience: -1) },
        .init(name: "negative threshold", mentions: "threshold") {
            try PlateauReducer(threshold: -1e-4)
        },
        .init(name: "NaN threshold", mentions: "threshold") { try PlateauReducer(threshold: .nan) },
        .init(name: "negative cooldown", mentions: "cooldown") { try PlateauReducer(cooldown: -2) },
        .init(name: "negative minimum", mentions: "minimum learning rate") {
            try PlateauReducer(minimumLearningRate: -1e-6)
        },
        .init(name: "negative epsilon", mentions: "epsilon") { try PlateauReducer(epsilon: -1) },
        .init(name: "infinite epsilon", mentions: "epsilon") {
            try PlateauReducer(epsilon: .infinity)
        },
    ]
}

struct PlateauReducerTests {
    @Test func defaultsArePyTorchs() throws {
        let reducer = try Rated(0.1, PlateauReducer())
        #expect(reducer.mode == .min)
        #expect(reducer.factor == 0.1)
        #expect(reducer.patience == 10)
        #expect(reducer.threshold == 1e-4)
        #expect(reducer.thresholdMode == .relative)
        #expect(reducer.cooldown == 0)
        #expect(reducer.minimumLearningRate == 0)
        #expect(reducer.epsilon == 1e-8)
        #expect(reducer.learningRate == 0.1)
        #expect(reducer.best == .infinity)
        #expect(reducer.badEpochs == 0 && reducer.cooldownRemaining == 0)
        #expect(try PlateauReducer(mode: .max).best == -.infinity)
    }

    /// Patience 2: two bad observations are tolerated, the third in a row reduces; the count then
    /// starts again, so three more reduce again.
    @Test func reducesOnThePatiencePlusFirstBadObservation() throws {
        var reducer = try Rated(1, PlateauReducer(patience: 2))
        var badEpochs: [Int] = []
        var rates: [Double] = []
        for metric in [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95] {
            rates.append(reducer.observe(metric))
            badEpochs.append(reducer.badEpochs)
        }
        expectRates(rates, [1, 1, 1, 1, 0.1, 0.1, 0.1, 0.01])
        #expect(badEpochs == [0, 0, 1, 2, 0, 1, 2, 0])
        #expect(reducer.best == 0.9, "best is kept across reductions")
        #expect(reducer.learningRate == rates.last)
    }

    @Test func defaultPatienceToleratesTenBadObservations() throws {
        var reducer = try Rated(1, PlateauReducer())
        let rates = observe(&reducer, Array(repeating: 2.0, count: 13))
        expectRates(rates, Array(repeating: 1, count: 11) + [0.1, 0.1])
    }

    @Test func anImprovementRestartsTheCount() throws {
        var reducer = try Rated(1, PlateauReducer(patience: 2))
        let rates = observe(&reducer, [1, 1, 1, 0.5, 1, 1, 1])
        expectRates(rates, [1, 1, 1, 1, 1, 1, 0.1])
    }

    /// The default relative threshold 1e-4: an improvement must beat `best * 0.9999`.
    @Test func defaultThresholdIgnoresTinyImprovements() throws {
        var tiny = try Rated(1, PlateauReducer(patience: 1))
        expectRates(observe(&tiny, [1.0, 0.99995, 0.99991]), [1, 1, 0.1])
        #expect(tiny.best == 1.0)

        var real = try Rated(1, PlateauReducer(patience: 1))
        expectRates(observe(&real, [1.0, 0.9998, 0.9996]), [1, 1, 1])
        #expect(real.best == 0.9996)
    }

    @Test func relativeAndAbsoluteThresholdsDiffer() throws {
        // best 10, threshold 0.1: relative needs < 9, absolute needs < 9.9.
        var relative = try Rated(
            1, PlateauReducer(patience: 0, threshold: 0.1, thresholdMode: .relative))
        var absolute = try Rated(
            1, PlateauReducer(patience: 0, threshold: 0.1, thresholdMode: .absolute))
        expectRates(observe(&relative, [10, 9.5]), [1, 0.1])
        expectRates(observe(&absolute, [10, 9.5]), [1, 1])
        #expect(relative.best == 10)
        #expect(absolute.best == 9.5)
    }

    /// The margin itself is not an improvement: the comparison is strict.
    @Test func improvementMustBeatTheMarginStrictly() throws {
        var relative = try Rated(1, PlateauReducer(threshold: 0.25, thresholdMode: .relative))
        relative.observe(8)
        #expect(!relative.isImprovement(6), "8 * (1 - 0.25) = 6")
        #expect(relative.isImprovement(5.999))

        var absolute = try Rated(1, PlateauReducer(threshold: 0.5, thresholdMode: .absolute))
        absolute.observe(8)
        #expect(!absolute.isImprovement(7.5), "8 - 0.5 = 7.5")
        #expect(absolute.isImprovement(7.499))

        var maxAbsolute = try Rated(
            1, PlateauReducer(mode: .max, threshold: 0.5, thresholdMode: .absolute))
        maxAbsolute.observe(8)
        #expect(!maxAbsolute.isImprovement(8.5))
        #expect(maxAbsolute.isImprovement(8.501))
    }

    @Test func maxModeWatchesARisingMetric() throws {
        var reducer = try Rated(0.1, PlateauReducer(mode: .max, factor: 0.5, patience: 1))
        let rates = observe(&reducer, [0.5, 0.6, 0.6, 0.6, 0.7, 0.65, 0.69])
        expectRates(rates, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025])
        #expect(reducer.best == 0.7)
        // Relative in max mode: best * (1 + threshold).
        #expect(!reducer.isImprovement(0.7 * (1 + 1e-4)))
        #expect(reducer.isImprovement(0.7001))
    }

    /// Patience 0, cooldown 2: each reduction is followed by two ignored observations, so a flat
    /// metric reduces on observations 2, 5 and 8.
    @Test func cooldownIgnoresObservationsAfterAReduction() throws {
        var reducer = try Rated(1, PlateauReducer(patience: 0, cooldown: 2))
        var cooldowns: [Int] = []
        var rates: [Double] = []
        for _ in 0..<9 {
            rates.append(reducer.observe(1.0))
            cooldowns.append(reducer.cooldownRemaining)
        }
        expectRates(rates, [1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001])
        #expect(cooldowns == [0, 2, 1, 0, 2, 1, 0, 2, 1])
    }

    @Test func cooldownWithPatience() throws {
        var reducer = try Rated(1, PlateauReducer(patience: 1, cooldown: 1))
        expectRates(observe(&reducer, [1, 2, 2, 2, 2, 2, 2]), [1, 1, 0.1, 0.1, 0.1, 0.01, 0.01])
    }

    @Test func improvementsDuringCooldownStillUpdateBest() throws {
        var reducer = try Rated(1, PlateauReducer(patience: 0, cooldown: 3))
        expectRates(observe(&reducer, [1, 1, 0.5, 0.7, 0.7, 0.7]), [1, 0.1, 0.1, 0.1, 0.1, 0.01])
        #expect(reducer.best == 0.5)
    }

    @Test func minimumLearningRateIsAFloor() throws {
        var reducer = try Rated(1, PlateauReducer(patience: 0, minimumLearningRate: 0.05))
        expectRates(observe(&reducer, [1, 1, 1, 1, 1]), [1, 0.1, 0.05, 0.05, 0.05])
    }

    /// A reduction by `epsilon` (1e-8) or less is skipped, but still resets the count and starts
    /// the cooldown, as in PyTorch.
    @Test func reductionsSmallerThanEpsilonAreIgnored() throws {
        var tiny = try Rated(1e-8, PlateauReducer(factor: 0.5, patience: 0, cooldown: 1))
        #expect(observe(&tiny, [1, 1]) == [1e-8, 1e-8])
        #expect(tiny.cooldownRemaining == 1 && tiny.badEpochs == 0)

        // 2e-8 - 1e-8 is exactly epsilon: not more than it, so not applied.
        var atEpsilon = try Rated(2e-8, PlateauReducer(factor: 0.5, patience: 0))
        #expect(observe(&atEpsilon, [1, 1]) == [2e-8, 2e-8])

        var noEpsilon = try Rated(1e-8, PlateauReducer(factor: 0.5, patience: 0, epsilon: 0))
        #expect(observe(&noEpsilon, [1, 1, 1]) == [1e-8, 5e-9, 2.5e-9])
    }

    @Test func nanNeverImproves() throws {
        var reducer = try Rated(1, PlateauReducer(patience: 1))
        expectRates(observe(&reducer, [1, .nan, .nan]), [1, 1, 0.1])
        #expect(reducer.best == 1)
    }

    /// PyTorch's relative rule with a negative best: `-1 * (1 - 0.1) = -0.9`, so -0.95 (worse than
    /// -1) counts as an improvement; the absolute rule does not have this quirk.
    @Test func relativeThresholdWithNegativeMetricsFollowsPyTorch() throws {
        var relative = try Rated(1, PlateauReducer(patience: 0, threshold: 0.1))
        expectRates(observe(&relative, [-1, -0.95]), [1, 1])
        #expect(relative.best == -0.95)

        var absolute = try Rated(
            1, PlateauReducer(patience: 0, threshold: 0.1, thresholdMode: .absolute))
        expectRates(observe(&absolute, [-1, -0.95]), [1, 0.1])
    }

    @Test(arguments: InvalidReducer.all)
    func badArgumentsThrowInvalidArgument(_ bad: InvalidReducer) {
        do {
            let reducer = try bad.make()
            Issue.record("\(bad.name): expected an error, got \(reducer)")
        } catch DescentError.invalidArgument(let operation, let reason) {
            #expect(operation == "PlateauReducer")
            #expect(
                reason.contains(bad.mentions), "reason '\(reason)' should mention '\(bad.mentions)'"
            )
        } catch {
            Issue.record("\(bad.name): expected invalidArgument, got \(error)")
        }
    }

    @Test func equalityIncludesTheState() throws {
        var first = try PlateauReducer(patience: 1)
        var second = try PlateauReducer(patience: 1)
        #expect(first == second)
        _ = first.observe(1, learningRate: 1)
        #expect(first != second)
        _ = second.observe(1, learningRate: 1)
        #expect(first == second)
    }

    @Test func descriptionShowsTheState() throws {
        var reducer = try Rated(0.1, PlateauReducer(patience: 3))
        reducer.observe(0.5)
        reducer.observe(0.6)
        let text = reducer.reducer.description
        #expect(text.hasPrefix("PlateauReducer(mode: min, factor: 0.1, patience: 3"))
        #expect(text.contains("thresholdMode: relative"))
        #expect(text.contains("best: 0.5, badEpochs: 1, cooldownRemaining: 0)"))
    }
}
