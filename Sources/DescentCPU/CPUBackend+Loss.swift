#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

extension CPUBackend {
    public func softmaxCrossEntropy(
        logits: View, labels: View, shape: MatrixShape, options: CrossEntropyOptions<Buffer>,
        sampleWeights: View?, outputs: LossOutputs<Buffer>
    ) throws {
        try Validation.softmaxCrossEntropy(
            logits: logits, labels: labels, shape: shape, options: options,
            sampleWeights: sampleWeights, outputs: outputs)
        let z = logits.floats, y = labels.int32s, (n, c) = (shape.rows, shape.columns)
        if let bad = (0..<n).first(where: { y[$0] < 0 || Int(y[$0]) >= c }) {
            throw DescentError.invalidArgument(
                operation: "softmaxCrossEntropy",
                reason: Validation.invalidLabelReason(label: y[bad], sample: bad, classes: c))
        }
        let weights = options.classWeights?.floats, s = sampleWeights?.floats
        let smoothing = options.labelSmoothing
        let classWeight = { (k: Int) -> Float in weights?[k] ?? 1 }
        var totalWeight: Float = 0
        for k in 0..<c { totalWeight += classWeight(k) }

        var weightedLoss: Float = 0, normalizer: Float = 0
        var rowScales = [Float](repeating: 0, count: n)
        for row in 0..<n {
            let start = row * c, label = Int(y[row])
            var rowMax = z[start]
            for k in 1..<c where z[start + k] > rowMax { rowMax = z[start + k] }
            var sum: Float = 0
            for k in 0..<c { sum += expf(z[start + k] - rowMax) }
            // -log p_k = (max - z_k) + log(sum): the difference first, so that large logits keep
            // the digits that max + log(sum) would round away.
            let logSum = logf(sum)
            let negativeLogProbability = { (k: Int) -> Float in (rowMax - z[start + k]) + logSum }
            var smoothed: Float = 0
            for k in 0..<c { smoothed += classWeight(k) * negativeLogProbability(k) }
            let loss =
                (1 - smoothing) * classWeight(label) * negativeLogProbability(label) + smoothing
                / Float(c) * smoothed
            let sampleWeight = s?[row] ?? 1
            outputs.perSampleLoss?.floats[row] = loss
            // A row of weight 0 (padding) contributes nothing, even if it holds NaN.
            if sampleWeight != 0 {
                weightedLoss += sampleWeight * loss
                normalizer += sampleWeight * classWeight(label)
            }
            rowScales[row] = sampleWeight
        }
        outputs.loss.floats[0] = normalizer == 0 ? 0 : weightedLoss / normalizer
        guard let gradient = outputs.inputGradient?.floats else { return }
        let scale: Float = normalizer == 0 ? 0 : 1 / normalizer
        for row in 0..<n {
            let start = row * c, label = Int(y[row])
            var rowMax = z[start]
            for k in 1..<c where z[start + k] > rowMax { rowMax = z[start + k] }
            var sum: Float = 0
            for k in 0..<c { sum += expf(z[start + k] - rowMax) }
            for k in 0..<c {
                guard rowScales[row] != 0 else {
                    gradient[start + k] = 0
                    continue
                }
                let p = expf(z[start + k] - rowMax) / sum
                let hard = (1 - smoothing) * classWeight(label) * (p - (k == label ? 1 : 0))
                let soft = smoothing / Float(c) * (totalWeight * p - classWeight(k))
                gradient[start + k] = rowScales[row] * (hard + soft) * scale
            }
        }
    }

    public func binaryCrossEntropy(
        logits: View, targets: View, shape: MatrixShape, positiveWeight: View?,
        sampleWeights: View?,
        outputs: LossOutputs<Buffer>
    ) throws {
        try Validation.binaryCrossEntropy(
            logits: logits, targets: targets, shape: shape, positiveWeight: positiveWeight,
            sampleWeights: sampleWeights, outputs: outputs)
        let positive = positiveWeight?.floats
        try elementwiseLoss(
            input: logits, targets: targets, shape: shape, sampleWeights: sampleWeights,
            outputs: outputs
        ) {
            z, t, column in
            let logWeight = 1 + ((positive?[column] ?? 1) - 1) * t
            let softplusOfMinusZ = log1pf(expf(-abs(z))) + max(-z, 0)
            let loss = (1 - t) * z + logWeight * softplusOfMinusZ
            return (loss, (1 - t) - logWeight * ActivationMath.sigmoid(-z))
        }
    }

    public func regressionLoss(
        _ loss: RegressionLoss, predictions: View, targets: View, shape: MatrixShape,
        sampleWeights: View?,
        outputs: LossOutputs<Buffer>
    ) throws {
        try Validation.regressionLoss(
            loss, predictions: predictions, targets: targets, shape: shape,
            sampleWeights: sampleWeights, outputs: outputs)
        try elementwiseLoss(
            input: predictions, targets: targets, shape: shape, sampleWeights: sampleWeights,
            outputs: outputs,
            rootOfMean: loss == .rootMeanSquaredError
        ) { prediction, target, _ in
            let x = prediction - target
            switch loss {
            case .meanSquaredError, .rootMeanSquaredError: return (x * x, 2 * x)
            case .meanAbsoluteError: return (abs(x), x > 0 ? 1 : x < 0 ? -1 : 0)
            case .huber(let delta):
                return abs(x) < delta
                    ? (0.5 * x * x, x) : (delta * (abs(x) - 0.5 * delta), x > 0 ? delta : -delta)
            }
        }
    }

    /// The losses that are a mean over each sample's D elements of `element(input, target, column)`,
    /// which returns the element's loss and its derivative. With `rootOfMean` the batch loss is
    /// the root of the mean and each sample's value the root of its own mean.
    private func elementwiseLoss(
        input: View, targets: View, shape: MatrixShape, sampleWeights: View?,
        outputs: LossOutputs<Buffer>,
        rootOfMean: Bool = false, element: (Float, Float, Int) -> (loss: Float, derivative: Float)
    ) throws {
        let x = input.floats, t = targets.floats, s = sampleWeights?.floats,
            (n, d) = (shape.rows, shape.columns)
        var weightedLoss: Float = 0, normalizer: Float = 0
        for row in 0..<n {
            var sum: Float = 0
            for column in 0..<d {
                sum += element(x[row * d + column], t[row * d + column], column).loss
            }
            let mean = sum / Float(d)
            let sampleWeight = s?[row] ?? 1
            outputs.perSampleLoss?.floats[row] = rootOfMean ? sqrtf(mean) : mean
            // A row of weight 0 (padding) contributes nothing, even if it holds NaN.
            if sampleWeight != 0 {
                weightedLoss += sampleWeight * mean
                normalizer += sampleWeight
            }
        }
        let mean = normalizer == 0 ? 0 : weightedLoss / normalizer
        outputs.loss.floats[0] = rootOfMean ? sqrtf(mean) : mean
        guard let gradient = outputs.inputGradient?.floats else { return }
        // d(root of M)/dM = 1 / (2 root of M), taken as 0 at M = 0.
        let chain: Float = rootOfMean ? (mean > 0 ? 1 / (2 * sqrtf(mean)) : 0) : 1
        let scale: Float = normalizer == 0 ? 0 : chain / (normalizer * Float(d))
        for row in 0..<n {
            let sampleWeight = s?[row] ?? 1
            for column in 0..<d {
                let index = row * d + column
                gradient[index] =
                    sampleWeight == 0
                    ? 0 : sampleWeight * element(x[index], t[index], column).derivative * scale
            }
        }
    }
}
