import DescentCore

/// Adam (Kingma & Ba, 2015), with AMSGrad (Reddi, Kale & Kumar, 2018) as an option and AdamW's
/// decoupled decay (Loshchilov & Hutter, 2019) through `AdamW`.
///
/// PyTorch: eps 1e-8 added after the bias corrections. Keras: eps 1e-7 added to `sqrt(v)` with
/// the corrections folded into the step size (the paper's "epsilon hat" form).
public struct Adam: Optimizer {
    /// PyTorch's default rate.
    public static let defaultLearningRate: Float = 0.001

    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var amsgrad: Bool
    public var weightDecay: Float
    public var convention: OptimizerConvention

    /// PyTorch's defaults: lr 0.001, betas (0.9, 0.999), eps 1e-8.
    public init(
        learningRate: Float = Adam.defaultLearningRate, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8,
        amsgrad: Bool = false, weightDecay: Float = 0, convention: OptimizerConvention = .pytorch
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        self.weightDecay = weightDecay
        self.convention = convention
    }

    /// Keras's defaults: lr 0.001, eps 1e-7 in the "epsilon hat" form.
    public static func keras(learningRate: Float = 0.001, amsgrad: Bool = false) -> Adam {
        Adam(learningRate: learningRate, epsilon: 1e-7, amsgrad: amsgrad, convention: .keras)
    }

    public func rule(atStep step: Int) -> OptimizerRule {
        .adam(
            beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad, convention: convention)
    }

    public var description: String {
        "Adam(lr: \(learningRate)\(amsgrad ? ", amsgrad" : "")\(convention == .keras ? ", keras" : ""))"
    }
}
