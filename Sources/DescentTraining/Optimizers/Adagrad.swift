#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

/// Adagrad (Duchi, Hazan & Singer, 2011): per-parameter rates shrinking with the sum of squared
/// gradients. PyTorch: `s += g^2`, `w -= lr / (1 + (t - 1) lrDecay) g / (sqrt(s) + eps)`, eps 1e-10,
/// `s` starting at `initialAccumulator` (0). Keras: eps 1e-7 inside the root,
/// `w -= lr g / sqrt(s + eps)`, accumulator starting at 0.1 (use `Adagrad.keras`).
public struct Adagrad: Optimizer, UpdateRule {
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

    /// `s`, which starts at `initialAccumulator`.
    public var stateCount: Int { 1 }

    public func checkHyperparameters(_ check: HyperparameterCheck) throws {
        try check.nonNegative(learningRateDecay, "the learning-rate decay")
        try check.require(
            convention == .pytorch || learningRateDecay == 0,
            "Keras's Adagrad has no learning-rate decay, got \(learningRateDecay)")
        try check.epsilon(epsilon)
    }

    /// The step size `lr / (1 + (t - 1) lrDecay)` (PyTorch) or `lr` (Keras).
    public func scalars(learningRate lr: Double, stepNumber: Int) -> OptimizerScalars {
        guard convention == .pytorch else { return OptimizerScalars(stepSize: Float(lr)) }
        return OptimizerScalars(
            stepSize: Float(lr / (1 + Double(stepNumber - 1) * Double(learningRateDecay))))
    }

    public func kernel(stepNumber: Int) -> UpdateKernel {
        var kernel = UpdateKernel(rule: "adagrad")
        kernel.keras = convention == .keras
        kernel.epsilon = epsilon
        return kernel
    }

    public func apply(
        to arrays: UpdateArrays, learningRate: Float, stepNumber: Int, scalars: OptimizerScalars
    ) {
        let w = arrays.parameters, g = arrays.gradients, s = arrays.state[0]
        for i in 0..<arrays.count {
            s[i] += g[i] * g[i]
            w[i] -=
                convention == .keras
                ? scalars.stepSize * g[i] / sqrtf(s[i] + epsilon)
                : scalars.stepSize * g[i] / (sqrtf(s[i]) + epsilon)
        }
    }

    public func initialStateValue(_ index: Int) -> Float { initialAccumulator }

    public var description: String {
        "Adagrad(lr: \(learningRate)\(convention == .keras ? ", keras" : ""))"
    }
}
