#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Descent
import DescentTestSupport
import Testing

/// A float32 trajectory against the Double reference of its published rule. Every step rounds the
/// parameters and each state array to float32 (2^-24, about 6e-8 relative); over 50 steps on
/// parameters that stay away from 0 (checked below) that adds up to a few 1e-7 (the worst seen
/// on either backend: 7.4e-7, AdamW), so 1e-5 keeps a margin of more than 10x while still
/// catching a wrong rule: an eps moved inside or outside a root or a max, a bias correction or an
/// lr decay off by one step, a momentum buffer that holds `lr`, a wrong AMSGrad max each fail
/// (checked by planting them in the references). The absolute term only matters for values at 0.
let trajectoryTolerance = Tolerance(absolute: 1e-7, relative: 1e-5)

/// The value a hyperparameter has once stored as a Float in the optimizer (0.999 becomes
/// 0.99900001287...), so that the reference starts from the same numbers; `1 - beta2` alone
/// would otherwise differ by 1.3e-5 relative.
func f(_ value: Double) -> Double { Double(Float(value)) }

/// The synthetic problem: fixed parameters and fixed gradients, the same for every rule.
enum Trajectory {
    static let steps = 50
    /// Gradient magnitudes, one per parameter: 1e-8 to 10. The smallest are of the order of the
    /// epsilons, so that where an eps goes (inside or outside a root or a max, before or after
    /// the bias correction) shows in the trajectory.
    static let magnitudes: [Double] = [1e-8, 1e-6, 1e-3, 0.02, 0.3, 1, 4, 10, 0.1]
    static let count = magnitudes.count

    /// Nonzero initial values of both signs, the largest where the gradients are largest.
    static func initial(_ count: Int) -> [Float] {
        let base: [Float] = [0.7, -0.6, 0.8, -1.1, 1.6, -2.3, 3.1, -4.7, 1.3]
        return (0..<count).map { base[$0 % base.count] * (1 + 0.1 * Float($0 / base.count)) }
    }

    /// The gradient of the 1-based step `step`: a sine per element plus a jitter seeded by the
    /// step, so both signs and no period; scaled by the element's magnitude.
    static func gradient(step: Int, count: Int) -> [Float] {
        let jitter = TestData.uniform(count, seed: 1000 + UInt64(step))
        return (0..<count).map { i in
            let wave: Double = sin(0.9 * Double(step) + 1.7 * Double(i))
            let noise: Double = 0.5 * Double(jitter[i])
            return Float(magnitudes[i % magnitudes.count] * (wave + noise))
        }
    }
}

/// One optimizer with the options that change its math, and its reference.
struct TrajectoryCase: Sendable, CustomTestStringConvertible {
    let name: String
    let optimizer: any Optimizer
    /// A `StepDecay` halving the learning rate from the 26th update on (schedule step 25).
    var halvesAtStep25 = false
    var clipping = GradientClipping.none
    var l1: Float = 0
    /// Set when the library is known to get this case wrong: the issue, for `withKnownIssue`.
    var knownIssue: String? = nil
    let reference: @Sendable (_ count: Int) -> any ReferenceRule

    var testDescription: String { name }

    /// The learning rate of the 1-based update `step`.
    func learningRate(atStep step: Int) -> Double {
        Double(optimizer.learningRate) * (halvesAtStep25 && step > 25 ? 0.5 : 1)
    }

    var schedule: (any LearningRateSchedule)? {
        halvesAtStep25 ? try! StepDecay(every: .steps(25), gamma: 0.5) : nil
    }
}

extension TrajectoryCase {
    init(
        _ name: String, _ optimizer: any Optimizer, halvesAtStep25: Bool = false,
        clipping: GradientClipping = .none,
        l1: Float = 0, knownIssue: String? = nil,
        reference: @escaping @Sendable (Int) -> any ReferenceRule
    ) {
        self.init(
            name: name, optimizer: optimizer, halvesAtStep25: halvesAtStep25, clipping: clipping,
            l1: l1,
            knownIssue: knownIssue, reference: reference)
    }

    static let sgdMomentumHalved = TrajectoryCase(
        "SGD momentum, lr halved at 25", SGD(learningRate: 0.01, momentum: 0.9),
        halvesAtStep25: true
    ) {
        TorchSGD(count: $0, momentum: f(0.9))
    }
    static let sgdKerasMomentumHalved = TrajectoryCase(
        "SGD Keras momentum, lr halved at 25",
        SGD(learningRate: 0.01, momentum: 0.9, convention: .keras), halvesAtStep25: true
    ) { KerasSGD(count: $0, momentum: f(0.9)) }

