#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

extension CPUBackend {
    public func layerNormForward(
        input: View, parameters: AffineParameters<Buffer>, output: View,
        saved: NormalizationStatistics<Buffer>,
        shape: MatrixShape, epsilon: Float
    ) throws {
        try Validation.layerNormForward(
            input: input, parameters: parameters, output: output, saved: saved, shape: shape,
            epsilon: epsilon)
        let x = input.floats, y = output.floats, gamma = parameters.gamma.floats,
            beta = parameters.beta.floats
        let savedMean = saved.mean.floats, savedInverse = saved.inverseStandardDeviation.floats
        let c = shape.columns
        for row in 0..<shape.rows {
            let start = row * c
            // Corrected two-pass, as in batch norm.
            var sum: Float = 0
            for column in 0..<c { sum += x[start + column] }
            let firstMean = sum / Float(c)
            var deviations: Float = 0, squares: Float = 0
            for column in 0..<c {
                let deviation = x[start + column] - firstMean
                deviations += deviation
                squares += deviation * deviation
            }
            let mean = firstMean + deviations / Float(c)
            let variance = max(squares - deviations * deviations / Float(c), 0) / Float(c)
            let inverse = 1 / sqrtf(variance + epsilon)
            for column in 0..<c {
                y[start + column] =
                    gamma[column] * ((x[start + column] - mean) * inverse) + beta[column]
            }
            savedMean[row] = mean
            savedInverse[row] = inverse
        }
    }

    public func layerNormBackward(
        input: View, outputGradient: View, gamma: View, saved: NormalizationStatistics<Buffer>,
        inputGradient: View, parameterGradients: AffineParameters<Buffer>, shape: MatrixShape
    ) throws {
        try Validation.normalizationBackward(
            "layerNormBackward", input: input, outputGradient: outputGradient, gamma: gamma,
            saved: saved,
            inputGradient: inputGradient, parameterGradients: parameterGradients, shape: shape,
            groups: shape.rows)
        let x = input.floats, dy = outputGradient.floats, dx = inputGradient.floats,
            g = gamma.floats
        let mean = saved.mean.floats, inverse = saved.inverseStandardDeviation.floats
        let dGamma = parameterGradients.gamma.floats, dBeta = parameterGradients.beta.floats
        let c = shape.columns
        // The parameter gradients first: dx may overwrite dy.
        for column in 0..<c {
            var sumDy: Float = 0, sumDyXhat: Float = 0
            for row in 0..<shape.rows {
                let xhat = (x[row * c + column] - mean[row]) * inverse[row]
                sumDy += dy[row * c + column]
                sumDyXhat += dy[row * c + column] * xhat
            }
            dGamma[column] = sumDyXhat
            dBeta[column] = sumDy
        }
        for row in 0..<shape.rows {
            let start = row * c
            var sumG: Float = 0, sumGXhat: Float = 0
            for column in 0..<c {
                let gradient = dy[start + column] * g[column]
                sumG += gradient
                sumGXhat += gradient * ((x[start + column] - mean[row]) * inverse[row])
            }
            for column in 0..<c {
                let xhat = (x[start + column] - mean[row]) * inverse[row]
                let gradient = dy[start + column] * g[column]
                dx[start + column] =
                    inverse[row] / Float(c) * (Float(c) * gradient - sumG - xhat * sumGXhat)
            }
        }
    }
}
