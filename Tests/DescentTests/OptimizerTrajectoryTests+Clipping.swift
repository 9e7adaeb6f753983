import Descent
import DescentTestSupport
import Testing

// Global-norm clipping and parameter groups against the Double references of
// ReferenceOptimizers.swift, on both backends (the trajectory helpers are in
// OptimizerTrajectoryTests.swift).

/// Gradients whose global norm is computed: a size, the clipping threshold, and the range of the values.
struct NormCase: Sendable, CustomTestStringConvertible {
    let count: Int
    let maxNorm: Float
    let range: ClosedRange<Float>

    var testDescription: String { "\(count) gradients in \(range), max norm \(maxNorm)" }

    var gradients: [Float] { TestData.uniform(count, seed: 77 + UInt64(count), in: range) }

    static let all: [NormCase] = [
        NormCase(count: 1, maxNorm: 0.5, range: -3...3),  // clipped: the factor is maxNorm / |g|
        NormCase(count: 7, maxNorm: 1, range: -3...3),  // clipped
        NormCase(count: 7, maxNorm: 100, range: -3...3),  // not clipped: the factor is 1
        NormCase(count: 1000, maxNorm: 2, range: -0.1...0.1),  // clipped, small values
        NormCase(count: 100_003, maxNorm: 10, range: -1...1),  // clipped, several work-groups
    ]
}

/// `clipScaleForGlobalNorm` against `min(1, maxNorm / (||g|| + 1e-6))` in Double, the gradients
/// at an offset inside NaN padding (a read outside the view would give NaN). The norm is a sum of
/// squares in float32 on the device: within 1e-5 relative up to 10^5 elements (a tree sum's
/// error grows with log n, a Double sum's not at all).
func checkClipScale<B: Backend>(_ c: NormCase, on backend: B, _ backendName: String) throws {
    let gradients = c.gradients
    let scale = try backend.poisoned(1)
    try backend.clipScaleForGlobalNorm(
        gradients: try backend.paddedView(gradients), maxNorm: c.maxNorm, scale: scale)
    let expected = ReferenceGradient.globalNormFactor(
        gradients.map(Double.init), maxNorm: Double(c.maxNorm))
    expectClose(
        try backend.download(scale), [Float(expected)], trajectoryTolerance,
        "\(c) on \(backendName)")
}

/// A `FusedOptimizer` step with global-norm clipping equals the step without clipping on the
/// gradients multiplied beforehand by the reference factor: 50 steps, the norm of the gradients
/// above `maxNorm` 9 on 16 of them (factors 0.61 to 0.99) and below it on the others, so that
/// both the clipped and the unclipped branch are taken.
func checkClippedStepIsPrescaledStep<B: Backend>(
    _ optimizer: any Optimizer, on backend: B, _ backendName: String
) throws {
    let count = Trajectory.count, maxNorm: Float = 9
    let clippedParameters = try backend.makeBuffer(Trajectory.initial(count))
    let prescaledParameters = try backend.makeBuffer(Trajectory.initial(count))
    let gradients = try backend.makeBuffer(count: count),
        prescaled = try backend.makeBuffer(count: count)
    let clipped = try FusedOptimizer(
        optimizer, on: backend, parameterCount: count,
        clipping: GradientClipping(globalNorm: maxNorm))
    let plain = try FusedOptimizer(optimizer, on: backend, parameterCount: count)
    var factors: [Double] = []
    for step in 1...Trajectory.steps {
        let g = Trajectory.gradient(step: step, count: count)
        let factor = ReferenceGradient.globalNormFactor(
            g.map(Double.init), maxNorm: Double(maxNorm))
        factors.append(factor)
        try backend.upload(g, to: gradients.view)
        try backend.upload(g.map { Float(Double($0) * factor) }, to: prescaled.view)
        try clipped.step(parameters: clippedParameters.view, gradients: gradients.view)
        try plain.step(parameters: prescaledParameters.view, gradients: prescaled.view)
        let actual = try backend.download(clippedParameters.view),
            expected = try backend.download(prescaledParameters.view)
        if !agree(actual, expected) {
            expectClose(
                actual, expected, trajectoryTolerance,
                "\(optimizer) on \(backendName), first step off: \(step)")
            break
        }
    }
    #expect(
        factors.contains { $0 < 0.9 } && factors.contains { $0 == 1 }, "both branches: \(factors)")
}

/// The arena of the group test: two groups with their own learning-rate scale and weight decay,
/// and two parameters between them in no group, which must not move.
struct GroupCase: Sendable, CustomTestStringConvertible {
    let name: String
    let optimizer: any Optimizer
    /// The reference for `count` parameters with coupled weight decay `weightDecay`.
    let reference: @Sendable (_ count: Int, _ weightDecay: Double) -> any ReferenceRule

    var testDescription: String { name }

