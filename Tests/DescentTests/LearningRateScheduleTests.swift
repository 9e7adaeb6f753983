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

/// Checks `schedule` against `formula` at every step of `steps`.
private func expectFollows(
    _ schedule: some LearningRateSchedule, _ steps: ClosedRange<Int>, sourceLocation: SourceLocation = #_sourceLocation,
    _ formula: (Int) -> Double
) {
    for step in steps {
        expectNear(schedule.learningRate(at: step), formula(step), "\(schedule) at step \(step)", sourceLocation: sourceLocation)
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
        .init(name: "constant negative", operation: "ConstantLearningRate", mentions: "-0.1") { try ConstantLearningRate(-0.1) },
        .init(name: "constant NaN", operation: "ConstantLearningRate", mentions: "nan") { try ConstantLearningRate(.nan) },
        .init(name: "constant infinite", operation: "ConstantLearningRate", mentions: "inf") { try ConstantLearningRate(.infinity) },
        .init(name: "step negative rate", operation: "StepDecay", mentions: "initial learning rate") {
            try StepDecay(initialLearningRate: -1, stepSize: 10)
        },
        .init(name: "step NaN rate", operation: "StepDecay", mentions: "initial learning rate") {
            try StepDecay(initialLearningRate: .nan, stepSize: 10)
        },
        .init(name: "step size 0", operation: "StepDecay", mentions: "stepSize") { try StepDecay(initialLearningRate: 0.1, stepSize: 0) },
        .init(name: "step size negative", operation: "StepDecay", mentions: "stepSize") {
            try StepDecay(initialLearningRate: 0.1, stepSize: -3)
        },
        .init(name: "step gamma 0", operation: "StepDecay", mentions: "gamma") {
            try StepDecay(initialLearningRate: 0.1, stepSize: 5, gamma: 0)
        },
        .init(name: "step gamma negative", operation: "StepDecay", mentions: "gamma") {
            try StepDecay(initialLearningRate: 0.1, stepSize: 5, gamma: -0.5)
        },
        .init(name: "step gamma NaN", operation: "StepDecay", mentions: "gamma") {
            try StepDecay(initialLearningRate: 0.1, stepSize: 5, gamma: .nan)
        },
        .init(name: "multistep unsorted", operation: "MultiStepDecay", mentions: "strictly increasing") {
            try MultiStepDecay(initialLearningRate: 0.1, milestones: [80, 30])
        },
        .init(name: "multistep repeated", operation: "MultiStepDecay", mentions: "strictly increasing") {
            try MultiStepDecay(initialLearningRate: 0.1, milestones: [30, 30])
        },
        .init(name: "multistep at 0", operation: "MultiStepDecay", mentions: ">= 1") {
            try MultiStepDecay(initialLearningRate: 0.1, milestones: [0, 30])
        },
        .init(name: "multistep gamma 0", operation: "MultiStepDecay", mentions: "gamma") {
            try MultiStepDecay(initialLearningRate: 0.1, milestones: [30], gamma: 0)
        },
        .init(name: "multistep negative rate", operation: "MultiStepDecay", mentions: "initial learning rate") {
            try MultiStepDecay(initialLearningRate: -0.1, milestones: [30])
        },
        .init(name: "exponential gamma negative", operation: "ExponentialDecay", mentions: "gamma") {
            try ExponentialDecay(initialLearningRate: 0.1, gamma: -0.9)
        },
        .init(name: "exponential gamma 0", operation: "ExponentialDecay", mentions: "gamma") {
            try ExponentialDecay(initialLearningRate: 0.1, gamma: 0)
        },
        .init(name: "exponential decay rate 0", operation: "ExponentialDecay", mentions: "decayRate") {
            try ExponentialDecay(initialLearningRate: 0.1, decaySteps: 10, decayRate: 0)
        },
        .init(name: "exponential decay steps 0", operation: "ExponentialDecay", mentions: "decaySteps") {
            try ExponentialDecay(initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5)
        },
        .init(name: "exponential NaN rate", operation: "ExponentialDecay", mentions: "initial learning rate") {
            try ExponentialDecay(initialLearningRate: .nan, gamma: 0.9)
        },
        .init(name: "inverse time decay steps 0", operation: "InverseTimeDecay", mentions: "decaySteps") {
            try InverseTimeDecay(initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5)
        },
        .init(name: "inverse time decay rate negative", operation: "InverseTimeDecay", mentions: "decayRate") {
            try InverseTimeDecay(initialLearningRate: 0.1, decaySteps: 1, decayRate: -0.5)
        },
        .init(name: "inverse time decay rate NaN", operation: "InverseTimeDecay", mentions: "decayRate") {
            try InverseTimeDecay(initialLearningRate: 0.1, decaySteps: 1, decayRate: .nan)
        },
        .init(name: "polynomial decay steps negative", operation: "PolynomialDecay", mentions: "decaySteps") {
            try PolynomialDecay(initialLearningRate: 0.1, decaySteps: -1)
        },
        .init(name: "polynomial power 0", operation: "PolynomialDecay", mentions: "power") {
            try PolynomialDecay(initialLearningRate: 0.1, decaySteps: 10, power: 0)
        },
        .init(name: "polynomial end negative", operation: "PolynomialDecay", mentions: "end learning rate") {
            try PolynomialDecay(initialLearningRate: 0.1, decaySteps: 10, endLearningRate: -0.01)
        },
        .init(name: "piecewise count mismatch", operation: "PiecewiseConstantDecay", mentions: "one more element") {
            try PiecewiseConstantDecay(boundaries: [10, 20], values: [1, 0.5])
        },
        .init(name: "piecewise no values", operation: "PiecewiseConstantDecay", mentions: "one more element") {
            try PiecewiseConstantDecay(boundaries: [], values: [])
        },
        .init(name: "piecewise unsorted", operation: "PiecewiseConstantDecay", mentions: "strictly increasing") {
            try PiecewiseConstantDecay(boundaries: [20, 10], values: [1, 0.5, 0.1])
        },
        .init(name: "piecewise repeated", operation: "PiecewiseConstantDecay", mentions: "strictly increasing") {
            try PiecewiseConstantDecay(boundaries: [10, 10], values: [1, 0.5, 0.1])
        },
        .init(name: "piecewise negative boundary", operation: "PiecewiseConstantDecay", mentions: ">= 0") {
            try PiecewiseConstantDecay(boundaries: [-1, 10], values: [1, 0.5, 0.1])
        },
        .init(name: "piecewise NaN value", operation: "PiecewiseConstantDecay", mentions: "values[1]") {
            try PiecewiseConstantDecay(boundaries: [10, 20], values: [1, .nan, 0.1])
        },
        .init(name: "cosine warm-up past total", operation: "CosineAnnealing", mentions: "warmupSteps") {
            try CosineAnnealing(baseLearningRate: 0.1, totalSteps: 100, warmupSteps: 101)
        },
        .init(name: "cosine negative warm-up", operation: "CosineAnnealing", mentions: "warmupSteps") {
            try CosineAnnealing(baseLearningRate: 0.1, totalSteps: 100, warmupSteps: -1)
        },
        .init(name: "cosine total 0", operation: "CosineAnnealing", mentions: "totalSteps") {
            try CosineAnnealing(baseLearningRate: 0.1, totalSteps: 0)
        },
        .init(name: "cosine minimum above base", operation: "CosineAnnealing", mentions: "must not exceed") {
            try CosineAnnealing(baseLearningRate: 0.1, totalSteps: 100, minimumLearningRate: 0.2)
        },
        .init(name: "cosine negative warm-up start", operation: "CosineAnnealing", mentions: "warm-up start") {
            try CosineAnnealing(baseLearningRate: 0.1, totalSteps: 100, warmupSteps: 10, warmupStartLearningRate: -0.01)
        },
        .init(name: "cosine NaN base", operation: "CosineAnnealing", mentions: "base learning rate") {
            try CosineAnnealing(baseLearningRate: .nan, totalSteps: 100)
        },
    ]
}

