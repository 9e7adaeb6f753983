import DescentCore

/// A learning rate that is a constant fraction of the base rate between given boundaries, as
/// Keras's `PiecewiseConstantDecay` [1] with its values divided by the first.
///
///     lr(t) = base * fractions[0]   for t <= boundaries[0]
///     lr(t) = base * fractions[i]   for boundaries[i-1] < t <= boundaries[i]
///     lr(t) = base * fractions[n]   for t > boundaries[n-1]       (n = boundaries.count)
///
/// A boundary belongs to the interval that ends at it: with boundaries `[.steps(100),
/// .steps(110)]` and fractions `[1, 0.5, 0.1]`, steps 0...100 use the base rate, steps 101...110
/// half of it, and steps from 111 on a tenth. (`MultiStepDecay` changes the rate *at* its
/// milestone instead, one step earlier.)
///
/// [1]: Keras, `keras.optimizers.schedules.PiecewiseConstantDecay`.
public struct PiecewiseConstantDecay: LearningRateSchedule {
    public let boundaries: [TrainingDuration]
    public let fractions: [Double]

    /// - Parameters:
    ///   - boundaries: The end of each interval but the final one; all in steps or all in epochs,
    ///     each >= 0, strictly increasing. Empty means a constant rate.
    ///   - fractions: The rate of each interval, a fraction of the base; one more than
    ///     `boundaries`, each finite and >= 0. They need not decrease.
    /// - Throws: `DescentError.invalidArgument` for a count mismatch, unsorted or negative
    ///   boundaries, or a negative, infinite or NaN fraction.
    public init(boundaries: [TrainingDuration], fractions: [Double]) throws {
        let name = "PiecewiseConstantDecay"
        try ScheduleValidation.require(
            fractions.count == boundaries.count + 1, name,
            "fractions must have one more element than boundaries, got \(fractions.count) fractions "
                + "for \(boundaries.count) boundaries")
        try ScheduleValidation.increasing(boundaries, minimum: 0, "boundaries", of: name)
        for (index, fraction) in fractions.enumerated() {
            try ScheduleValidation.fraction(fraction, "fractions[\(index)]", of: name)
        }
        self.boundaries = boundaries
        self.fractions = fractions
    }

    public func learningRate(at step: Int, base: Double, stepsPerEpoch: Int) -> Double {
        let step = max(step, 0)
        return base
            * fractions[boundaries.prefix { $0.steps(perEpoch: stepsPerEpoch) < step }.count]
    }

    public var countsEpochs: Bool { boundaries.contains(where: \.isInEpochs) }

    public var description: String {
        "PiecewiseConstantDecay(boundaries: \(boundaries), fractions: \(fractions))"
    }
}
