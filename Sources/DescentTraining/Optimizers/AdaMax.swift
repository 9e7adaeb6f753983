import DescentCore

/// AdaMax (Kingma & Ba, 2015, section 7): Adam with the infinity norm. PyTorch: lr 0.002, eps
/// inside the max; Keras: lr 0.001, eps 1e-7 added to the norm.
public struct AdaMax: Optimizer {
    /// PyTorch's default rate.
    public static let defaultLearningRate: Float = 0.002

    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    public var convention: OptimizerConvention

    public init(
        learningRate: Float = AdaMax.defaultLearningRate, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8,
        weightDecay: Float = 0, convention: OptimizerConvention = .pytorch
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.convention = convention
    }

    public func rule(atStep step: Int) -> OptimizerRule {
        .adamax(beta1: beta1, beta2: beta2, epsilon: epsilon, convention: convention)
    }

    public var description: String {
        "AdaMax(lr: \(learningRate)\(convention == .keras ? ", keras" : ""))"
    }
}
