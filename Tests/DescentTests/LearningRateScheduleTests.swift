#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Descent
import Testing

/// Agreement to a few ulp: the schedules and these tests evaluate the same published formula,
/// sometimes in a different order.
private func expectNear(
    _ actual: Double, _ expected: Double, _ what: @autoclosure () -> String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let accepted = actual == expected || abs(actual - expected) <= 1e-15 + 1e-12 * abs(expected)
    #expect(accepted, "\(what()): \(actual), expected \(expected)", sourceLocation: sourceLocation)
}

extension LearningRateSchedule {
    /// The rate at `step` for `base`, lengths in steps (or 10 steps per epoch).
    func rate(_ step: Int, base: Double = 1, stepsPerEpoch: Int = 10) -> Double {
        learningRate(at: step, base: base, stepsPerEpoch: stepsPerEpoch)
    }
}

/// Checks `schedule` against `formula` at every step of `steps`.
private func expectFollows(
    _ schedule: some LearningRateSchedule, _ steps: ClosedRange<Int>, base: Double,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ formula: (Int) -> Double
) {
    for step in steps {
        expectNear(
            schedule.rate(step, base: base), formula(step), "\(schedule) at step \(step)",
            sourceLocation: sourceLocation)
    }
}

/// One constructor call that must be rejected.
struct InvalidSchedule: Sendable, CustomTestStringConvertible {
    let name: String
    let operation: String
    /// A word the reason must contain, so that the message names the bad value.
    let mentions: String
    let make: @Sendable () throws -> any LearningRateSchedule

    var testDescription: String { name }

