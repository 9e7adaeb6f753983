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
        running: RunningStatistics<Buffer>, shape: ChannelShape,
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
        let n = Float(shape.valuesPerChannel)
        let weight = hyperparameters.newBatchWeight
        for channel in 0..<shape.channels {
            let indices = shape.indices(of: channel)
            // Corrected two-pass (Chan, Golub & LeVeque, 1983): the second pass also sums the
            // deviations, which removes the rounding error of the first mean from both results.
            var sum: Float = 0
            for i in indices { sum += x[i] }
            let firstMean = sum / n
            var deviations: Float = 0, squares: Float = 0
            for i in indices {
                let deviation = x[i] - firstMean
                deviations += deviation
                squares += deviation * deviation
            }
            let mean = firstMean + deviations / n
            let centeredSquares = max(squares - deviations * deviations / n, 0)
            let variance = centeredSquares / n
            let inverse = 1 / sqrtf(variance + hyperparameters.epsilon)
            for i in indices { y[i] = gamma[channel] * ((x[i] - mean) * inverse) + beta[channel] }
            savedMean[channel] = mean
            savedInverse[channel] = inverse
            let runningBatchVariance =
                hyperparameters.unbiasedRunningVariance ? centeredSquares / (n - 1) : variance
            runningMean[channel] = (1 - weight) * runningMean[channel] + weight * mean
            runningVariance[channel] =
                (1 - weight) * runningVariance[channel] + weight * runningBatchVariance
        }
    }

    public func batchNormInference(
        input: View, parameters: AffineParameters<Buffer>, running: RunningStatistics<Buffer>,
        output: View,
        shape: ChannelShape, epsilon: Float
    ) throws {
        try Validation.batchNormInference(
            input: input, parameters: parameters, running: running, output: output, shape: shape,
            epsilon: epsilon)
        let x = input.floats, y = output.floats, gamma = parameters.gamma.floats,
            beta = parameters.beta.floats
        let mean = running.mean.floats, variance = running.variance.floats
        for channel in 0..<shape.channels {
            let inverse = 1 / sqrtf(variance[channel] + epsilon)
            for i in shape.indices(of: channel) {
                y[i] = gamma[channel] * ((x[i] - mean[channel]) * inverse) + beta[channel]
            }
        }
    }

    public func batchNormBackward(
        input: View, outputGradient: View, gamma: View, saved: NormalizationStatistics<Buffer>,
        inputGradient: View, parameterGradients: AffineParameters<Buffer>, shape: ChannelShape
    ) throws {
        try Validation.batchNormBackward(
            input: input, outputGradient: outputGradient, gamma: gamma, saved: saved,
            inputGradient: inputGradient, parameterGradients: parameterGradients, shape: shape)
        let x = input.floats, dy = outputGradient.floats, dx = inputGradient.floats,
            g = gamma.floats
        let mean = saved.mean.floats, inverse = saved.inverseStandardDeviation.floats
        let dGamma = parameterGradients.gamma.floats, dBeta = parameterGradients.beta.floats
        for channel in 0..<shape.channels {
            var sumDy: Float = 0, sumDyXhat: Float = 0
            for i in shape.indices(of: channel) {
                let xhat = (x[i] - mean[channel]) * inverse[channel]
                sumDy += dy[i]
                sumDyXhat += dy[i] * xhat
            }
            dGamma[channel] = sumDyXhat
            dBeta[channel] = sumDy
        }
        Self.batchNormInputGradient(
            x: x, dy: dy, gamma: g, mean: mean, inverse: inverse, sumDyXhat: dGamma, sumDy: dBeta,
            dx: dx, shape: shape)
    }

    public func batchNormInputGradient(
        input: View, outputGradient: View, gamma: View, saved: NormalizationStatistics<Buffer>,
        sums: AffineParameters<Buffer>, inputGradient: View, shape: ChannelShape
    ) throws {
        try Validation.batchNormInputGradient(
            input: input, outputGradient: outputGradient, gamma: gamma, saved: saved, sums: sums,
            inputGradient: inputGradient, shape: shape)
        Self.batchNormInputGradient(
            x: input.floats, dy: outputGradient.floats, gamma: gamma.floats,
            mean: saved.mean.floats, inverse: saved.inverseStandardDeviation.floats,
            sumDyXhat: sums.gamma.floats, sumDy: sums.beta.floats, dx: inputGradient.floats,
            shape: shape)
    }

    /// `dx = gamma istd / N (N dy - sumDy - xhat sumDyXhat)` per channel: backward's second pass,
    /// from its own sums or from sums over ranks. `dx` may be `dy`.
    private typealias Floats = UnsafeMutableBufferPointer<Float>

    private static func batchNormInputGradient(
        x: Floats, dy: Floats, gamma: Floats, mean: Floats, inverse: Floats, sumDyXhat: Floats,
        sumDy: Floats, dx: Floats, shape: ChannelShape
    ) {
        let n = Float(shape.valuesPerChannel)
        for channel in 0..<shape.channels {
            let factor = gamma[channel] * inverse[channel] / n
            for i in shape.indices(of: channel) {
                let xhat = (x[i] - mean[channel]) * inverse[channel]
                dx[i] = factor * (n * dy[i] - sumDy[channel] - xhat * sumDyXhat[channel])
            }
        }
    }
}

extension ChannelShape {
    /// The element indices of `channel`'s values in the order every backend sums them: sample by
    /// sample, each sample's values in memory order.
    fileprivate func indices(of channel: Int) -> some Sequence<Int> {
        (0..<batch).lazy.flatMap { sample in
            let start = (sample * channels + channel) * spatial
            return start..<(start + spatial)
        }
    }
}
