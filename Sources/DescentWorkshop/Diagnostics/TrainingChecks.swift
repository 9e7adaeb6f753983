#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentTraining

/// What `SanityChecks.expectedInitialLoss` derives for a loss and labels.
public struct ExpectedLoss: Sendable, Equatable {
    /// The loss of outputs that are all 0, where a sane initialization starts (small weights give
    /// outputs near 0): softmax cross-entropy over C classes gives `ln C` (every class at 1/C:
    /// the notes' `-ln(0.1) = 2.302` for 10 classes, label smoothing included); binary
    /// cross-entropy gives `ln 2` per output (every probability 1/2, whatever the labels); MSE
    /// gives the mean squared target `E[t^2]`, MAE `E|t|`, RMSE `sqrt(E[t^2])`, Huber the mean
    /// Huber loss of the targets.
    public var atZeroOutput: Double
    /// The loss of the best constant prediction, the floor of a model that ignores its inputs:
    /// the entropy of the class frequencies for softmax, the entropy of the label mean
    /// `-(p ln p + (1 - p) ln(1 - p))` for binary cross-entropy, the targets' variance for MSE
    /// (its root for RMSE); nil for MAE and Huber.
    public var constantPredictor: Double?
}

extension SanityChecks {
    /// The loss a model should start at on `data` (see `ExpectedLoss`).
    /// - Throws: `DescentError.invalidArgument` when the labels do not fit the loss.
    public static func expectedInitialLoss(
        _ loss: LossFunction, data: Dataset, outputs: Int
    ) throws -> ExpectedLoss {
        let zeros = ReferenceMatrix(zeros: data.sampleCount, outputs)
        var kinks: [Double] = []
        let atZero = try loss.referenceValue(zeros, labels: ReferenceLabels(data), kinks: &kinks)
        var constant: Double? = nil
        switch loss {
        case .softmaxCrossEntropy:
            constant = (data.classCounts ?? []).reduce(0.0) { sum, count in
                let p = Double(count) / Double(data.sampleCount)
                return p > 0 ? sum - p * log(p) : sum
            }
        case .binaryCrossEntropy, .regression(.meanSquaredError),
            .regression(.rootMeanSquaredError):
            let targets = data.targetValues.map(Double.init), width = data.labelWidth
            var total = 0.0
            for column in 0..<width {
                let values = stride(from: column, to: targets.count, by: width).map { targets[$0] }
                let mean = values.reduce(0, +) / Double(values.count)
                if loss == .binaryCrossEntropy {
                    total +=
                        (mean > 0 ? -mean * log(mean) : 0)
                        + (mean < 1 ? -(1 - mean) * log(1 - mean) : 0)
                } else {
                    total +=
                        values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
                }
            }
            constant = total / Double(width)
            if loss == .regression(.rootMeanSquaredError) { constant = sqrt(total / Double(width)) }
        case .regression:
            constant = nil
        }
        return ExpectedLoss(atZeroOutput: atZero, constantPredictor: constant)
    }