    static let all: [TrajectoryCase] = [
        TrajectoryCase("SGD", SGD(learningRate: 0.01)) { TorchSGD(count: $0) },
        TrajectoryCase(
            "SGD momentum + dampening", SGD(learningRate: 0.01, momentum: 0.9, dampening: 0.3)
        ) {
            TorchSGD(count: $0, momentum: f(0.9), dampening: f(0.3))
        },
        TrajectoryCase("SGD Nesterov", SGD(learningRate: 0.01, momentum: 0.9, nesterov: true)) {
            TorchSGD(count: $0, momentum: f(0.9), nesterov: true)
        },
        sgdMomentumHalved,
        sgdKerasMomentumHalved,
        TrajectoryCase(
            "SGD Keras Nesterov, lr halved at 25",
            SGD(learningRate: 0.01, momentum: 0.9, nesterov: true, convention: .keras),
            halvesAtStep25: true
        ) { KerasSGD(count: $0, momentum: f(0.9), nesterov: true) },
        TrajectoryCase("SGD Keras, no momentum", SGD(learningRate: 0.01, convention: .keras)) {
            KerasSGD(count: $0)
        },
        TrajectoryCase("SGD weight decay", SGD(learningRate: 0.01, weightDecay: 0.05)) {
            TorchSGD(count: $0, weightDecay: f(0.05))
        },
        TrajectoryCase(
            "SGD momentum + weight decay", SGD(learningRate: 0.01, momentum: 0.9, weightDecay: 0.05)
        ) {
            TorchSGD(count: $0, momentum: f(0.9), weightDecay: f(0.05))
        },
        TrajectoryCase("SGD momentum + L1", SGD(learningRate: 0.01, momentum: 0.9), l1: 0.02) {
            TorchSGD(count: $0, momentum: f(0.9))
        },
        TrajectoryCase(
            "SGD momentum, global-norm clip 5", SGD(learningRate: 0.01, momentum: 0.9),
            clipping: GradientClipping(globalNorm: 5)
        ) {
            TorchSGD(count: $0, momentum: f(0.9))
        },
        TrajectoryCase("Adagrad", Adagrad(learningRate: 0.05)) {
            TorchAdagrad(count: $0, epsilon: f(1e-10))
        },
        TrajectoryCase(
            "Adagrad lr decay + initial accumulator",
            Adagrad(learningRate: 0.05, learningRateDecay: 0.01, initialAccumulator: 0.5)
        ) {
            TorchAdagrad(
                count: $0, learningRateDecay: f(0.01), initialAccumulator: f(0.5), epsilon: f(1e-10)
            )
        },
        TrajectoryCase("Adagrad weight decay", Adagrad(learningRate: 0.05, weightDecay: 0.05)) {
            TorchAdagrad(count: $0, epsilon: f(1e-10), weightDecay: f(0.05))
        },
        TrajectoryCase("Adagrad.keras", Adagrad.keras(learningRate: 0.05)) {
            KerasAdagrad(count: $0, initialAccumulator: f(0.1), epsilon: f(1e-7))
        },
        // Keras's form from an accumulator of 0, where its eps (inside the root) is not hidden by 0.1.
        TrajectoryCase(
            "Adagrad Keras convention, accumulator 0",
            Adagrad(learningRate: 0.05, epsilon: 1e-7, convention: .keras)
        ) {
            KerasAdagrad(count: $0, initialAccumulator: 0, epsilon: f(1e-7))
        },
        TrajectoryCase("RMSprop", RMSprop(learningRate: 1e-3)) {
            TorchRMSprop(count: $0, alpha: f(0.99), epsilon: f(1e-8))
        },
        TrajectoryCase("RMSprop centered", RMSprop(learningRate: 1e-3, centered: true)) {
            TorchRMSprop(count: $0, alpha: f(0.99), epsilon: f(1e-8), centered: true)
        },
        TrajectoryCase(
            "RMSprop momentum, lr halved at 25", RMSprop(learningRate: 1e-3, momentum: 0.9),
            halvesAtStep25: true
        ) {
            TorchRMSprop(count: $0, alpha: f(0.99), epsilon: f(1e-8), momentum: f(0.9))
        },
        TrajectoryCase(
            "RMSprop centered + momentum + weight decay",
            RMSprop(learningRate: 2e-4, momentum: 0.9, centered: true, weightDecay: 0.01)
        ) {
            TorchRMSprop(
                count: $0, alpha: f(0.99), epsilon: f(1e-8), momentum: f(0.9), centered: true,
                weightDecay: f(0.01))
        },
        TrajectoryCase("RMSprop.keras", RMSprop.keras(learningRate: 1e-3)) {
            KerasRMSprop(count: $0, rho: f(0.9), epsilon: f(1e-7))
        },
        TrajectoryCase(
            "RMSprop.keras centered + momentum, lr halved at 25",
            RMSprop.keras(learningRate: 1e-3, momentum: 0.9, centered: true),
            halvesAtStep25: true
        ) {
            KerasRMSprop(count: $0, rho: f(0.9), epsilon: f(1e-7), momentum: f(0.9), centered: true)
        },
        TrajectoryCase("Adadelta + weight decay", Adadelta(weightDecay: 0.01)) {
            TorchAdadelta(count: $0, rho: f(0.9), epsilon: f(1e-6), weightDecay: f(0.01))
        },
        TrajectoryCase("Adam", Adam(learningRate: 0.01)) {
            TorchAdam(count: $0, beta1: f(0.9), beta2: f(0.999), epsilon: f(1e-8))
        },
        TrajectoryCase("Adam, lr halved at 25", Adam(learningRate: 0.01), halvesAtStep25: true) {
            TorchAdam(count: $0, beta1: f(0.9), beta2: f(0.999), epsilon: f(1e-8))
        },
        TrajectoryCase("Adam coupled weight decay", Adam(learningRate: 0.01, weightDecay: 0.05)) {
            TorchAdam(
                count: $0, beta1: f(0.9), beta2: f(0.999), epsilon: f(1e-8), weightDecay: f(0.05))
        },
        TrajectoryCase(
            "Adam clip value 0.5", Adam(learningRate: 0.01), clipping: GradientClipping(value: 0.5)
        ) {
            TorchAdam(count: $0, beta1: f(0.9), beta2: f(0.999), epsilon: f(1e-8))
        },
        TrajectoryCase("AMSGrad", Adam(learningRate: 0.01, amsgrad: true)) {
            TorchAdam(count: $0, beta1: f(0.9), beta2: f(0.999), epsilon: f(1e-8), amsgrad: true)
        },
        TrajectoryCase("AdamW", AdamW(learningRate: 0.01, weightDecay: 0.1)) {
            TorchAdamW(
                count: $0, beta1: f(0.9), beta2: f(0.999), epsilon: f(1e-8), weightDecay: f(0.1))
        },
        TrajectoryCase("Adam.keras", Adam.keras(learningRate: 0.01)) {
            KerasAdam(count: $0, beta1: f(0.9), beta2: f(0.999), epsilon: f(1e-7))
        },
        TrajectoryCase("Adam.keras AMSGrad", Adam.keras(learningRate: 0.01, amsgrad: true)) {
            KerasAdam(count: $0, beta1: f(0.9), beta2: f(0.999), epsilon: f(1e-7), amsgrad: true)
        },
        TrajectoryCase("AdaMax", AdaMax(learningRate: 0.01)) {
            TorchAdamax(count: $0, beta1: f(0.9), beta2: f(0.999), epsilon: f(1e-8))
        },
        TrajectoryCase(
            "AdaMax Keras convention", AdaMax(learningRate: 0.01, epsilon: 1e-7, convention: .keras)
        ) {
            KerasAdamax(count: $0, beta1: f(0.9), beta2: f(0.999), epsilon: f(1e-7))
        },
        TrajectoryCase("Nadam", Nadam(learningRate: 0.01)) {
            TorchNAdam(
                count: $0, beta1: f(0.9), beta2: f(0.999), epsilon: f(1e-8), momentumDecay: 0.004)
        },
        TrajectoryCase("Nadam.keras", Nadam.keras(learningRate: 0.01)) {
            KerasNadam(count: $0, beta1: f(0.9), beta2: f(0.999), epsilon: f(1e-7))
        },
        TrajectoryCase("Lion", Lion(learningRate: 0.002, weightDecay: 0.1)) {
            ReferenceLion(count: $0, beta1: f(0.9), beta2: f(0.99), weightDecay: f(0.1))
        },
    ]
}

