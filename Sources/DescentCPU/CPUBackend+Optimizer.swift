#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

extension CPUBackend {
    public func optimizerStep(
        _ step: OptimizerStep, parameters: View, gradients: View, state: [View],
        gradientScale: View?
    ) throws {
        try Validation.optimizerStep(
            step, parameters: parameters, gradients: gradients, state: state,
            gradientScale: gradientScale)
        let w = parameters.floats, gradient = gradients.floats, s = state.map(\.floats)
        let scalars = OptimizerScalars(step)
        let lr = step.learningRate, scale = gradientScale?.floats[0] ?? 1
        for i in 0..<w.count {
            var g = scale * gradient[i]
            if let clip = step.clipValue { g = min(max(g, -clip), clip) }
            g += step.l2 * w[i] + step.l1 * sign(w[i])
            if step.decoupledWeightDecay != 0 { w[i] *= 1 - lr * step.decoupledWeightDecay }

            switch step.rule {
            case .sgd(let momentum, let dampening, let nesterov, let convention):
                guard momentum != 0 else {
                    w[i] -= lr * g
                    break
                }
                if convention == .keras {
                    s[0][i] = momentum * s[0][i] - lr * g
                    w[i] += nesterov ? momentum * s[0][i] - lr * g : s[0][i]
                } else {
                    s[0][i] = step.stepNumber == 1 ? g : momentum * s[0][i] + (1 - dampening) * g
                    w[i] -= lr * (nesterov ? g + momentum * s[0][i] : s[0][i])
                }
            case .adagrad(_, let epsilon, let convention):
                s[0][i] += g * g
                w[i] -=
                    convention == .keras
                    ? scalars.stepSize * g / sqrtf(s[0][i] + epsilon)
                    : scalars.stepSize * g / (sqrtf(s[0][i]) + epsilon)
            case .rmsprop(let alpha, let epsilon, let momentum, let centered, let convention):
                s[0][i] = alpha * s[0][i] + (1 - alpha) * g * g
                var meanSquare = s[0][i]
                if centered {
                    s[1][i] = alpha * s[1][i] + (1 - alpha) * g
                    meanSquare -= s[1][i] * s[1][i]
                }
                let denominator =
                    convention == .keras ? sqrtf(meanSquare + epsilon) : sqrtf(meanSquare) + epsilon
                if momentum != 0 {
                    let buffer = s[centered ? 2 : 1]
                    if convention == .keras {
                        buffer[i] = momentum * buffer[i] + lr * g / denominator
                        w[i] -= buffer[i]
                    } else {
                        buffer[i] = momentum * buffer[i] + g / denominator
                        w[i] -= lr * buffer[i]
                    }
                } else {
                    w[i] -= lr * g / denominator
                }
            case .adadelta(let rho, let epsilon):
                s[0][i] = rho * s[0][i] + (1 - rho) * g * g
                let delta = sqrtf(s[1][i] + epsilon) / sqrtf(s[0][i] + epsilon) * g
                s[1][i] = rho * s[1][i] + (1 - rho) * delta * delta
                w[i] -= lr * delta
            case .adam(let beta1, let beta2, let epsilon, let amsgrad, let convention):
                s[0][i] = beta1 * s[0][i] + (1 - beta1) * g
                s[1][i] = beta2 * s[1][i] + (1 - beta2) * g * g
                var second = s[1][i]
                if amsgrad {
                    s[2][i] = max(s[2][i], s[1][i])
                    second = s[2][i]
                }
                w[i] -=
                    convention == .keras
                    ? scalars.stepSize * s[0][i] / (sqrtf(second) + epsilon)
                    : scalars.stepSize * s[0][i]
                        / (sqrtf(second) / scalars.biasCorrection2Root + epsilon)
            case .adamax(let beta1, let beta2, let epsilon, let convention):
                s[0][i] = beta1 * s[0][i] + (1 - beta1) * g
                if convention == .keras {
                    s[1][i] = max(beta2 * s[1][i], abs(g))
                    w[i] -= scalars.stepSize * s[0][i] / (s[1][i] + epsilon)
                } else {
                    s[1][i] = max(beta2 * s[1][i], abs(g) + epsilon)
                    w[i] -= scalars.stepSize * s[0][i] / s[1][i]
                }
            case .nadam(let beta1, let beta2, let epsilon, _):
                s[0][i] = beta1 * s[0][i] + (1 - beta1) * g
                s[1][i] = beta2 * s[1][i] + (1 - beta2) * g * g
                let denominator = sqrtf(s[1][i] / scalars.biasCorrection2) + epsilon
                w[i] -=
                    scalars.stepSize * g / denominator + scalars.momentumStepSize * s[0][i]
                    / denominator
            }
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