    /// Evaluates the freshly initialized model (inference mode) on up to 1024 samples of `data`
    /// and compares its loss with `expectedInitialLoss` ("look for correct loss at chance
    /// performance"): `loss-at-init-unexpected` (warning) when it is outside
    /// `expected * (1 +- thresholds.initialLossTolerance)`, else an info finding `loss-at-init`
    /// with both values.
    public static func checkInitialLoss<B: Backend>(
        _ architecture: Sequential, inputShape: SampleShape, loss: LossFunction, data: Dataset,
        on backend: B,
        thresholds: SanityThresholds = SanityThresholds()
    ) throws -> [Finding] {
        let sample = try data.gathering(Array(0..<min(1024, data.sampleCount)))
        let trainer = try Trainer(
            architecture: architecture, inputShape: inputShape, on: backend, loss: loss,
            optimizer: SGD(learningRate: 0),
            maxBatch: min(256, sample.sampleCount))
        let initial = try trainer.evaluate(sample).loss
        let expected = try expectedInitialLoss(
            loss, data: sample, outputs: trainer.model.outputFeatures)
        let evidence = [
            "initialLoss": formatScientific(initial),
            "expectedLoss": formatScientific(expected.atZeroOutput),
            "constantPredictorLoss": expected.constantPredictor.map(formatScientific) ?? "n/a",
        ]
        guard
            abs(initial - expected.atZeroOutput) <= thresholds.initialLossTolerance
                * expected.atZeroOutput
        else {
            return [
                Finding(
                    code: "loss-at-init-unexpected", severity: .warning,
                    message:
                        "The loss at initialization is \(formatScientific(initial)), expected about \(formatScientific(expected.atZeroOutput)) for outputs near 0 (\(loss)).",
                    advice: initial > expected.atZeroOutput
                        ? "The outputs start too large: use a fan-scaled initializer (He for ReLU, Glorot for tanh), smaller weights in the last layer, and normalized inputs."
                        : "The loss starts below chance: check for labels leaking into the features or a loss that does not match the labels.",
                    evidence: evidence)
            ]
        }
        return [
            Finding(
                code: "loss-at-init", severity: .info,
                message:
                    "The loss at initialization is \(formatScientific(initial)), as expected (\(formatScientific(expected.atZeroOutput))).",
                advice: "Nothing to do.", evidence: evidence)
        ]
    }

    /// Trains a fresh model on the first `sampleCount` samples of `data` for `steps` full-batch
    /// steps with regularization off (dropout, noise and label smoothing off, no weight decay)
    /// and checks that the loss gets near zero ("overfit a tiny subset of data ... unless you pass
    /// this sanity check with a small dataset it is not worth proceeding"):
    /// `cannot-overfit-small-subset` (error) when it stays above
    /// `thresholds.overfitLossFraction` of the zero-output loss, else an info `overfits-small-subset`.
    /// - Parameter optimizer: nil for Adam at learning rate 0.01.
    public static func overfitSmallSubset<B: Backend>(
        _ architecture: Sequential, inputShape: SampleShape, loss: LossFunction, data: Dataset,
        on backend: B,
        sampleCount: Int = 20, steps: Int = 300, optimizer: (any Optimizer)? = nil,
        thresholds: SanityThresholds = SanityThresholds()
    ) throws -> [Finding] {
        let (subset, plainLoss) = try tinySubset(data, loss: loss, sampleCount: sampleCount)
        let final = try trainSubset(
            architecture, inputShape: inputShape, loss: plainLoss, subset: subset,
            on: backend, steps: steps,
            optimizer: optimizer ?? Adam(learningRate: 0.01))
        let expected = try expectedInitialLoss(plainLoss, data: subset, outputs: final.outputs)
            .atZeroOutput
        let evidence = [
            "samples": "\(subset.sampleCount)", "steps": "\(steps)",
            "finalLoss": formatScientific(final.loss),
            "zeroOutputLoss": formatScientific(expected),
        ]
        guard final.loss <= thresholds.overfitLossFraction * expected else {
            return [
                Finding(
                    code: "cannot-overfit-small-subset", severity: .error,
                    message:
                        "After \(steps) steps on \(subset.sampleCount) samples the loss is \(formatScientific(final.loss)), not near 0 (it starts near \(formatScientific(expected))).",
                    advice:
                        "Fix this before training on everything: check the learning rate (not 0, not too small), that the model has enough capacity (hidden layers with a nonlinearity), the initialization, and that labels match the inputs.",
                    evidence: evidence)
            ]
        }
        return [
            Finding(
                code: "overfits-small-subset", severity: .info,
                message:
                    "The model overfits \(subset.sampleCount) samples: loss \(formatScientific(final.loss)) after \(steps) steps.",
                advice: "Nothing to do.", evidence: evidence)
        ]
    }