// MARK: Running a case

/// The parameters after each step of `c`, run through `FusedOptimizer` on `backend`.
func deviceTrajectory<B: Backend>(_ c: TrajectoryCase, on backend: B) throws -> [[Float]] {
    let count = Trajectory.count
    let parameters = try backend.makeBuffer(Trajectory.initial(count))
    let gradients = try backend.makeBuffer(count: count)
    let optimizer = try FusedOptimizer(
        c.optimizer, on: backend, parameterCount: count,
        groups: [ParameterGroup(range: 0..<count, l1: c.l1)],
        schedule: c.schedule, clipping: c.clipping)
    return try (1...Trajectory.steps).map { step in
        try backend.upload(Trajectory.gradient(step: step, count: count), to: gradients.view)
        try optimizer.step(parameters: parameters.view, gradients: gradients.view)
        return try backend.download(parameters.view)
    }
}

/// The parameters after each step of `c`'s reference, in Double, the gradient preprocessed in
/// Descent's documented order: global-norm scale, value clip, then the L1 term.
func referenceTrajectory(_ c: TrajectoryCase) -> [[Double]] {
    var rule = c.reference(Trajectory.count)
    var w = Trajectory.initial(Trajectory.count).map(Double.init)
    return (1...Trajectory.steps).map { step in
        var g = Trajectory.gradient(step: step, count: Trajectory.count).map(Double.init)
        if let maxNorm = c.clipping.globalNorm {
            let factor = ReferenceGradient.globalNormFactor(g, maxNorm: Double(maxNorm))
            g = g.map { $0 * factor }
        }
        if let value = c.clipping.value { g = ReferenceGradient.clipValue(g, Double(value)) }
        if c.l1 != 0 { g = ReferenceGradient.addL1(g, w, Double(c.l1)) }
        rule.step(&w, g, lr: c.learningRate(atStep: step))
        return w
    }
}

