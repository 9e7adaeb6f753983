import DescentCore
import DescentCPU
import DescentOpenCL
import DescentTestSupport
import Testing

/// The fused optimizer step of every rule on OpenCL against the CPU, over arenas of awkward sizes
/// split into several parameter groups with their own learning rates and penalties, for several
/// steps, with and without global-norm clipping.
@Suite(.requiresOpenCL)
struct OptimizerParityTests {
    /// Runs `steps` steps over an arena of `count` parameters split into three groups; returns
    /// the parameters and every state array.
    func train<B: Backend>(
        on backend: B, _ variant: UpdateRuleVariant, count: Int, clipNorm: Float?
    ) throws -> [Float] {
        let stateCount = variant.rule.stateCount
        // |w| >= 0.5: no parameter crosses 0 in these few steps, where the L1 term sign(w) jumps.
        let parameters = try backend.paddedView(
            TestData.uniform(count, seed: 110).map { $0 < 0 ? $0 / 2 - 0.5 : $0 / 2 + 0.5 })
        let gradients = try backend.paddedView([Float](repeating: 0, count: count))
        let states = try (0..<stateCount).map { _ in
            try backend.paddedView([Float](repeating: 0, count: count))
        }
        let scale = try backend.poisoned(1)
        let bounds = [0, count / 3, 2 * count / 3, count]
        for step in 1...6 {
            try backend.upload(
                TestData.uniform(count, seed: 111 + UInt64(step), in: -2...2), to: gradients)
            if let clipNorm {
                try backend.clipScaleForGlobalNorm(
                    gradients: gradients, maxNorm: clipNorm, scale: scale)
            }
            for group in 0..<3 where bounds[group + 1] > bounds[group] {
                let range = (offset: bounds[group], count: bounds[group + 1] - bounds[group])
                func slice(_ view: B.View) throws -> B.View {
                    try view.buffer.view(offset: view.offset + range.offset, count: range.count)
                }
                let optimizerStep = OptimizerStep(
                    rule: variant.rule,
                    learningRate: [0.01, 0.003, 0.02][group] * (step > 3 ? 0.5 : 1),
                    stepNumber: step, l2: [0, 1e-2, 0][group], l1: [0, 0, 1e-3][group],
                    decoupledWeightDecay: [0.01, 0, 0][group], clipValue: group == 1 ? 0.5 : nil)
                try backend.optimizerStep(
                    optimizerStep, parameters: try slice(parameters),
                    gradients: try slice(gradients),
                    state: try states.map(slice), gradientScale: clipNorm == nil ? nil : scale)
            }
        }
        return try ([parameters] + states).flatMap { try backend.download($0) }
    }

    @Test(arguments: UpdateRuleVariants.all)
    func stepMatchesReference(variant: UpdateRuleVariant) throws {
        for count in ParityShapes.reduced ? [1, 33, 1000] : [1, 33, 100_003] {
            for clipNorm in [nil, Float(1)] {
                let expected = try train(
                    on: CPUBackend(), variant, count: count, clipNorm: clipNorm)
                let actual = try train(
                    on: try OpenCLTestSupport.makeBackend(), variant, count: count,
                    clipNorm: clipNorm)
                expectClose(
                    actual, expected, .elementwise,
                    "\(variant.name), \(count) parameters, clip norm \(String(describing: clipNorm))"
                )
            }
        }
    }

    func constrained<B: Backend>(on backend: B, shape: MatrixShape) throws -> [Float] {
        let weights = try backend.paddedView(TestData.uniform(shape.count, seed: 120, in: -1...1))
        try backend.maxNormConstraint(weights: weights, shape: shape, maxNorm: 1.5)
        return try backend.download(weights)
    }

    @Test(arguments: ParityShapes.matrices)
    func maxNormMatchesReference(shape: MatrixShape) throws {
        let expected = try constrained(on: CPUBackend(), shape: shape)
        expectClose(
            try constrained(on: try OpenCLTestSupport.makeBackend(), shape: shape), expected,
            .reduction, "max norm \(shape)")
    }
}
