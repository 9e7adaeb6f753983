import DescentCore

/// A learning rate that is constant between given step boundaries, as Keras's
/// `PiecewiseConstantDecay` [1].
///
///     lr(t) = values[0]   for t <= boundaries[0]
///     lr(t) = values[i]   for boundaries[i-1] < t <= boundaries[i]
///     lr(t) = values[n]   for t > boundaries[n-1]       (n = boundaries.count)
///
/// A boundary belongs to the interval that ends at it: with boundaries `[100, 110]` and values
/// `[1.0, 0.5, 0.1]`, steps 0...100 use 1.0, steps 101...110 use 0.5, and steps from 111 on 0.1.
/// (PyTorch's `MultiStepDecay` changes the rate *at* its milestone instead, one step earlier.)
///
/// [1]: Keras, `keras.optimizers.schedules.PiecewiseConstantDecay`.
public struct PiecewiseConstantDecay: LearningRateSchedule {
    public let boundaries: [Int]
    public let values: [Double]

    /// - Parameters:
    ///   - boundaries: The last step of each interval but the final one; each >= 0, strictly
    ///     increasing. Empty means a constant rate.
    ///   - values: The rate of each interval; one more than `boundaries`, each finite and >= 0.
    ///     They need not decrease.
    /// - Throws: `DescentError.invalidArgument` for a count mismatch, unsorted or negative
    ///   boundaries, or a negative, infinite or NaN value.
    public init(boundaries: [Int], values: [Double]) throws {
        let name = "PiecewiseConstantDecay"
        try ScheduleValidation.require(
            values.count == boundaries.count + 1, name,
            "values must have one more element than boundaries, got \(values.count) values "
                + "for \(boundaries.count) boundaries")
        try ScheduleValidation.increasingSteps(boundaries, minimum: 0, "boundaries", of: name)
        for (index, value) in values.enumerated() {
            try ScheduleValidation.learningRate(value, "values[\(index)]", of: name)
        }
        self.boundaries = boundaries
        self.values = values
    }

    public func learningRate(at step: Int) -> Double {
        let step = max(step, 0)
        return values[boundaries.prefix { $0 < step }.count]
    }

    public var description: String { "PiecewiseConstantDecay(boundaries: \(boundaries), values: \(values))" }
}
