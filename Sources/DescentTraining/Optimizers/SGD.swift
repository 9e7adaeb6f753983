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
public struct SGD: Optimizer, UpdateRule {
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

    /// The momentum buffer when `momentum != 0`.
    public var stateCount: Int { momentum != 0 ? 1 : 0 }

    public func checkHyperparameters(_ check: HyperparameterCheck) throws {
        try check.nonNegative(momentum, "momentum")
        try check.nonNegative(dampening, "dampening")
        try check.require(
            !nesterov || (momentum > 0 && dampening == 0),
            "Nesterov momentum needs momentum > 0 and dampening 0, got \(momentum) and \(dampening)"
        )
    }

    public func kernel(stepNumber: Int) -> UpdateKernel {
        var kernel = UpdateKernel(rule: "sgd")
        kernel.keras = convention == .keras
        kernel.nesterov = nesterov
        kernel.firstStep = stepNumber == 1
        (kernel.momentum, kernel.dampening) = (momentum, dampening)
        return kernel
    }

    public func apply(
        to arrays: UpdateArrays, learningRate lr: Float, stepNumber: Int, scalars: OptimizerScalars
    ) {
        let w = arrays.parameters, g = arrays.gradients
        guard momentum != 0 else {
            for i in 0..<arrays.count { w[i] -= lr * g[i] }
            return
        }
        let b = arrays.state[0]
        for i in 0..<arrays.count {
            if convention == .keras {
                b[i] = momentum * b[i] - lr * g[i]
                w[i] += nesterov ? momentum * b[i] - lr * g[i] : b[i]
            } else {
                b[i] = stepNumber == 1 ? g[i] : momentum * b[i] + (1 - dampening) * g[i]
                w[i] -= lr * (nesterov ? g[i] + momentum * b[i] : b[i])
            }
        }
    }

    public var description: String {
        "SGD(lr: \(learningRate), momentum: \(momentum)\(nesterov ? ", nesterov" : "")\(convention == .keras ? ", keras" : ""))"
    }
}
