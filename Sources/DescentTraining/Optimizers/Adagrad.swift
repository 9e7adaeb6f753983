import DescentCore

/// Adagrad (Duchi, Hazan & Singer, 2011): per-parameter rates shrinking with the sum of squared
/// gradients. PyTorch: `s += g^2`, `w -= lr / (1 + (t - 1) lrDecay) g / (sqrt(s) + eps)`, eps 1e-10,
/// `s` starting at `initialAccumulator` (0). Keras: eps 1e-7 inside the root,
/// `w -= lr g / sqrt(s + eps)`, accumulator starting at 0.1 (use `Adagrad.keras`).
public struct Adagrad: Optimizer {
    /// PyTorch's default rate.
    public static let defaultLearningRate: Float = 0.01

    public var learningRate: Float
    public var learningRateDecay: Float
    public var initialAccumulator: Float
    public var epsilon: Float
    public var weightDecay: Float
    public var convention: OptimizerConvention

    /// PyTorch's defaults: lr 0.01, no decay, accumulator 0, eps 1e-10.
    public init(
        learningRate: Float = Adagrad.defaultLearningRate, learningRateDecay: Float = 0,
        initialAccumulator: Float = 0,
        epsilon: Float = 1e-10, weightDecay: Float = 0, convention: OptimizerConvention = .pytorch
    ) {
        self.learningRate = learningRate
        self.learningRateDecay = learningRateDecay
        self.initialAccumulator = initialAccumulator
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.convention = convention
    }

    /// Keras's defaults: lr 0.001, accumulator 0.1, eps 1e-7 inside the root.
    public static func keras(learningRate: Float = 0.001) -> Adagrad {
        Adagrad(
            learningRate: learningRate, initialAccumulator: 0.1, epsilon: 1e-7, convention: .keras)
    }

    public func rule(atStep step: Int) -> OptimizerRule {
        .adagrad(learningRateDecay: learningRateDecay, epsilon: epsilon, convention: convention)
    }

    public func initialStateValue(_ index: Int) -> Float { initialAccumulator }

    public var description: String {
        "Adagrad(lr: \(learningRate)\(convention == .keras ? ", keras" : ""))"
    }
}