    static let count = 2 * Trajectory.count
    /// Group A takes the optimizer's weight decay (0.01) and rate; group B a quarter of the rate
    /// and a weight decay of 0.2; the two parameters between them are in no group.
    static let a = 0..<Trajectory.count, b = (Trajectory.count + 2)..<count
    static let groups = [
        ParameterGroup(range: a),
        ParameterGroup(range: b, learningRateScale: 0.25, weightDecay: 0.2),
    ]

    static let all: [GroupCase] = [
        GroupCase(
            name: "SGD momentum",
            optimizer: SGD(learningRate: 0.01, momentum: 0.9, weightDecay: 0.01)
        ) {
            TorchSGD(count: $0, momentum: f(0.9), weightDecay: $1)
        },
        GroupCase(name: "Adam", optimizer: Adam(learningRate: 0.01, weightDecay: 0.01)) {
            TorchAdam(count: $0, beta1: f(0.9), beta2: f(0.999), epsilon: f(1e-8), weightDecay: $1)
        },
        GroupCase(
            name: "RMSprop centered + momentum",
            optimizer: RMSprop(learningRate: 1e-3, momentum: 0.9, centered: true, weightDecay: 0.01)
        ) {
            TorchRMSprop(
                count: $0, alpha: f(0.99), epsilon: f(1e-8), momentum: f(0.9), centered: true,
                weightDecay: $1)
        },
    ]
}

/// Each group follows its own reference, with its own rate and decay and its own state.
func checkGroups<B: Backend>(_ c: GroupCase, on backend: B, _ backendName: String) throws {
    let count = GroupCase.count
    let initial = Trajectory.initial(count)
    let parameters = try backend.makeBuffer(initial)
    let gradients = try backend.makeBuffer(count: count)
    let optimizer = try FusedOptimizer(
        c.optimizer, on: backend, parameterCount: count, groups: GroupCase.groups)
    let lr = Double(c.optimizer.learningRate)
    let (ra, rb) = (GroupCase.a, GroupCase.b)
    var a = c.reference(ra.count, f(0.01)), b = c.reference(rb.count, f(0.2))
    var w = initial.map(Double.init)
    for step in 1...Trajectory.steps {
        let g = Trajectory.gradient(step: step, count: count)
        try backend.upload(g, to: gradients.view)
        try optimizer.step(parameters: parameters.view, gradients: gradients.view)
        let gd = g.map(Double.init)
        var wa = Array(w[ra]), wb = Array(w[rb])
        a.step(&wa, Array(gd[ra]), lr: lr)
        b.step(&wb, Array(gd[rb]), lr: lr * 0.25)
        w.replaceSubrange(ra, with: wa)
        w.replaceSubrange(rb, with: wb)
        let actual = try backend.download(parameters.view), expected = w.map { Float($0) }
        if !agree(actual, expected) {
            expectClose(
                actual, expected, trajectoryTolerance,
                "\(c.name) groups on \(backendName), first step off: \(step)")
            return
        }
    }
    #expect(
        Array(try backend.download(parameters.view)[ra.upperBound..<rb.lowerBound])
            == Array(initial[ra.upperBound..<rb.lowerBound]), "the parameters in no group stay")
}

let clippingOptimizers: [any Optimizer] = [
    SGD(learningRate: 0.01, momentum: 0.9), Adam(learningRate: 0.01), RMSprop.keras(momentum: 0.9),
]

@Suite struct OptimizerClippingAndGroupsCPUTests {
    @Test(arguments: NormCase.all) func clipScaleMatchesReference(_ c: NormCase) throws {
        try checkClipScale(c, on: CPUBackend(), "CPU")
    }

    @Test(arguments: clippingOptimizers) func clippedStepIsPrescaledStep(
        _ optimizer: any Optimizer
    ) throws {
        try checkClippedStepIsPrescaledStep(optimizer, on: CPUBackend(), "CPU")
    }

    @Test(arguments: GroupCase.all) func groupsFollowTheirReferences(_ c: GroupCase) throws {
        try checkGroups(c, on: CPUBackend(), "CPU")
    }
}

@Suite(.requiresOpenCL) struct OptimizerClippingAndGroupsOpenCLTests {
    @Test(arguments: NormCase.all) func clipScaleMatchesReference(_ c: NormCase) throws {
        try checkClipScale(c, on: try OpenCLTestSupport.makeBackend(), "OpenCL")
    }

    @Test(arguments: clippingOptimizers) func clippedStepIsPrescaledStep(
        _ optimizer: any Optimizer
    ) throws {
        try checkClippedStepIsPrescaledStep(
            optimizer, on: try OpenCLTestSupport.makeBackend(), "OpenCL")
    }

    @Test(arguments: GroupCase.all) func groupsFollowTheirReferences(_ c: GroupCase) throws {
        try checkGroups(c, on: try OpenCLTestSupport.makeBackend(), "OpenCL")
    }
}
