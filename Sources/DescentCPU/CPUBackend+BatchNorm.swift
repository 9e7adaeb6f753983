#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

extension CPUBackend {
    public func batchNormForward(
        input: View, parameters: AffineParameters<Buffer>, output: View,
        saved: NormalizationStatistics<Buffer>,
        running: RunningStatistics<Buffer>, shape: MatrixShape,
        hyperparameters: BatchNormHyperparameters
    ) throws {
        try Validation.batchNormForward(
            input: input, parameters: parameters, output: output, saved: saved, running: running,
            shape: shape,
            hyperparameters: hyperparameters)
        let x = input.floats, y = output.floats, gamma = parameters.gamma.floats,
            beta = parameters.beta.floats
        let savedMean = saved.mean.floats, savedInverse = saved.inverseStandardDeviation.floats
        let runningMean = running.mean.floats, runningVariance = running.variance.floats
        let (n, c) = (shape.rows, shape.columns)
        let weight = hyperparameters.newBatchWeight
        for feature in 0..<c {
            // Corrected two-pass (Chan, Golub & LeVeque, 1983): the second pass also sums the
            // deviations, which removes the rounding error of the first mean from both results.
            var sum: Float = 0
            for row in 0..<n { sum += x[row * c + feature] }
            let firstMean = sum / Float(n)
            var deviations: Float = 0, squares: Float = 0
            for row in 0..<n {
                let deviation = x[row * c + feature] - firstMean
                deviations += deviation
                squares += deviation * deviation
            }
            let mean = firstMean + deviations / Float(n)
            let centeredSquares = max(squares - deviations * deviations / Float(n), 0)
            let variance = centeredSquares / Float(n)
            let inverse = 1 / sqrtf(variance + hyperparameters.epsilon)
            for row in 0..<n {
                y[row * c + feature] =
                    gamma[feature] * ((x[row * c + feature] - mean) * inverse) + beta[feature]
            }
            savedMean[feature] = mean
            savedInverse[feature] = inverse
            let runningBatchVariance =
                hyperparameters.unbiasedRunningVariance ? centeredSquares / Float(n - 1) : variance
            runningMean[feature] = (1 - weight) * runningMean[feature] + weight * mean
            runningVariance[feature] =
                (1 - weight) * runningVariance[feature] + weight * runningBatchVariance
        }
    }

    public func batchNormInference(
        input: View, parameters: AffineParameters<Buffer>, running: RunningStatistics<Buffer>,
        output: View,
        shape: MatrixShape, epsilon: Float
    ) throws {
        try Validation.batchNormInference(
            input: input, parameters: parameters, running: running, output: output, shape: shape,
            epsilon: epsilon)
        let x = input.floats, y = output.floats, gamma = parameters.gamma.floats,
            beta = parameters.beta.floats
        let mean = running.mean.floats, variance = running.variance.floats
        let c = shape.columns
        for feature in 0..<c {
            let inverse = 1 / sqrtf(variance[feature] + epsilon)
            for row in 0..<shape.rows {
                y[row * c + feature] =
                    gamma[feature] * ((x[row * c + feature] - mean[feature]) * inverse)
                    + beta[feature]
            }
        }
    }

    public func batchNormBackward(
        input: View, outputGradient: View, gamma: View, saved: NormalizationStatistics<Buffer>,
        inputGradient: View, parameterGradients: AffineParameters<Buffer>, shape: MatrixShape
    ) throws {
        try Validation.normalizationBackward(
            "batchNormBackward", input: input, outputGradient: outputGradient, gamma: gamma,
            saved: saved,
            inputGradient: inputGradient, parameterGradients: parameterGradients, shape: shape,
            groups: shape.columns)
        let x = input.floats, dy = outputGradient.floats, dx = inputGradient.floats,
            g = gamma.floats
        let mean = saved.mean.floats, inverse = saved.inverseStandardDeviation.floats
        let dGamma = parameterGradients.gamma.floats, dBeta = parameterGradients.beta.floats
        let (n, c) = (shape.rows, shape.columns)
        for feature in 0..<c {
            var sumDy: Float = 0, sumDyXhat: Float = 0
            for row in 0..<n {
                let xhat = (x[row * c + feature] - mean[feature]) * inverse[feature]
                sumDy += dy[row * c + feature]
                sumDyXhat += dy[row * c + feature] * xhat
            }
            let factor = g[feature] * inverse[feature] / Float(n)
            for row in 0..<n {
                let xhat = (x[row * c + feature] - mean[feature]) * inverse[feature]
                dx[row * c + feature] =
                    factor * (Float(n) * dy[row * c + feature] - sumDy - xhat * sumDyXhat)
            }
            dGamma[feature] = sumDyXhat
            dBeta[feature] = sumDy
        }
    }
}
