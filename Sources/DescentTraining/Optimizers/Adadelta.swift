import DescentCore

/// Adadelta (Zeiler, 2012): no learning rate to tune in the original; PyTorch keeps `lr` (1.0) as
/// a factor. rho 0.9, eps 1e-6.
public struct Adadelta: Optimizer {
    /// PyTorch's default rate, a factor on the update.
    public static let defaultLearningRate: Float = 1

    public var learningRate: Float
    public var rho: Float
    public var epsilon: Float
    public var weightDecay: Float

    public init(
        learningRate: Float = Adadelta.defaultLearningRate, rho: Float = 0.9, epsilon: Float = 1e-6,
        weightDecay: Float = 0
    ) {
        self.learningRate = learningRate
        self.rho = rho
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public func rule(atStep step: Int) -> OptimizerRule { .adadelta(rho: rho, epsilon: epsilon) }

    public var description: String { "Adadelta(lr: \(learningRate), rho: \(rho))" }
}