struct LearningRateScheduleTests {
    // MARK: Constant

    @Test func constantIsTheSameAtEveryStep() throws {
        let schedule = try ConstantLearningRate(0.01)
        for step in [-5, 0, 1, 1000, Int.max] { #expect(schedule.learningRate(at: step) == 0.01) }
        #expect(try ConstantLearningRate(0).learningRate(at: 3) == 0, "a rate of 0 is allowed")
    }

    // MARK: Step decay (PyTorch StepLR)

    /// PyTorch's documented example: lr 0.05, step_size 30, gamma 0.1.
    @Test(arguments: [(0, 0.05), (29, 0.05), (30, 0.005), (59, 0.005), (60, 0.0005), (89, 0.0005), (90, 0.00005)])
    func stepDecayDropsAtEachMultipleOfStepSize(step: Int, expected: Double) throws {
        let schedule = try StepDecay(initialLearningRate: 0.05, stepSize: 30, gamma: 0.1)
        expectNear(schedule.learningRate(at: step), expected, "step \(step)")
    }

    @Test func stepDecayFollowsItsFormula() throws {
        let schedule = try StepDecay(initialLearningRate: 0.2, stepSize: 5, gamma: 0.5)
        expectFollows(schedule, 0...200) { 0.2 * pow(0.5, floor(Double($0) / 5)) }
        #expect(schedule.learningRate(at: 4) == 0.2)
        #expect(schedule.learningRate(at: 5) == 0.1, "halved exactly at step 5")
        #expect(try StepDecay(initialLearningRate: 1, stepSize: 1).gamma == 0.1, "PyTorch's default gamma")
    }

    // MARK: Multi-step decay (PyTorch MultiStepLR)

    /// PyTorch's documented example: lr 0.05, milestones [30, 80], gamma 0.1.
    @Test(arguments: [(0, 0.05), (29, 0.05), (30, 0.005), (79, 0.005), (80, 0.0005), (1000, 0.0005)])
    func multiStepDecayDropsAtEachMilestone(step: Int, expected: Double) throws {
        let schedule = try MultiStepDecay(initialLearningRate: 0.05, milestones: [30, 80], gamma: 0.1)
        expectNear(schedule.learningRate(at: step), expected, "step \(step)")
    }

    @Test func multiStepDecayFollowsItsFormula() throws {
        let milestones = [3, 7, 8, 20]
        let schedule = try MultiStepDecay(initialLearningRate: 0.3, milestones: milestones, gamma: 0.7)
        expectFollows(schedule, 0...40) { step in 0.3 * pow(0.7, Double(milestones.filter { $0 <= step }.count)) }
        #expect(try MultiStepDecay(initialLearningRate: 0.3, milestones: []).learningRate(at: 100) == 0.3)
    }

    // MARK: Exponential decay (PyTorch ExponentialLR, Keras ExponentialDecay)

    @Test func exponentialWithGammaIsPyTorchsExponentialLR() throws {
        let schedule = try ExponentialDecay(initialLearningRate: 0.1, gamma: 0.9)
        expectNear(schedule.learningRate(at: 0), 0.1)
        expectNear(schedule.learningRate(at: 1), 0.09)
        expectNear(schedule.learningRate(at: 2), 0.081)
        expectNear(schedule.learningRate(at: 10), 0.034867844010000004)
        expectFollows(schedule, 0...300) { 0.1 * pow(0.9, Double($0)) }
        #expect(schedule == (try ExponentialDecay(initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.9)))
    }

    @Test(arguments: [
        (false, 5, 0.07071067811865475), (false, 10, 0.05), (false, 15, 0.035355339059327376),
        (true, 9, 0.1), (true, 10, 0.05), (true, 19, 0.05), (true, 20, 0.025),
    ])
    func exponentialDecayMatchesKeras(staircase: Bool, step: Int, expected: Double) throws {
        let schedule = try ExponentialDecay(initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: staircase)
        expectNear(schedule.learningRate(at: step), expected, "step \(step)")
        expectFollows(schedule, 0...100) { step in
            let p = Double(step) / 10
            return 0.1 * pow(0.5, staircase ? floor(p) : p)
        }
    }

    // MARK: Inverse-time decay (Keras InverseTimeDecay)

    /// Keras's documented example: lr 0.1, decay_steps 1, decay_rate 0.5.
    @Test(arguments: [(0, 0.1), (1, 0.06666666666666667), (2, 0.05), (4, 0.03333333333333333)])
    func inverseTimeDecayMatchesKeras(step: Int, expected: Double) throws {
        let schedule = try InverseTimeDecay(initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5)
        expectNear(schedule.learningRate(at: step), expected, "step \(step)")
    }

    @Test func inverseTimeDecayStaircase() throws {
        let schedule = try InverseTimeDecay(initialLearningRate: 0.1, decaySteps: 10, decayRate: 1, staircase: true)
        #expect(schedule.learningRate(at: 9) == 0.1)
        expectNear(schedule.learningRate(at: 10), 0.05)
        expectNear(schedule.learningRate(at: 20), 0.1 / 3)
        expectFollows(schedule, 0...100) { 0.1 / (1 + floor(Double($0) / 10)) }
        let smooth = try InverseTimeDecay(initialLearningRate: 0.1, decaySteps: 10, decayRate: 1)
        expectFollows(smooth, 0...100) { 0.1 / (1 + Double($0) / 10) }
    }

    // MARK: Polynomial decay (Keras PolynomialDecay)

    @Test func polynomialDecayReachesTheEndRateAndStays() throws {
        // Keras's documented example: from 0.1 to 0.01 over 100 steps with a square root.
        let schedule = try PolynomialDecay(initialLearningRate: 0.1, decaySteps: 100, endLearningRate: 0.01, power: 0.5)
        #expect(schedule.learningRate(at: 0) == 0.1)
        expectNear(schedule.learningRate(at: 75), 0.055)
        #expect(schedule.learningRate(at: 100) == 0.01)
        #expect(schedule.learningRate(at: 500) == 0.01)
        expectFollows(schedule, 0...200) { 0.09 * pow(1 - Double(min($0, 100)) / 100, 0.5) + 0.01 }

        let linear = try PolynomialDecay(initialLearningRate: 1, decaySteps: 4, endLearningRate: 0)
        #expect([0, 1, 2, 3, 4, 5].map { linear.learningRate(at: $0) } == [1, 0.75, 0.5, 0.25, 0, 0])
        #expect(try PolynomialDecay(initialLearningRate: 1, decaySteps: 4).endLearningRate == 1e-4, "Keras's default")
    }

    @Test(arguments: [(0, 1.0), (5, 0.5), (10, 0.0), (11, 0.45), (20, 0.0), (21, 0.3), (30, 0.0)])
    func polynomialDecayCycles(step: Int, expected: Double) throws {
        let schedule = try PolynomialDecay(initialLearningRate: 1, decaySteps: 10, endLearningRate: 0, cycle: true)
        expectNear(schedule.learningRate(at: step), expected, "step \(step)")
        expectFollows(schedule, 0...100) { step in
            let multiplier = step == 0 ? 1 : ceil(Double(step) / 10)
            return 1 - Double(step) / (10 * multiplier)
        }
    }

    // MARK: Piecewise constant (Keras PiecewiseConstantDecay)

    /// Keras's documented example: boundaries [100000, 110000], values [1.0, 0.5, 0.1].
    @Test(arguments: [(0, 1.0), (100_000, 1.0), (100_001, 0.5), (110_000, 0.5), (110_001, 0.1), (1_000_000, 0.1)])
    func piecewiseConstantBoundariesBelongToTheIntervalBelow(step: Int, expected: Double) throws {
        let schedule = try PiecewiseConstantDecay(boundaries: [100_000, 110_000], values: [1.0, 0.5, 0.1])
        #expect(schedule.learningRate(at: step) == expected)
    }

    @Test func piecewiseConstantFollowsKerasDefinition() throws {
        let boundaries = [0, 4, 9]
        let values = [0.4, 0.3, 0.35, 0.1]
        let schedule = try PiecewiseConstantDecay(boundaries: boundaries, values: values)
        expectFollows(schedule, 0...20) { step in
            if step <= boundaries[0] { return values[0] }
            if step > boundaries[2] { return values[3] }
            return (1...2).first { boundaries[$0 - 1] < step && step <= boundaries[$0] }.map { values[$0] }!
        }
        #expect(try PiecewiseConstantDecay(boundaries: [], values: [0.2]).learningRate(at: 50) == 0.2)
    }

    // MARK: Cosine annealing with warm-up

    @Test(arguments: [
        (0, 0.0), (5, 0.5), (9, 0.9), (10, 1.0), (35, 0.8681980515339464), (60, 0.55), (85, 0.23180194846605364),
        (110, 0.1), (111, 0.1), (10_000, 0.1),
    ])
    func cosineWarmsUpThenAnneals(step: Int, expected: Double) throws {
        let schedule = try CosineAnnealing(baseLearningRate: 1, totalSteps: 110, warmupSteps: 10, minimumLearningRate: 0.1)
        expectNear(schedule.learningRate(at: step), expected, "step \(step)")
    }

    /// Hugging Face's `get_cosine_schedule_with_warmup` (num_cycles 0.5), written as published.
    @Test func cosineMatchesGetCosineScheduleWithWarmup() throws {
        let (base, warmup, total) = (0.5, 7, 50)
        let schedule = try CosineAnnealing(baseLearningRate: base, totalSteps: total, warmupSteps: warmup)
        expectFollows(schedule, 0...total) { step in
            if step < warmup { return base * Double(step) / Double(max(1, warmup)) }
            let progress = Double(step - warmup) / Double(max(1, total - warmup))
            return base * max(0, 0.5 * (1 + cos(Double.pi * 0.5 * 2 * progress)))
        }
    }

    /// PyTorch's `CosineAnnealingLR` closed form, up to `T_max`.
    @Test func cosineWithoutWarmupIsCosineAnnealingLR() throws {
        let schedule = try CosineAnnealing(baseLearningRate: 0.1, totalSteps: 20, minimumLearningRate: 0.001)
        #expect(schedule.learningRate(at: 0) == 0.1)
        expectFollows(schedule, 0...20) { 0.001 + (0.1 - 0.001) * (1 + cos(Double.pi * Double($0) / 20)) / 2 }
        #expect(schedule.learningRate(at: 21) == 0.001, "holds the minimum after totalSteps")
    }

    @Test func cosineWarmupFromANonzeroStart() throws {
        let schedule = try CosineAnnealing(
            baseLearningRate: 1, totalSteps: 30, warmupSteps: 4, warmupStartLearningRate: 0.2, minimumLearningRate: 0.05)
        #expect(schedule.learningRate(at: 0) == 0.2)
        expectNear(schedule.learningRate(at: 1), 0.4)
        expectNear(schedule.learningRate(at: 3), 0.8)
        #expect(schedule.learningRate(at: 4) == 1)
        let rates = (4...40).map { schedule.learningRate(at: $0) }
        #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 >= $1 }, "non-increasing after the warm-up")
    }

    @Test func cosineWithWarmupAsLongAsTotalDropsToTheMinimum() throws {
        let schedule = try CosineAnnealing(baseLearningRate: 1, totalSteps: 4, warmupSteps: 4, minimumLearningRate: 0.01)
        #expect([0, 1, 2, 3, 4, 5].map { schedule.learningRate(at: $0) } == [0, 0.25, 0.5, 0.75, 0.01, 0.01])
    }

    // MARK: Shared behaviour

    static let examples: [AnyLearningRateSchedule] = try! [
        AnyLearningRateSchedule(ConstantLearningRate(0.1)),
        AnyLearningRateSchedule(StepDecay(initialLearningRate: 0.1, stepSize: 3)),
        AnyLearningRateSchedule(MultiStepDecay(initialLearningRate: 0.1, milestones: [2, 5])),
        AnyLearningRateSchedule(ExponentialDecay(initialLearningRate: 0.1, gamma: 0.9)),
        AnyLearningRateSchedule(InverseTimeDecay(initialLearningRate: 0.1, decaySteps: 2, decayRate: 0.5)),
        AnyLearningRateSchedule(PolynomialDecay(initialLearningRate: 0.1, decaySteps: 10, cycle: true)),
        AnyLearningRateSchedule(PiecewiseConstantDecay(boundaries: [2], values: [0.1, 0.01])),
        AnyLearningRateSchedule(CosineAnnealing(baseLearningRate: 0.1, totalSteps: 10, warmupSteps: 2)),
    ]

    @Test(arguments: examples)
    func negativeStepsClampToZero(schedule: AnyLearningRateSchedule) {
        for step in [-1, -7, Int.min] { #expect(schedule.learningRate(at: step) == schedule.learningRate(at: 0)) }
    }

    @Test(arguments: examples)
    func ratesAreFiniteAndNonNegative(schedule: AnyLearningRateSchedule) {
        for step in [0, 1, 2, 3, 9, 10, 11, 1_000, 1 << 40, Int.max] {
            let rate = schedule.learningRate(at: step)
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
            #expect(reason.contains(bad.mentions), "reason '\(reason)' should mention '\(bad.mentions)'")
        } catch {
            Issue.record("\(bad.name): expected invalidArgument, got \(error)")
        }
    }

    @Test func errorMessageNamesTheScheduleAndTheValue() {
        #expect(throws: DescentError.invalidArgument(operation: "StepDecay", reason: "stepSize must be > 0, got 0")) {
            try StepDecay(initialLearningRate: 0.1, stepSize: 0)
        }
        let error = DescentError.invalidArgument(operation: "StepDecay", reason: "stepSize must be > 0, got 0")
        #expect(error.description == "StepDecay: invalid argument: stepSize must be > 0, got 0.")
    }

    @Test func descriptionsListTheParameters() throws {
        #expect(try StepDecay(initialLearningRate: 0.05, stepSize: 30).description
            == "StepDecay(initialLearningRate: 0.05, stepSize: 30, gamma: 0.1)")
        #expect(try MultiStepDecay(initialLearningRate: 0.05, milestones: [30, 80]).description
            == "MultiStepDecay(initialLearningRate: 0.05, milestones: [30, 80], gamma: 0.1)")
        #expect(try PiecewiseConstantDecay(boundaries: [10], values: [0.1, 0.01]).description
            == "PiecewiseConstantDecay(boundaries: [10], values: [0.1, 0.01])")
        #expect(try CosineAnnealing(baseLearningRate: 0.1, totalSteps: 100, warmupSteps: 5).description
            == "CosineAnnealing(baseLearningRate: 0.1, totalSteps: 100, warmupSteps: 5, "
            + "warmupStartLearningRate: 0.0, minimumLearningRate: 0.0)")
        #expect(try ConstantLearningRate(0.001).description == "ConstantLearningRate(0.001)")
        let erased = AnyLearningRateSchedule(try ExponentialDecay(initialLearningRate: 0.1, gamma: 0.9))
        #expect(erased.description == "ExponentialDecay(initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.9, staircase: false)")
    }

    @Test func erasedSchedulesCompareByTypeAndValue() throws {
        let step = try StepDecay(initialLearningRate: 0.1, stepSize: 3)
        let erased = AnyLearningRateSchedule(step)
        #expect(erased == AnyLearningRateSchedule(try StepDecay(initialLearningRate: 0.1, stepSize: 3)))
        #expect(erased != AnyLearningRateSchedule(try StepDecay(initialLearningRate: 0.1, stepSize: 4)))
        #expect(erased != AnyLearningRateSchedule(try MultiStepDecay(initialLearningRate: 0.1, milestones: [3, 6, 9])))
        #expect(AnyLearningRateSchedule(erased) == erased)
        #expect(AnyLearningRateSchedule(erased).base is StepDecay, "wrapping twice does not nest")
        for index in 0..<20 { #expect(erased.learningRate(at: index) == step.learningRate(at: index)) }
        #expect(Self.examples.count == Set(Self.examples.map(\.description)).count)
    }
}