    static let all: [InvalidSchedule] = [
        .init(name: "step every 0", operation: "StepDecay", mentions: "every") {
            try StepDecay(every: .steps(0))
        },
        .init(name: "step every negative", operation: "StepDecay", mentions: "every") {
            try StepDecay(every: .steps(-3))
        },
        .init(name: "step every NaN epochs", operation: "StepDecay", mentions: "every") {
            try StepDecay(every: .epochs(.nan))
        },
        .init(name: "step gamma 0", operation: "StepDecay", mentions: "gamma") {
            try StepDecay(every: .steps(5), gamma: 0)
        },
        .init(name: "step gamma negative", operation: "StepDecay", mentions: "gamma") {
            try StepDecay(every: .steps(5), gamma: -0.5)
        },
        .init(name: "step gamma NaN", operation: "StepDecay", mentions: "gamma") {
            try StepDecay(every: .steps(5), gamma: .nan)
        },
        .init(
            name: "multistep unsorted", operation: "MultiStepDecay", mentions: "strictly increasing"
        ) {
            try MultiStepDecay(milestones: [.steps(80), .steps(30)])
        },
        .init(
            name: "multistep repeated", operation: "MultiStepDecay", mentions: "strictly increasing"
        ) {
            try MultiStepDecay(milestones: [.epochs(3), .epochs(3)])
        },
        .init(name: "multistep at 0", operation: "MultiStepDecay", mentions: "> 0") {
            try MultiStepDecay(milestones: [.steps(0), .steps(30)])
        },
        .init(
            name: "multistep mixed units", operation: "MultiStepDecay",
            mentions: "in steps or all in epochs"
        ) {
            try MultiStepDecay(milestones: [.steps(30), .epochs(80)])
        },
        .init(name: "multistep gamma 0", operation: "MultiStepDecay", mentions: "gamma") {
            try MultiStepDecay(milestones: [.steps(30)], gamma: 0)
        },
        .init(
            name: "exponential decay rate 0", operation: "ExponentialDecay", mentions: "decayRate"
        ) {
            try ExponentialDecay(every: .steps(10), decayRate: 0)
        },
        .init(
            name: "exponential decay rate negative", operation: "ExponentialDecay",
            mentions: "decayRate"
        ) {
            try ExponentialDecay(every: .epochs(1), decayRate: -0.9)
        },
        .init(name: "exponential every 0", operation: "ExponentialDecay", mentions: "every") {
            try ExponentialDecay(every: .steps(0), decayRate: 0.5)
        },
        .init(name: "inverse time every 0", operation: "InverseTimeDecay", mentions: "every") {
            try InverseTimeDecay(every: .epochs(0), decayRate: 0.5)
        },
        .init(
            name: "inverse time decay rate negative", operation: "InverseTimeDecay",
            mentions: "decayRate"
        ) {
            try InverseTimeDecay(every: .steps(1), decayRate: -0.5)
        },
        .init(
            name: "inverse time decay rate NaN", operation: "InverseTimeDecay",
            mentions: "decayRate"
        ) {
            try InverseTimeDecay(every: .steps(1), decayRate: .nan)
        },
        .init(
            name: "polynomial duration negative", operation: "PolynomialDecay", mentions: "duration"
        ) {
            try PolynomialDecay(duration: .steps(-1))
        },
        .init(name: "polynomial power 0", operation: "PolynomialDecay", mentions: "power") {
            try PolynomialDecay(duration: .steps(10), power: 0)
        },
        .init(
            name: "polynomial end negative", operation: "PolynomialDecay", mentions: "endFraction"
        ) {
            try PolynomialDecay(duration: .steps(10), endFraction: -0.01)
        },
        .init(
            name: "piecewise count mismatch", operation: "PiecewiseConstantDecay",
            mentions: "one more element"
        ) {
            try PiecewiseConstantDecay(boundaries: [.steps(10), .steps(20)], fractions: [1, 0.5])
        },
        .init(
            name: "piecewise no fractions", operation: "PiecewiseConstantDecay",
            mentions: "one more element"
        ) {
            try PiecewiseConstantDecay(boundaries: [], fractions: [])
        },
        .init(
            name: "piecewise unsorted", operation: "PiecewiseConstantDecay",
            mentions: "strictly increasing"
        ) {
            try PiecewiseConstantDecay(
                boundaries: [.steps(20), .steps(10)], fractions: [1, 0.5, 0.1])
        },
        .init(
            name: "piecewise negative boundary", operation: "PiecewiseConstantDecay",
            mentions: ">= 0"
        ) {
            try PiecewiseConstantDecay(
                boundaries: [.steps(-1), .steps(10)], fractions: [1, 0.5, 0.1])
        },
        .init(
            name: "piecewise NaN fraction", operation: "PiecewiseConstantDecay",
            mentions: "fractions[1]"
        ) {
            try PiecewiseConstantDecay(
                boundaries: [.steps(10), .steps(20)], fractions: [1, .nan, 0.1])
        },
        .init(
            name: "cosine warm-up past duration", operation: "CosineAnnealing",
            mentions: "not be longer"
        ) {
            try CosineAnnealing(duration: .steps(100), warmup: .steps(101))
        },
        .init(
            name: "cosine warm-up past a huge duration", operation: "CosineAnnealing",
            mentions: "not be longer"
        ) {
            try CosineAnnealing(duration: .epochs(1e13), warmup: .epochs(1e14))
        },
        .init(name: "cosine negative warm-up", operation: "CosineAnnealing", mentions: "warmup") {
            try CosineAnnealing(duration: .steps(100), warmup: .steps(-1))
        },
        .init(name: "cosine duration 0", operation: "CosineAnnealing", mentions: "duration") {
            try CosineAnnealing(duration: .epochs(0))
        },
        .init(
            name: "cosine minimum above the base", operation: "CosineAnnealing",
            mentions: "minimumFraction"
        ) {
            try CosineAnnealing(duration: .steps(100), minimumFraction: 2)
        },
        .init(
            name: "cosine negative warm-up start", operation: "CosineAnnealing",
            mentions: "warmupStartFraction"
        ) {
            try CosineAnnealing(
                duration: .steps(100), warmup: .steps(10), warmupStartFraction: -0.01)
        },
    ]
}

struct LearningRateScheduleTests {
    // MARK: Units

    @Test func durationsTurnEpochsIntoSteps() {
        #expect(TrainingDuration.steps(500).steps(perEpoch: 422) == 500)
        #expect(TrainingDuration.epochs(5).steps(perEpoch: 422) == 2110)
        #expect(TrainingDuration.epochs(0.5).steps(perEpoch: 3) == 2, "rounded to the nearest step")
        #expect(TrainingDuration.epochs(1e300).steps(perEpoch: 100) == 1 << 62, "clamped, no trap")
        #expect(TrainingDuration.epochs(2).isInEpochs && !TrainingDuration.steps(2).isInEpochs)
        for odd in [
            TrainingDuration.epochs(.nan), .epochs(-1e300), .epochs(-.infinity), .steps(-5),
        ] {
            #expect(odd.steps(perEpoch: 10) == 0, "\(odd): no trap, no negative length")
        }
        #expect(TrainingDuration.epochs(.infinity).steps(perEpoch: 10) == 1 << 62)
    }

