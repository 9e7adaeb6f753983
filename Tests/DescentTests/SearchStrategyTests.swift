import Descent
import DescentCore
import Foundation
import Testing

/// Grid, random and coarse-to-fine proposals, successive halving, and a search that must find a
/// known best learning rate.
@Suite struct SearchStrategyTests {
    let space: SearchSpace

    init() throws {
        space = try SearchSpace(
            parsing:
                "lr=log:1e-4:1,dropout=uniform:0:0.5,hidden=choice:64|128,64,batch-size=intlog:16:256"
        )
    }

    @Test func gridEnumeratesExactlyTheProduct() throws {
        let grid = SearchStrategy.grid(space, pointsPerAxis: 3)
        #expect(grid.count == 3 * 3 * 2 * 3)
        #expect(Set(grid).count == grid.count, "no configuration twice")
        let lrs = Set(grid.map { $0["lr"]!.description })
        #expect(lrs == ["0.0001", "0.01", "1.0"], "log-spaced on a log range")
        #expect(Set(grid.map { $0["batch-size"]! }) == [.integer(16), .integer(64), .integer(256)])
        #expect(Set(grid.map { $0["hidden"]! }) == [.text("64"), .text("128,64")])
        #expect(
            grid[0].description == "lr=0.0001 dropout=0.0 hidden=64 batch-size=16",
            "the first hyperparameter varies slowest")
    }

    @Test func randomIsReproducibleBySeedAndStaysInsideTheSpace() throws {
        let a = SearchStrategy.random(space, count: 20, seed: 7)
        #expect(a == SearchStrategy.random(space, count: 20, seed: 7))
        #expect(a != SearchStrategy.random(space, count: 20, seed: 8))
        #expect(a != SearchStrategy.random(space, count: 20, seed: 7, stage: 1))
        #expect(Set(a).count == 20)
        for configuration in a {
            #expect((1e-4...1).contains(configuration["lr"]!.numeric!))
            #expect((0...0.5).contains(configuration["dropout"]!.numeric!))
            #expect((16...256).contains(configuration["batch-size"]!.numeric!))
        }
        let decades = Dictionary(grouping: SearchStrategy.random(space, count: 400, seed: 1)) {
            Int(-log10($0["lr"]!.numeric!))
        }
        #expect(decades.keys.sorted() == [0, 1, 2, 3], "log-uniform: each decade drawn")
        #expect(
            decades.values.allSatisfy { $0.count > 60 },
            "about 100 draws per decade: \(decades.mapValues(\.count))")
    }

    @Test func coarseToFineStagesNarrowInsideEarlierRangesAroundTheBest() throws {
        let search = try HyperparameterSearch(
            space: space, strategy: .coarseToFine(trials: 24, stages: 3, shrink: 0.3),
            objective: .validationLoss, epochs: 3, seed: 3)
        let runner = QuadraticProblem.Runner()
        let outcome = try search.run(runner: runner.run)
        #expect(outcome.stageSpaces.count == 3)
        #expect(runner.calls.count == 24)
        for stage in 1..<3 {
            let (earlier, later) = (outcome.stageSpaces[stage - 1], outcome.stageSpaces[stage])
            let bestBefore = outcome.records.filter { $0.stage < stage }.min {
                $0.score(.validationLoss)! < $1.score(.validationLoss)!
            }!
            for (old, new) in zip(earlier.hyperparameters, later.hyperparameters) {
                if let (low, high) = new.domain.bounds, let (oldLow, oldHigh) = old.domain.bounds {
                    #expect(
                        oldLow <= low && high <= oldHigh,
                        "\(new.name): \(new.domain) inside \(old.domain)")
                    let value = bestBefore.configuration[new.name]!.numeric!
                    #expect(
                        low <= value * (1 + 1e-9) && value <= high * (1 + 1e-9),
                        "\(new.name): \(new.domain) around the best \(value)")
                }
                #expect(new.domain.isLogarithmic == old.domain.isLogarithmic)
            }
            let (lrLow, lrHigh) = later["lr"]!.domain.bounds!,
                (oldLow, oldHigh) = earlier["lr"]!.domain.bounds!
            #expect(
                abs(log(lrHigh / lrLow) - 0.3 * log(oldHigh / oldLow)) < 1e-4,
                "shrunk on the log scale")
            for record in outcome.records where record.stage == stage {
                let lr = record.configuration["lr"]!.numeric!
                #expect(lrLow <= lr && lr <= lrHigh)
            }
        }
    }

    @Test func coarseToFineWithTwentyTrialsComesWithinTenPercentOfADenseGrid() throws {
        let lrOnly = try SearchSpace(parsing: "lr=log:1e-4:1")
        let dense = try HyperparameterSearch(
            space: lrOnly, strategy: .grid(pointsPerAxis: 400), objective: .validationLoss,
            epochs: 3
        )
        .run(runner: QuadraticProblem.Runner().run)
        let gridBest = try #require(dense.best?.score(.validationLoss))
        let runner = QuadraticProblem.Runner()
        let coarseToFine = try HyperparameterSearch(
            space: lrOnly, strategy: .coarseToFine(trials: 20, stages: 3, shrink: 0.35),
            objective: .validationLoss, epochs: 3, seed: 11
        )
        .run(runner: runner.run)
        #expect(runner.calls.count == 20)
        let found = try #require(coarseToFine.best?.score(.validationLoss))
        #expect(
            found <= gridBest * 1.1, "coarse-to-fine \(found) vs the 400-point grid's \(gridBest)")
        let random = try HyperparameterSearch(
            space: lrOnly, strategy: .random(trials: 20), objective: .validationLoss, epochs: 3,
            seed: 11
        )
        .run(runner: QuadraticProblem.Runner().run)
        #expect(
            found <= random.best!.score(.validationLoss)!,
            "the fine stages improve on the same budget of pure random trials")
    }

    @Test func successiveHalvingKeepsTheTopThirdAtEachRung() throws {
        let halving = try SuccessiveHalving(eta: 3)
        #expect(halving.rungs(epochs: 9) == [1, 3, 9])
        #expect(halving.rungs(epochs: 2) == [2])
        #expect(try SuccessiveHalving(eta: 2, minimumEpochs: 2).rungs(epochs: 8) == [2, 4, 8])
        let runner = QuadraticProblem.Runner()
        let outcome = try HyperparameterSearch(
            space: try SearchSpace(parsing: "lr=log:1e-4:1"), strategy: .random(trials: 9),
            objective: .validationLoss,
            epochs: 9, seed: 5, halving: halving
        ).run(runner: runner.run)
        #expect(runner.calls.map(\.1) == [Int](repeating: 1, count: 9) + [3, 3, 3, 9])
        #expect(runner.calls.map(\.1).reduce(0, +) == 27, "27 epochs instead of 81")
        let firstRung = outcome.records.filter { $0.epochs == 1 }.sorted {
            $0.score(.validationLoss)! < $1.score(.validationLoss)!
        }
        #expect(
            Set(outcome.records.filter { $0.epochs == 3 }.map(\.index))
                == Set(firstRung.prefix(3).map(\.index)))
        #expect(
            outcome.ranking.count == 9 && outcome.ranking[0].epochs == 9,
            "the trial that ran longest ranks first")
    }

    @Test func invalidStrategiesAndBudgetsAreRefused() throws {
        let lrOnly = try SearchSpace(parsing: "lr=log:1e-4:1")
        for strategy in [
            SearchStrategy.grid(pointsPerAxis: 0), .random(trials: 0),
            .coarseToFine(trials: 2, stages: 3, shrink: 0.5),
            .coarseToFine(trials: 6, stages: 3, shrink: 1.5),
        ] {
            #expect(throws: DescentError.self) {
                _ = try HyperparameterSearch(
                    space: lrOnly, strategy: strategy, objective: .validationLoss, epochs: 1)
            }
        }
        #expect(throws: DescentError.self) { _ = try SuccessiveHalving(eta: 1) }
        #expect(throws: DescentError.self) {
            _ = try HyperparameterSearch(
                space: lrOnly, strategy: .random(trials: 2), objective: .validationLoss, epochs: 1,
                budgetSeconds: 0)
        }
    }

    @Test func aTimeBudgetStopsBeforeTheNextTrial() throws {
        let runner = QuadraticProblem.Runner()
        let outcome = try HyperparameterSearch(
            space: try SearchSpace(parsing: "lr=log:1e-4:1"), strategy: .random(trials: 10),
            objective: .validationLoss,
            epochs: 1, budgetSeconds: 0.035
        ).run(runner: runner.run)
        #expect(
            runner.calls.count == 4, "0.01 s a trial: the 5th would start after 0.04 s > 0.035 s")
        #expect(outcome.stoppedByBudget)
    }
}