    /// Trains the tiny subset twice from the same initial weights, without and with weight decay
    /// `weightDecay`, and checks that the stronger regularization ends at a higher data loss
    /// ("increasing the regularization strength should increase the loss"): an info
    /// `regularization-raises-loss` when it does, a warning `regularization-does-not-raise-loss`
    /// when not (the decay is not applied, or the steps are too few to tell).
    public static func checkRegularization<B: Backend>(
        _ architecture: Sequential, inputShape: SampleShape, loss: LossFunction, data: Dataset,
        on backend: B,
        sampleCount: Int = 20, steps: Int = 150, learningRate: Float = 0.01,
        weightDecay: Float = 0.1
    ) throws -> [Finding] {
        let (subset, plainLoss) = try tinySubset(data, loss: loss, sampleCount: sampleCount)
        let plain = try trainSubset(
            architecture, inputShape: inputShape, loss: plainLoss, subset: subset,
            on: backend, steps: steps,
            optimizer: Adam(learningRate: learningRate))
        let decayed = try trainSubset(
            architecture, inputShape: inputShape, loss: plainLoss, subset: subset,
            on: backend, steps: steps,
            optimizer: Adam(learningRate: learningRate, weightDecay: weightDecay))
        let evidence = [
            "lossWithoutDecay": formatScientific(plain.loss),
            "lossWithDecay": formatScientific(decayed.loss),
            "weightDecay": "\(weightDecay)",
        ]
        guard decayed.loss > plain.loss else {
            return [
                Finding(
                    code: "regularization-does-not-raise-loss", severity: .warning,
                    message:
                        "Weight decay \(weightDecay) did not raise the loss (\(formatScientific(decayed.loss)) against \(formatScientific(plain.loss)) without).",
                    advice:
                        "Check that the regularization reaches the optimizer (weight decay on the weights' parameter groups).",
                    evidence: evidence)
            ]
        }
        return [
            Finding(
                code: "regularization-raises-loss", severity: .info,
                message:
                    "Weight decay \(weightDecay) raises the loss from \(formatScientific(plain.loss)) to \(formatScientific(decayed.loss)), as it should.",
                advice: "Nothing to do.", evidence: evidence)
        ]
    }

    /// Every check before training, in the notes' order: the data, the loss at initialization,
    /// overfitting a tiny subset and the regularization check.
    public static func run<B: Backend>(
        _ architecture: Sequential, inputShape: SampleShape, loss: LossFunction, data: Dataset,
        on backend: B,
        thresholds: SanityThresholds = SanityThresholds()
    ) throws -> [Finding] {
        try checkData(data, loss: loss, thresholds: thresholds)
            + checkInitialLoss(
                architecture, inputShape: inputShape, loss: loss, data: data, on: backend,
                thresholds: thresholds)
            + overfitSmallSubset(
                architecture, inputShape: inputShape, loss: loss, data: data, on: backend,
                thresholds: thresholds)
            + checkRegularization(
                architecture, inputShape: inputShape, loss: loss, data: data, on: backend)
    }

    /// The first `sampleCount` samples, and the loss without label smoothing (a regularizer).
    private static func tinySubset(
        _ data: Dataset, loss: LossFunction, sampleCount: Int
    ) throws -> (Dataset, LossFunction) {
        let subset = try data.gathering(Array(0..<min(max(sampleCount, 1), data.sampleCount)))
        if case .softmaxCrossEntropy = loss { return (subset, .softmaxCrossEntropy) }
        return (subset, loss)
    }

    /// The loss on `subset` (inference mode) after `steps` full-batch steps of a fresh model
    /// with dropout and noise off.
    private static func trainSubset<B: Backend>(
        _ architecture: Sequential, inputShape: SampleShape, loss: LossFunction, subset: Dataset,
        on backend: B, steps: Int,
        optimizer: any Optimizer
    ) throws -> (loss: Double, outputs: Int) {
        let deterministic = GradientCheck(architecture, inputShape: inputShape, loss: loss)
            .deterministicArchitecture
        let trainer = try Trainer(
            architecture: deterministic, inputShape: inputShape, on: backend, loss: loss,
            optimizer: optimizer,
            maxBatch: subset.sampleCount)
        _ = try trainer.fit(subset, epochs: steps, batchSize: subset.sampleCount)
        return (try trainer.evaluate(subset).loss, trainer.model.outputFeatures)
    }
}