    /// The CLI's `--schedule step:5,0.5` read as epochs once dropped the rate inside the first
    /// epoch; with units the drop comes after five epochs whatever the batch size.
    @Test func aLengthInEpochsFollowsTheStepsPerEpoch() throws {
        let schedule = try StepDecay(every: .epochs(5), gamma: 0.5)
        #expect(schedule.countsEpochs)
        #expect(schedule.learningRate(at: 2109, base: 0.1, stepsPerEpoch: 422) == 0.1)
        #expect(schedule.learningRate(at: 2110, base: 0.1, stepsPerEpoch: 422) == 0.05)
        #expect(schedule.learningRate(at: 49, base: 0.1, stepsPerEpoch: 10) == 0.1)
        #expect(schedule.learningRate(at: 50, base: 0.1, stepsPerEpoch: 10) == 0.05)
        #expect(!(try StepDecay(every: .steps(5))).countsEpochs)
    }

    /// A schedule owns no rate: it scales with the base it is given.
    @Test(arguments: examples)
    func theRateIsProportionalToTheBase(schedule: AnyLearningRateSchedule) {
        for step in [0, 1, 3, 9, 40] {
            expectNear(
                schedule.rate(step, base: 0.3), 0.3 * schedule.rate(step, base: 1),
                "\(schedule) at \(step)")
        }
    }

    // MARK: Step decay (PyTorch StepLR)

    /// PyTorch's documented example: lr 0.05, step_size 30, gamma 0.1.
    @Test(arguments: [
        (0, 0.05), (29, 0.05), (30, 0.005), (59, 0.005), (60, 0.0005), (89, 0.0005), (90, 0.00005),
    ])
    func stepDecayDropsAtEachMultipleOfStepSize(step: Int, expected: Double) throws {
        let schedule = try StepDecay(every: .steps(30), gamma: 0.1)
        expectNear(schedule.rate(step, base: 0.05), expected, "step \(step)")
    }

    @Test func stepDecayFollowsItsFormula() throws {
        let schedule = try StepDecay(every: .steps(5), gamma: 0.5)
        expectFollows(schedule, 0...200, base: 0.2) { 0.2 * pow(0.5, floor(Double($0) / 5)) }
        #expect(schedule.rate(4, base: 0.2) == 0.2)
        #expect(schedule.rate(5, base: 0.2) == 0.1, "halved exactly at step 5")
        #expect(try StepDecay(every: .steps(1)).gamma == 0.1, "PyTorch's default gamma")
    }

    // MARK: Multi-step decay (PyTorch MultiStepLR)

    /// PyTorch's documented example: lr 0.05, milestones [30, 80], gamma 0.1.
    @Test(arguments: [
        (0, 0.05), (29, 0.05), (30, 0.005), (79, 0.005), (80, 0.0005), (1000, 0.0005),
    ])
    func multiStepDecayDropsAtEachMilestone(step: Int, expected: Double) throws {
        let schedule = try MultiStepDecay(milestones: [.steps(30), .steps(80)], gamma: 0.1)
        expectNear(schedule.rate(step, base: 0.05), expected, "step \(step)")
        let inEpochs = try MultiStepDecay(milestones: [.epochs(3), .epochs(8)], gamma: 0.1)
        expectNear(inEpochs.rate(step, base: 0.05), expected, "step \(step), 10 steps per epoch")
    }

    @Test func multiStepDecayFollowsItsFormula() throws {
        let milestones = [3, 7, 8, 20]
        let schedule = try MultiStepDecay(milestones: milestones.map { .steps($0) }, gamma: 0.7)
        expectFollows(schedule, 0...40, base: 0.3) { step in
            0.3 * pow(0.7, Double(milestones.filter { $0 <= step }.count))
        }
        #expect(try MultiStepDecay(milestones: []).rate(100, base: 0.3) == 0.3)
    }

    // MARK: Exponential decay (PyTorch ExponentialLR, Keras ExponentialDecay)

    @Test func exponentialEveryStepIsPyTorchsExponentialLR() throws {
        let schedule = try ExponentialDecay(every: .steps(1), decayRate: 0.9)
        expectNear(schedule.rate(0, base: 0.1), 0.1)
        expectNear(schedule.rate(1, base: 0.1), 0.09)
        expectNear(schedule.rate(2, base: 0.1), 0.081)
        expectNear(schedule.rate(10, base: 0.1), 0.034867844010000004)
        expectFollows(schedule, 0...300, base: 0.1) { 0.1 * pow(0.9, Double($0)) }
    }

