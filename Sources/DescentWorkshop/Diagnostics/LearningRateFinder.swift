#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentTraining

/// The loss against the learning rate of a range test, and the rates it suggests.
public struct LearningRateCurve: Sendable, Equatable {
    /// The learning rate of each step, growing exponentially.
    public var learningRates: [Double]
    /// Each step's batch loss.
    public var losses: [Double]
    /// The losses under a bias-corrected exponential moving average (fast.ai's `lr_find`).
    public var smoothedLosses: [Double]
    /// The rate where the smoothed loss falls fastest against `log(lr)`, before its minimum.
    public var steepest: Double?
    /// The rate of the smallest smoothed loss, divided by 10 (past the minimum, training is
    /// already unstable).
    public var minimumOverTen: Double?

    /// `steepest`, else `minimumOverTen`.
    public var suggestion: Double? { steepest ?? minimumOverTen }

    /// The losses worth seeing: from the smoothed curve's minimum to its highest value before
    /// that minimum (where it started), with a margin; the divergence at the end, which can be
    /// many times larger, is cut off. Nil when the smoothed curve is flat or empty.
    public var usefulLossRange: ClosedRange<Double>? {
        let finite = smoothedLosses.enumerated().filter { $0.element.isFinite }
        guard let lowest = finite.min(by: { $0.element < $1.element }) else { return nil }
        let start = finite.filter { $0.offset <= lowest.offset }.map(\.element).max()
        guard let start, start > lowest.element else { return nil }
        let margin = 0.15 * (start - lowest.element)
        return (lowest.element - margin)...(start + margin)
    }
}

/// The learning-rate range test (Smith, "Cyclical Learning Rates for Training Neural Networks",
/// WACV 2017; fast.ai's `lr_find`): train a fresh model for a few hundred steps while the
/// learning rate grows exponentially from `minimum` to `maximum`, record the loss of every step,
/// and stop once the smoothed loss exceeds `divergenceFactor` times its best. The loss falls
/// fastest around a good learning rate; the minimum marks where training starts to diverge.
public struct LearningRateFinder: Sendable {
    public var minimum: Double = 1e-6
    public var maximum: Double = 10
    public var steps: Int = 200
    /// The weight of the past in the moving average (0.98, as fast.ai).
    public var smoothing: Double = 0.98
    public var divergenceFactor: Double = 4
    /// The most steps a sweep may take (a range test takes a few hundred).
    public static let maximumSteps = 100_000

    public init(minimum: Double = 1e-6, maximum: Double = 10, steps: Int = 200) {
        self.minimum = minimum
        self.maximum = maximum
        self.steps = steps
    }

    /// Runs the test on `backend` with batches of `batchSize` drawn in order from `data`
    /// shuffled with `seed` (cycling when it runs out).
    /// - Parameter optimizer: makes the optimizer; its learning rate is replaced at every step.
    /// - Throws: `DescentError.invalidArgument` for a bad range or step count; training errors.
    public func run<B: Backend>(
        _ architecture: Sequential, inputShape: SampleShape, loss: LossFunction,
        optimizer: any Optimizer, data: Dataset,
        batchSize: Int, on backend: B, seed: UInt64 = 0
    ) throws -> LearningRateCurve {
        guard minimum > 0, maximum > minimum, (2...Self.maximumSteps).contains(steps),
            batchSize >= 1
        else {
            throw DescentError.invalidArgument(
                operation: "LearningRateFinder",
                reason:
                    "needs 0 < minimum < maximum, 2...\(Self.maximumSteps) steps and a batch size >= 1"
            )
        }
        let batch = min(batchSize, data.sampleCount)
        let trainer = try Trainer(
            architecture: architecture, inputShape: inputShape, on: backend, loss: loss,
            optimizer: optimizer, maxBatch: batch)
        let shuffled = data.shuffled(seed: seed)
        let features = try backend.makeBuffer(shuffled.features)
        let labels = try trainer.labels(of: shuffled), lossValue = try backend.makeBuffer(count: 1)
        let batches = shuffled.sampleCount / batch

        var curve = LearningRateCurve(
            learningRates: [], losses: [], smoothedLosses: [], steepest: nil, minimumOverTen: nil)
        var average = 0.0, best = Double.infinity
        for step in 0..<steps {
            let rate = minimum * pow(maximum / minimum, Double(step) / Double(steps - 1))
            let start = (step % max(batches, 1)) * batch
            trainer.optimizer.learningRate = Float(rate)
            try trainer.trainingStep(
                try features.view(
                    offset: start * inputShape.count, count: batch * inputShape.count),
                labels: labels, start: start,
                batch: batch, loss: lossValue.view)
            let value = Double(try backend.download(lossValue.view)[0])
            guard value.isFinite else { break }
            average = smoothing * average + (1 - smoothing) * value
            let smoothed = average / (1 - pow(smoothing, Double(step + 1)))
            curve.learningRates.append(rate)
            curve.losses.append(value)
            curve.smoothedLosses.append(smoothed)
            best = min(best, smoothed)
            if smoothed > divergenceFactor * best { break }
        }
        suggest(&curve)
        return curve
    }

    /// Fills in the steepest descent (skipping the first tenth of the steps, where the moving
    /// average is still settling) and the minimum over 10.
    private func suggest(_ curve: inout LearningRateCurve) {
        let smoothed = curve.smoothedLosses
        guard let lowest = smoothed.indices.min(by: { smoothed[$0] < smoothed[$1] }) else { return }
        curve.minimumOverTen = curve.learningRates[lowest] / 10
        let first = max(1, smoothed.count / 10)
        guard lowest > first else { return }
        let slopes = (first...lowest).map { i in
            (smoothed[i] - smoothed[i - 1])
                / (log(curve.learningRates[i]) - log(curve.learningRates[i - 1]))
        }
        if let steepest = slopes.indices.min(by: { slopes[$0] < slopes[$1] }), slopes[steepest] < 0
        {
            curve.steepest = curve.learningRates[first + steepest]
        }
    }
}
