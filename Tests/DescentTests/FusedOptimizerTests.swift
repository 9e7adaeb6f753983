import Descent
import DescentTestSupport
import Testing

/// The arena runner: groups, launches per step, schedules, clipping and constraints.
@Suite(.requiresOpenCL)
struct FusedOptimizerTests {
    /// As in PyTorch, a group's `weightDecay` is the optimizer's kind of decay: for AdamW the
    /// decoupled one, so the group that the model gives its biases (decay 0) does not shrink.
    @Test(arguments: [false, true])
    func aGroupsWeightDecayIsAdamWsDecoupledDecay(onOpenCL: Bool) throws {
        func run<B: Backend>(_ backend: B) throws -> [Float] {
            let parameters = try backend.makeBuffer([Float](repeating: 2, count: 8))
            let gradients = try backend.makeBuffer([Float](repeating: 0, count: 8))
            let optimizer = try FusedOptimizer(
                AdamW(learningRate: 0.1, weightDecay: 0.5), on: backend, parameterCount: 8,
                groups: [
                    ParameterGroup(range: 0..<4), ParameterGroup(range: 4..<8, weightDecay: 0),
                ])
            try optimizer.step(parameters: parameters.view, gradients: gradients.view)
            return try backend.download(parameters.view)
        }
        let values = onOpenCL ? try run(try OpenCLTestSupport.makeBackend()) : try run(CPUBackend())
        #expect(
            values[0..<4].allSatisfy { abs($0 - 2 * (1 - 0.1 * 0.5)) < 1e-6 }, "decayed: \(values)")
        #expect(
            values[4..<8].allSatisfy { $0 == 2 },
            "a group with weight decay 0 keeps its values: \(values)")
    }

    @Test func oneLaunchPerGroupPerStep() throws {
        let backend = try OpenCLTestSupport.makeBackend()
        let count = 10_000
        let parameters = try backend.makeBuffer(TestData.uniform(count, seed: 1))
        let gradients = try backend.makeBuffer(TestData.uniform(count, seed: 2))
        let groups = [
            ParameterGroup(range: 0..<6000), ParameterGroup(range: 6000..<9000, weightDecay: 0),
            ParameterGroup(range: 9000..<10_000, learningRateScale: 0.1),
        ]
        let optimizer = try FusedOptimizer(
            Adam(), on: backend, parameterCount: count, groups: groups)
        try optimizer.step(parameters: parameters.view, gradients: gradients.view)
        let before = backend.kernelLaunchCount
        try optimizer.step(parameters: parameters.view, gradients: gradients.view)
        #expect(backend.kernelLaunchCount - before == 3, "one fused launch per group")

        optimizer.clipping = GradientClipping(globalNorm: 1)
        let clipped = backend.kernelLaunchCount
        try optimizer.step(parameters: parameters.view, gradients: gradients.view)
        // The norm: two reduction launches and one to turn it into a factor; then the groups.
        #expect(backend.kernelLaunchCount - clipped == 3 + 3)
        #expect(optimizer.stepCount == 3)
    }

    func run<B: Backend>(on backend: B) throws -> [Float] {
        let count = 257
        let parameters = try backend.makeBuffer(TestData.uniform(count, seed: 3))
        let gradients = try backend.makeBuffer(count: count)
        let matrix = MaxNormConstraint(
            offset: 7, shape: MatrixShape(rows: 10, columns: 20), maxNorm: 0.8)
        let optimizer = try FusedOptimizer(
            SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 1e-3), on: backend,
            parameterCount: count,
            groups: [
                ParameterGroup(range: 0..<250, l1: 1e-3, maxNorm: [matrix]),
                ParameterGroup(range: 250..<257, weightDecay: 0),
            ],
            schedule: try StepDecay(every: .steps(3), gamma: 0.5),
            clipping: GradientClipping(value: 0.9, globalNorm: 5))
        for step in 0..<8 {
            try backend.upload(
                TestData.uniform(count, seed: 10 + UInt64(step), in: -2...2), to: gradients.view)
            try optimizer.step(parameters: parameters.view, gradients: gradients.view)
        }
        return try backend.download(parameters.view)
            + optimizer.state.flatMap { try backend.download($0.view) }
    }

    @Test func everythingTogetherMatchesOnBothBackends() throws {
        let expected = try run(on: CPUBackend())
        expectClose(
            try run(on: try OpenCLTestSupport.makeBackend()), expected, .elementwise,
            "SGD with groups, schedule, clipping, max-norm")
    }

    @Test func maxNormHoldsAfterEachStep() throws {
        let backend = CPUBackend()
        let shape = MatrixShape(rows: 4, columns: 3)
        let parameters = try backend.makeBuffer([Float](repeating: 2, count: shape.count))
        let gradients = try backend.makeBuffer([Float](repeating: -1, count: shape.count))
        let optimizer = try FusedOptimizer(
            SGD(learningRate: 1), on: backend, parameterCount: shape.count,
            groups: [
                ParameterGroup(
                    range: 0..<shape.count,
                    maxNorm: [MaxNormConstraint(offset: 0, shape: shape, maxNorm: 2)])
            ])
        try optimizer.step(parameters: parameters.view, gradients: gradients.view)
        // Each column is (3, 3, 3, 3), norm 6, scaled to norm 2: every weight 1 (to 1e-7).
        for value in try backend.download(parameters.view) { #expect(abs(value - 1) < 1e-6) }
    }

    @Test func plateauReducerDrivesTheOneRate() throws {
        let backend = CPUBackend()
        let optimizer = try FusedOptimizer(SGD(learningRate: 0.1), on: backend, parameterCount: 4)
        var reducer = try PlateauReducer(patience: 0)
        for metric in [1.0, 1.0] {
            optimizer.learningRate = Float(
                reducer.observe(metric, learningRate: Double(optimizer.learningRate)))
        }
        #expect(abs(optimizer.learningRate(of: optimizer.groups[0]) - 0.01) < 1e-9)
    }

    /// The schedule shapes the optimizer's rate: no second rate to disagree with.
    @Test func theScheduleShapesTheOptimizersRate() throws {
        let optimizer = try FusedOptimizer(
            SGD(learningRate: 0.2), on: CPUBackend(), parameterCount: 4,
            schedule: try CosineAnnealing(duration: .steps(10)))
        #expect(optimizer.learningRate(of: optimizer.groups[0]) == 0.2)
        optimizer.learningRate = 0.4
        #expect(optimizer.learningRate(of: optimizer.groups[0]) == 0.4)
    }

    /// A schedule in epochs needs the steps per epoch, which only `Trainer.fit` knows.
    @Test func aScheduleInEpochsNeedsTheStepsPerEpoch() throws {
        let backend = CPUBackend()
        let optimizer = try FusedOptimizer(
            SGD(learningRate: 0.2), on: backend, parameterCount: 4,
            schedule: try StepDecay(every: .epochs(1)))
        let parameters = try backend.makeBuffer(count: 4),
            gradients = try backend.makeBuffer(count: 4)
        do {
            try optimizer.step(parameters: parameters.view, gradients: gradients.view)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("counts epochs"), "\(error)")
        }
        optimizer.stepsPerEpoch = 2
        try optimizer.step(parameters: parameters.view, gradients: gradients.view)
        try optimizer.step(parameters: parameters.view, gradients: gradients.view)
        #expect(
            abs(optimizer.learningRate(of: optimizer.groups[0]) - 0.02) < 1e-9,
            "dropped after one epoch of 2 steps")
    }

    @Test func badGroupsAndArenasAreTypedErrors() throws {
        let backend = CPUBackend()
        #expect(throws: DescentError.self) {
            _ = try FusedOptimizer(
                Adam(), on: backend, parameterCount: 10, groups: [ParameterGroup(range: 0..<11)])
        }
        #expect(throws: DescentError.self) {
            _ = try FusedOptimizer(
                Adam(), on: backend, parameterCount: 10,
                groups: [ParameterGroup(range: 0..<6), ParameterGroup(range: 5..<10)])
        }
        let optimizer = try FusedOptimizer(Adam(learningRate: -1), on: backend, parameterCount: 10)
        let ten = try backend.makeBuffer(count: 10), gradients = try backend.makeBuffer(count: 10)
        let nine = try backend.makeBuffer(count: 9)
        try backend.fill(ten.view, with: 0)
        try backend.fill(gradients.view, with: 0)
        let error = try #require(throws: DescentError.self) {
            try optimizer.step(parameters: ten.view, gradients: gradients.view)
        }
        #expect(error.description.contains("learning rate") && error.description.contains("-1"))
        #expect(throws: DescentError.self) {
            try optimizer.step(parameters: ten.view, gradients: nine.view)
        }
    }
}
