import Descent

/// A problem whose best learning rate is known: gradient descent on `f(w) = (w1^2 + 10 w2^2) / 2`
/// from `w = (1, 1)`, 5 steps per epoch. A rate above 0.2 diverges along `w2`; the best rate for
/// 15 steps is near 0.18. The "validation loss" is `f(w) + 0.01` (a noise floor).
enum QuadraticProblem {
    static func validationLosses(learningRate lr: Double, epochs: Int) -> [Double] {
        var w = (1.0, 1.0)
        return (0..<epochs).map { _ in
            for _ in 0..<5 { w = (w.0 * (1 - lr), w.1 * (1 - 10 * lr)) }
            return (w.0 * w.0 + 10 * w.1 * w.1) / 2 + 0.01
        }
    }

    /// A runner for a space with `lr` (and anything else, which it ignores), counting its calls.
    final class Runner {
        var calls: [(TrialConfiguration, Int)] = []
        var failAfter: Int?

        struct Interrupted: Error {}

        func run(_ configuration: TrialConfiguration, _ epochs: Int) throws -> TrialResult {
            if let failAfter, calls.count >= failAfter { throw Interrupted() }
            calls.append((configuration, epochs))
            let lr = configuration["lr"]?.numeric ?? 0.01
            return TrialResult(
                validationMetric: QuadraticProblem.validationLosses(
                    learningRate: lr, epochs: epochs), wallSeconds: 0.01)
        }
    }
}
