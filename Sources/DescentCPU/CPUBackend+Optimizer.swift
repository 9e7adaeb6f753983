#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

extension CPUBackend {
    /// The steps every rule shares (global-norm scale, clipping, penalties, decoupled decay),
    /// then the rule's own reference update, `UpdateRule.apply`.
    public func optimizerStep(
        _ step: OptimizerStep, parameters: View, gradients: View, state: [View],
        gradientScale: View?
    ) throws {
        try Validation.optimizerStep(
            step, parameters: parameters, gradients: gradients, state: state,
            gradientScale: gradientScale)
        let w = parameters.floats, gradient = gradients.floats
        let lr = step.learningRate, scale = gradientScale?.floats[0] ?? 1
        let effective = [Float](unsafeUninitializedCapacity: w.count) { g, count in
            for i in 0..<w.count {
                var value = scale * gradient[i]
                if let clip = step.clipValue { value = min(max(value, -clip), clip) }
                g[i] = value + (step.l2 * w[i] + step.l1 * sign(w[i]))
                if step.decoupledWeightDecay != 0 { w[i] *= 1 - lr * step.decoupledWeightDecay }
            }
            count = w.count
        }
        effective.withUnsafeBufferPointer { g in
            step.rule.apply(
                to: UpdateArrays(parameters: w, gradients: g, state: state.map(\.floats)),
                learningRate: lr, stepNumber: step.stepNumber,
                scalars: step.rule.scalars(
                    learningRate: Double(step.learningRate), stepNumber: step.stepNumber))
        }
    }

    public func clipScaleForGlobalNorm(gradients: View, maxNorm: Float, scale: View) throws {
        try Validation.clipScale(gradients: gradients, maxNorm: maxNorm, scale: scale)
        // Accumulated in Double: the reference should not lose digits over millions of parameters.
        var squares: Double = 0
        for value in gradients.floats { squares += Double(value) * Double(value) }
        scale.floats[0] = min(1, maxNorm / (Float(squares.squareRoot()) + 1e-6))
    }

    public func maxNormConstraint(weights: View, shape: MatrixShape, maxNorm: Float) throws {
        try Validation.maxNorm(weights: weights, shape: shape, maxNorm: maxNorm)
        let w = weights.floats
        for column in 0..<shape.columns {
            var squares: Float = 0
            for row in 0..<shape.rows {
                squares += w[row * shape.columns + column] * w[row * shape.columns + column]
            }
            let norm = sqrtf(squares)
            let factor = min(norm, maxNorm) / (norm + 1e-7)
            for row in 0..<shape.rows { w[row * shape.columns + column] *= factor }
        }
    }
}

/// The sign of `x`: -1, 0 or 1 (0 for 0 and NaN), as OpenCL's `sign` for the L1 penalty.
func sign(_ x: Float) -> Float {
    x > 0 ? 1 : x < 0 ? -1 : 0
}