    @Test(arguments: [
        (false, 5, 0.07071067811865475), (false, 10, 0.05), (false, 15, 0.035355339059327376),
        (true, 9, 0.1), (true, 10, 0.05), (true, 19, 0.05), (true, 20, 0.025),
    ])
    func exponentialDecayMatchesKeras(staircase: Bool, step: Int, expected: Double) throws {
        let schedule = try ExponentialDecay(every: .steps(10), decayRate: 0.5, staircase: staircase)
        expectNear(schedule.rate(step, base: 0.1), expected, "step \(step)")
        expectFollows(schedule, 0...100, base: 0.1) { step in
            let p = Double(step) / 10
            return 0.1 * pow(0.5, staircase ? floor(p) : p)
        }
    }

    // MARK: Inverse-time decay (Keras InverseTimeDecay)

    /// Keras's documented example: lr 0.1, decay_steps 1, decay_rate 0.5.
    @Test(arguments: [(0, 0.1), (1, 0.06666666666666667), (2, 0.05), (4, 0.03333333333333333)])
    func inverseTimeDecayMatchesKeras(step: Int, expected: Double) throws {
        let schedule = try InverseTimeDecay(every: .steps(1), decayRate: 0.5)
        expectNear(schedule.rate(step, base: 0.1), expected, "step \(step)")
    }

    @Test func inverseTimeDecayStaircase() throws {
        let schedule = try InverseTimeDecay(every: .steps(10), decayRate: 1, staircase: true)
        #expect(schedule.rate(9, base: 0.1) == 0.1)
        expectNear(schedule.rate(10, base: 0.1), 0.05)
        expectNear(schedule.rate(20, base: 0.1), 0.1 / 3)
        expectFollows(schedule, 0...100, base: 0.1) { 0.1 / (1 + floor(Double($0) / 10)) }
        let smooth = try InverseTimeDecay(every: .steps(10), decayRate: 1)
        expectFollows(smooth, 0...100, base: 0.1) { 0.1 / (1 + Double($0) / 10) }
    }

    // MARK: Polynomial decay (Keras PolynomialDecay)

    @Test func polynomialDecayReachesTheEndRateAndStays() throws {
        // Keras's documented example: from 0.1 to 0.01 over 100 steps with a square root.
        let schedule = try PolynomialDecay(duration: .steps(100), endFraction: 0.1, power: 0.5)
        #expect(schedule.rate(0, base: 0.1) == 0.1)
        expectNear(schedule.rate(75, base: 0.1), 0.055)
        expectNear(schedule.rate(100, base: 0.1), 0.01)
        expectNear(schedule.rate(500, base: 0.1), 0.01)
        expectFollows(schedule, 0...200, base: 0.1) {
            0.09 * pow(1 - Double(min($0, 100)) / 100, 0.5) + 0.01
        }

        let linear = try PolynomialDecay(duration: .steps(4))
        #expect([0, 1, 2, 3, 4, 5].map { linear.rate($0) } == [1, 0.75, 0.5, 0.25, 0, 0])
        #expect(linear.endFraction == 0, "PyTorch's PolynomialLR ends at 0")
    }

    @Test(arguments: [(0, 1.0), (5, 0.5), (10, 0.0), (11, 0.45), (20, 0.0), (21, 0.3), (30, 0.0)])
    func polynomialDecayCycles(step: Int, expected: Double) throws {
        let schedule = try PolynomialDecay(duration: .steps(10), cycle: true)
        expectNear(schedule.rate(step), expected, "step \(step)")
        expectFollows(schedule, 0...100, base: 1) { step in
            let multiplier = step == 0 ? 1 : ceil(Double(step) / 10)
            return 1 - Double(step) / (10 * multiplier)
        }
    }

    // MARK: Piecewise constant (Keras PiecewiseConstantDecay)

    /// Keras's documented example: boundaries [100000, 110000], values [1.0, 0.5, 0.1].
    @Test(arguments: [
        (0, 1.0), (100_000, 1.0), (100_001, 0.5), (110_000, 0.5), (110_001, 0.1), (1_000_000, 0.1),
    ])
    func piecewiseConstantBoundariesBelongToTheIntervalBelow(step: Int, expected: Double) throws {
        let schedule = try PiecewiseConstantDecay(
            boundaries: [.steps(100_000), .steps(110_000)], fractions: [1.0, 0.5, 0.1])
        #expect(schedule.rate(step) == expected)
    }

