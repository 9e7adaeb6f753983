import DescentCore

/// RMSprop (Hinton, Coursera lecture 6e, 2012): divide by a running root mean square of the
/// gradients. PyTorch: alpha 0.99, eps 1e-8 outside the root. Keras: rho 0.9, eps 1e-7 inside the
/// root, and its momentum buffer accumulates `lr g / d` rather than `g / d` (see `OptimizerRule`).
public struct RMSprop: Optimizer {
    /// PyTorch's default rate.
    public static let defaultLearningRate: Float = 0.01

    public var learningRate: Float
    public var alpha: Float
    public var epsilon: Float
    public var momentum: Float
    public var centered: Bool
    public var weightDecay: Float
    public var convention: OptimizerConvention

    /// PyTorch's defaults: lr 0.01, alpha 0.99, eps 1e-8, no momentum, not centered.
    public init(
        learningRate: Float = RMSprop.defaultLearningRate, alpha: Float = 0.99,
        epsilon: Float = 1e-8, momentum: Float = 0,
        centered: Bool = false, weightDecay: Float = 0, convention: OptimizerConvention = .pytorch
    ) {
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.centered = centered
        self.weightDecay = weightDecay
        self.convention = convention
    }

    /// Keras's defaults: lr 0.001, rho 0.9, eps 1e-7 inside the root.
    public static func keras(
        learningRate: Float = 0.001, momentum: Float = 0, centered: Bool = false
    ) -> RMSprop {
        RMSprop(
            learningRate: learningRate, alpha: 0.9, epsilon: 1e-7, momentum: momentum,
            centered: centered, convention: .keras)
    }

    public func rule(atStep step: Int) -> OptimizerRule {
        .rmsprop(
            alpha: alpha, epsilon: epsilon, momentum: momentum, centered: centered,
            convention: convention)
    }

    public var description: String {
        "RMSprop(lr: \(learningRate), alpha: \(alpha)\(centered ? ", centered" : "")\(convention == .keras ? ", keras" : ""))"
    }
}