/// Compares every step; reports the first step off (with expectClose's worst-element message).
func expectTrajectory(
    _ actual: [[Float]], _ reference: [[Double]], _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        actual.count == reference.count, "\(what): \(actual.count) steps",
        sourceLocation: sourceLocation)
    for (index, (a, r)) in zip(actual, reference).enumerated() {
        let expected = r.map { Float($0) }
        if !zip(a, expected).allSatisfy({ trajectoryTolerance.accepts($0, $1) }) {
            expectClose(
                a, expected, trajectoryTolerance, "\(what), first step off: \(index + 1)",
                sourceLocation: sourceLocation)
            return
        }
    }
}

func checkTrajectory<B: Backend>(_ c: TrajectoryCase, on backend: B, _ backendName: String) throws {
    let actual = try deviceTrajectory(c, on: backend), reference = referenceTrajectory(c)
    if let issue = c.knownIssue {
        withKnownIssue(Comment(rawValue: issue)) {
            expectTrajectory(actual, reference, "\(c.name) on \(backendName)")
        }
    } else {
        expectTrajectory(actual, reference, "\(c.name) on \(backendName)")
    }
}

/// Whether two parameter vectors agree within the trajectory tolerance.
func agree(_ a: [Float], _ b: [Float]) -> Bool {
    zip(a, b).allSatisfy { trajectoryTolerance.accepts($0, $1) }
}

/// PyTorch's and Keras's momentum forms on the same problem with a rate halved at step 25: the
/// same trajectory up to the 25th update, apart from the 26th on.
func checkMomentumFormsPart<B: Backend>(on backend: B, _ backendName: String) throws {
    let torch = try deviceTrajectory(.sgdMomentumHalved, on: backend)
    let keras = try deviceTrajectory(.sgdKerasMomentumHalved, on: backend)
    for step in 1...25 {
        expectClose(
            keras[step - 1], torch[step - 1], trajectoryTolerance,
            "\(backendName): the forms at step \(step)")
    }
    for step in 26...Trajectory.steps {
        #expect(
            !agree(keras[step - 1], torch[step - 1]),
            "\(backendName): the forms should part at step \(step)")
    }
}

// MARK: Suites

/// Every optimizer and option combination on the CPU backend, step by step against its reference.
@Suite struct OptimizerTrajectoryCPUTests {
    @Test(arguments: TrajectoryCase.all) func matchesReference(_ c: TrajectoryCase) throws {
        try checkTrajectory(c, on: CPUBackend(), "CPU")
    }