    @Test func piecewiseConstantFollowsKerasDefinition() throws {
        let boundaries = [0, 4, 9]
        let fractions = [1, 0.75, 0.875, 0.25]
        let schedule = try PiecewiseConstantDecay(
            boundaries: boundaries.map { .steps($0) }, fractions: fractions)
        expectFollows(schedule, 0...20, base: 0.4) { step in
            if step <= boundaries[0] { return 0.4 * fractions[0] }
            if step > boundaries[2] { return 0.4 * fractions[3] }
            return (1...2).first { boundaries[$0 - 1] < step && step <= boundaries[$0] }.map {
                0.4 * fractions[$0]
            }!
        }
        #expect(
            try PiecewiseConstantDecay(boundaries: [], fractions: [1]).rate(50, base: 0.2) == 0.2)
    }

    // MARK: Cosine annealing with warm-up

    @Test(arguments: [
        (0, 0.0), (5, 0.5), (9, 0.9), (10, 1.0), (35, 0.8681980515339464), (60, 0.55),
        (85, 0.23180194846605364),
        (110, 0.1), (111, 0.1), (10_000, 0.1),
    ])
    func cosineWarmsUpThenAnneals(step: Int, expected: Double) throws {
        let schedule = try CosineAnnealing(
            duration: .steps(110), warmup: .steps(10), minimumFraction: 0.1)
        expectNear(schedule.rate(step), expected, "step \(step)")
        let inEpochs = try CosineAnnealing(
            duration: .epochs(11), warmup: .epochs(1), minimumFraction: 0.1)
        expectNear(
            inEpochs.rate(step, stepsPerEpoch: 10), expected, "step \(step) in epochs of 10 steps")
    }

    /// Hugging Face's `get_cosine_schedule_with_warmup` (num_cycles 0.5), written as published.
    @Test func cosineMatchesGetCosineScheduleWithWarmup() throws {
        let (base, warmup, total) = (0.5, 7, 50)
        let schedule = try CosineAnnealing(duration: .steps(total), warmup: .steps(warmup))
        expectFollows(schedule, 0...total, base: base) { step in
            if step < warmup { return base * Double(step) / Double(max(1, warmup)) }
            let progress = Double(step - warmup) / Double(max(1, total - warmup))
            return base * max(0, 0.5 * (1 + cos(Double.pi * 0.5 * 2 * progress)))
        }
    }

    /// PyTorch's `CosineAnnealingLR` closed form, up to `T_max`.
    @Test func cosineWithoutWarmupIsCosineAnnealingLR() throws {
        let schedule = try CosineAnnealing(duration: .steps(20), minimumFraction: 0.01)
        #expect(schedule.rate(0, base: 0.1) == 0.1)
        expectFollows(schedule, 0...20, base: 0.1) {
            0.001 + (0.1 - 0.001) * (1 + cos(Double.pi * Double($0) / 20)) / 2
        }
        expectNear(schedule.rate(21, base: 0.1), 0.001, "holds the minimum after the duration")
    }

    @Test func cosineWarmupFromANonzeroStart() throws {
        let schedule = try CosineAnnealing(
            duration: .steps(30), warmup: .steps(4), warmupStartFraction: 0.2, minimumFraction: 0.05
        )
        #expect(schedule.rate(0) == 0.2)
        expectNear(schedule.rate(1), 0.4)
        expectNear(schedule.rate(3), 0.8)
        #expect(schedule.rate(4) == 1)
        let rates = (4...40).map { schedule.rate($0) }
        #expect(
            zip(rates, rates.dropFirst()).allSatisfy { $0 >= $1 },
            "non-increasing after the warm-up")
    }

    @Test func cosineWithWarmupAsLongAsTheDurationDropsToTheMinimum() throws {
        let schedule = try CosineAnnealing(
            duration: .steps(4), warmup: .steps(4), minimumFraction: 0.01)
        #expect([0, 1, 2, 3, 4, 5].map { schedule.rate($0) } == [0, 0.25, 0.5, 0.75, 0.01, 0.01])
    }

    // MARK: Shared behaviour

    static let examples: [AnyLearningRateSchedule] = try! [
        AnyLearningRateSchedule(StepDecay(every: .steps(3))),
        AnyLearningRateSchedule(StepDecay(every: .epochs(0.5))),
        AnyLearningRateSchedule(MultiStepDecay(milestones: [.steps(2), .steps(5)])),
        AnyLearningRateSchedule(ExponentialDecay(every: .steps(1), decayRate: 0.9)),
        AnyLearningRateSchedule(InverseTimeDecay(every: .steps(2), decayRate: 0.5)),
        AnyLearningRateSchedule(PolynomialDecay(duration: .steps(10), cycle: true)),
        AnyLearningRateSchedule(
            PiecewiseConstantDecay(boundaries: [.steps(2)], fractions: [1, 0.1])),
        AnyLearningRateSchedule(CosineAnnealing(duration: .steps(10), warmup: .steps(2))),
    ]

    @Test(arguments: examples)
    func negativeStepsClampToZero(schedule: AnyLearningRateSchedule) {
        for step in [-1, -7, Int.min] {
            #expect(schedule.rate(step, base: 0.1) == schedule.rate(0, base: 0.1))
        }
    }

    @Test(arguments: examples)
    func ratesAreFiniteAndNonNegative(schedule: AnyLearningRateSchedule) {
        for step in [0, 1, 2, 3, 9, 10, 11, 1_000, 1 << 40, Int.max] {
            let rate = schedule.rate(step, base: 0.1)
            #expect(rate.isFinite && rate >= 0, "\(schedule) at \(step): \(rate)")
        }
    }

    @Test(arguments: InvalidSchedule.all)
    func badArgumentsThrowInvalidArgument(_ bad: InvalidSchedule) {
        do {
            let schedule = try bad.make()
            Issue.record("\(bad.name): expected an error, got \(schedule)")
        } catch DescentError.invalidArgument(let operation, let reason) {
            #expect(operation == bad.operation)
            #expect(
                reason.contains(bad.mentions), "reason '\(reason)' should mention '\(bad.mentions)'"
            )
        } catch {
            Issue.record("\(bad.name): expected invalidArgument, got \(error)")
        }
    }

    @Test func errorMessageNamesTheScheduleAndTheValue() {
        let error = DescentError.invalidArgument(
            operation: "StepDecay", reason: "every must be > 0 (and finite), got .steps(0)")
        #expect(throws: error) { try StepDecay(every: .steps(0)) }
        #expect(
            error.description
                == "StepDecay: invalid argument: every must be > 0 (and finite), got .steps(0).")
    }

    @Test func descriptionsListTheParameters() throws {
        #expect(
            try StepDecay(every: .epochs(30)).description
                == "StepDecay(every: .epochs(30.0), gamma: 0.1)")
        #expect(
            try MultiStepDecay(milestones: [.steps(30), .steps(80)]).description
                == "MultiStepDecay(milestones: [.steps(30), .steps(80)], gamma: 0.1)")
        #expect(
            try PiecewiseConstantDecay(boundaries: [.steps(10)], fractions: [1, 0.1]).description
                == "PiecewiseConstantDecay(boundaries: [.steps(10)], fractions: [1.0, 0.1])")
        #expect(
            try CosineAnnealing(duration: .steps(100), warmup: .steps(5)).description
                == "CosineAnnealing(duration: .steps(100), warmup: .steps(5), warmupStartFraction: 0.0, minimumFraction: 0.0)"
        )
        let erased = AnyLearningRateSchedule(try ExponentialDecay(every: .steps(1), decayRate: 0.9))
        #expect(
            erased.description
                == "ExponentialDecay(every: .steps(1), decayRate: 0.9, staircase: false)")
    }

    @Test func erasedSchedulesCompareByTypeAndValue() throws {
        let step = try StepDecay(every: .steps(3))
        let erased = AnyLearningRateSchedule(step)
        #expect(erased == AnyLearningRateSchedule(try StepDecay(every: .steps(3))))
        #expect(erased != AnyLearningRateSchedule(try StepDecay(every: .steps(4))))
        #expect(
            erased != AnyLearningRateSchedule(try StepDecay(every: .epochs(3))),
            "the unit is part of the value")
        #expect(
            erased
                != AnyLearningRateSchedule(
                    try MultiStepDecay(milestones: [.steps(3), .steps(6), .steps(9)])))
        #expect(AnyLearningRateSchedule(erased) == erased)
        #expect(AnyLearningRateSchedule(erased).base is StepDecay, "wrapping twice does not nest")
        for index in 0..<20 {
            #expect(erased.rate(index, base: 0.1) == step.rate(index, base: 0.1))
        }
        #expect(Self.examples.count == Set(Self.examples.map(\.description)).count)
    }
}
