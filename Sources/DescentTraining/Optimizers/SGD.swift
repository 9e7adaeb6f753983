import DescentCore

/// Stochastic gradient descent, with optional momentum, dampening and Nesterov momentum.
///
/// PyTorch (`torch.optim.SGD`): `b = g` on the first step, then `b = momentum b + (1 - dampening) g`;
/// `w -= lr (g + momentum b)` with Nesterov, else `w -= lr b`. Keras (`keras.optimizers.SGD`):
/// `v = momentum v - lr g`; `w += v`, or `w += momentum v - lr g` with Nesterov. The two agree
/// while the learning rate is constant and part ways when a schedule changes it [1].
///
/// [1]: Sutskever, Martens, Dahl & Hinton, "On the importance of initialization and momentum in
///      deep learning", ICML 2013.
public struct SGD: Optimizer {
    /// The rate when none is given: 0.01, as Keras (PyTorch requires one).
    public static let defaultLearningRate: Float = 0.01

    public var learningRate: Float
    public var momentum: Float
    public var dampening: Float
    public var nesterov: Bool
    public var weightDecay: Float
    public var convention: OptimizerConvention

    /// PyTorch's defaults (no momentum, no dampening, no weight decay), and Keras's rate 0.01
    /// when none is given (PyTorch requires one).
    public init(
        learningRate: Float = SGD.defaultLearningRate, momentum: Float = 0, dampening: Float = 0,
        nesterov: Bool = false,
        weightDecay: Float = 0, convention: OptimizerConvention = .pytorch
    ) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.convention = convention
    }

    public func rule(atStep step: Int) -> OptimizerRule {
        .sgd(momentum: momentum, dampening: dampening, nesterov: nesterov, convention: convention)
    }

    public var description: String {
        "SGD(lr: \(learningRate), momentum: \(momentum)\(nesterov ? ", nesterov" : "")\(convention == .keras ? ", keras" : ""))"
    }
}