    @Test func momentumFormsPartWhereTheRateChanges() throws {
        try checkMomentumFormsPart(on: CPUBackend(), "CPU")
    }

    /// The test problem is sound: every reference trajectory stays away from 0 (where a relative
    /// tolerance would mean nothing) and from its start (so that the rule did something).
    @Test(arguments: TrajectoryCase.all) func referenceStaysAwayFromZero(_ c: TrajectoryCase) {
        let trajectory = referenceTrajectory(c)
        let smallest = trajectory.joined().map(abs).min() ?? 0
        #expect(smallest > 0.1, "\(c.name): a parameter comes within \(smallest) of 0")
        let start = Trajectory.initial(Trajectory.count).map(Double.init)
        let moved = zip(trajectory.last!, start).map { abs($0 - $1) }.max() ?? 0
        #expect(moved > 1e-3, "\(c.name): the parameters moved only \(moved)")
    }

    /// The references themselves: PyTorch's and Keras's momentum forms are the same algorithm while
    /// the rate is constant (to Double rounding) and differ once it changes.
    @Test func referenceMomentumFormsPartExactlyAtTheChange() {
        let torch = referenceTrajectory(.sgdMomentumHalved),
            keras = referenceTrajectory(.sgdKerasMomentumHalved)
        for step in 1...Trajectory.steps {
            let difference = zip(torch[step - 1], keras[step - 1]).map { abs($0 - $1) }.max()!
            if step <= 25 {
                #expect(difference < 1e-12, "step \(step): \(difference)")
            } else {
                #expect(difference > 1e-4, "step \(step): \(difference)")
            }
        }
    }

    /// First steps the published rules fix in closed form, so that a typo in a reference cannot
    /// hide behind the same typo elsewhere: Adam's first step is `lr sign(g)` (to eps), plain SGD's `lr g`.
    @Test func referencesFirstStepsInClosedForm() {
        let w0 = Trajectory.initial(Trajectory.count).map(Double.init)
        let g = Trajectory.gradient(step: 1, count: Trajectory.count).map(Double.init)
        let rules: [(String, any ReferenceRule, [Double])] = [
            (
                "torch Adam",
                TorchAdam(count: Trajectory.count, beta1: 0.9, beta2: 0.999, epsilon: 1e-20),
                g.map { $0 > 0 ? 0.01 : -0.01 }
            ),
            (
                "keras Adam",
                KerasAdam(count: Trajectory.count, beta1: 0.9, beta2: 0.999, epsilon: 1e-20),
                g.map { $0 > 0 ? 0.01 : -0.01 }
            ),
            (
                "torch SGD momentum", TorchSGD(count: Trajectory.count, momentum: 0.9),
                g.map { 0.01 * $0 }
            ),
            (
                "keras SGD momentum", KerasSGD(count: Trajectory.count, momentum: 0.9),
                g.map { 0.01 * $0 }
            ),
            (
                "torch NAdam psi 0",
                TorchNAdam(
                    count: Trajectory.count, beta1: 0.9, beta2: 0.999, epsilon: 1e-20,
                    momentumDecay: 0),
                // mu = 0.45 constant: (1 - mu)/(1 - mu) + mu/(1 - mu^2) (1 - b1) of the unit step.
                g.map { ($0 > 0 ? 0.01 : -0.01) * (1 + 0.45 / (1 - 0.45 * 0.45) * 0.1) }
            ),
        ]
        for (name, rule, delta) in rules {
            var rule = rule, w = w0
            rule.step(&w, g, lr: 0.01)
            for i in w.indices {
                #expect(
                    abs((w0[i] - w[i]) - delta[i]) <= 1e-7 * abs(delta[i]) + 1e-15, "\(name) [\(i)]"
                )
            }
        }
    }
}

/// The same on the OpenCL backend.
@Suite(.requiresOpenCL) struct OptimizerTrajectoryOpenCLTests {
    @Test(arguments: TrajectoryCase.all) func matchesReference(_ c: TrajectoryCase) throws {
        try checkTrajectory(c, on: try OpenCLTestSupport.makeBackend(), "OpenCL")
    }

    @Test func momentumFormsPartWhereTheRateChanges() throws {
        try checkMomentumFormsPart(on: try OpenCLTestSupport.makeBackend(), "OpenCL")
    }
}
