/// A length in a learning-rate schedule, in optimizer steps or in epochs, so that the unit is part
/// of the value and cannot be misread: `.epochs(5)` is five passes over the training set whatever
/// the batch size, `.steps(500)` five hundred updates. `Trainer.fit` turns epochs into steps with
/// its steps per epoch (the number of batches of an epoch).
public enum TrainingDuration: Sendable, Hashable, CustomStringConvertible {
    /// A number of optimizer steps (updates); >= 0.
    case steps(Int)
    /// A number of epochs, fractions allowed (`.epochs(0.5)`: half an epoch); finite and >= 0.
    case epochs(Double)

    /// The length in steps for `stepsPerEpoch` steps per epoch: epochs are rounded to the nearest
    /// step; the result is clamped to `0...2^62` (a negative or NaN length is 0), so that it never
    /// traps and arithmetic on it cannot overflow.
    public func steps(perEpoch stepsPerEpoch: Int) -> Int {
        let limit = 1 << 62
        switch self {
        case .steps(let steps):
            return min(max(steps, 0), limit)
        case .epochs(let epochs):
            let steps = (epochs * Double(max(stepsPerEpoch, 1))).rounded()
            guard steps > 0 else { return 0 }
            return steps < Double(limit) ? Int(steps) : limit
        }
    }

    /// The length as a number in its own unit (steps or epochs), for comparing two lengths of one
    /// unit.
    var amount: Double {
        switch self {
        case .steps(let steps): Double(steps)
        case .epochs(let epochs): epochs
        }
    }

    /// Whether the length is given in epochs (and so needs the steps per epoch).
    public var isInEpochs: Bool {
        if case .epochs = self { return true }
        return false
    }

    /// Whether the length is 0.
    public var isZero: Bool {
        switch self {
        case .steps(let steps): steps == 0
        case .epochs(let epochs): epochs == 0
        }
    }

    public var description: String {
        switch self {
        case .steps(let steps): ".steps(\(steps))"
        case .epochs(let epochs): ".epochs(\(epochs))"
        }
    }
}
