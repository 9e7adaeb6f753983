#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

/// RMSprop (Hinton, Coursera lecture 6e, 2012): divide by a running root mean square of the
/// gradients. PyTorch: alpha 0.99, eps 1e-8 outside the root. Keras: rho 0.9, eps 1e-7 inside the
/// root, and its momentum buffer accumulates `lr g / d` rather than `g / d` (see `apply`).
public struct RMSprop: Optimizer, UpdateRule {
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

    /// `v`, then `a` if centered, then `b` if `momentum != 0`.
    public var stateCount: Int { 1 + (centered ? 1 : 0) + (momentum != 0 ? 1 : 0) }

    public func checkHyperparameters(_ check: HyperparameterCheck) throws {
        try check.decayRate(alpha, "alpha")
        try check.epsilon(epsilon)
        try check.nonNegative(momentum, "momentum")
    }

    public func kernel(stepNumber: Int) -> UpdateKernel {
        var kernel = UpdateKernel(rule: "rmsprop")
        kernel.keras = convention == .keras
        kernel.centered = centered
        (kernel.alpha, kernel.momentum, kernel.epsilon) = (alpha, momentum, epsilon)
        return kernel
    }

    /// `v = alpha v + (1 - alpha) g^2`; centered: `a = alpha a + (1 - alpha) g` and `v - a^2`
    /// replaces `v`. PyTorch: `d = sqrt(v) + eps`; Keras: `d = sqrt(v + eps)`. Without momentum
    /// `w -= lr g / d`; with it PyTorch keeps `b = momentum b + g / d`, `w -= lr b`, and Keras
    /// `b = momentum b + lr g / d`, `w -= b`.
    public func apply(
        to arrays: UpdateArrays, learningRate lr: Float, stepNumber: Int, scalars: OptimizerScalars
    ) {
        let w = arrays.parameters, g = arrays.gradients, v = arrays.state[0]
        for i in 0..<arrays.count {
            v[i] = alpha * v[i] + (1 - alpha) * g[i] * g[i]
            var meanSquare = v[i]
            if centered {
                let a = arrays.state[1]
                a[i] = alpha * a[i] + (1 - alpha) * g[i]
                meanSquare -= a[i] * a[i]
            }
            let d = convention == .keras ? sqrtf(meanSquare + epsilon) : sqrtf(meanSquare) + epsilon
            guard momentum != 0 else {
                w[i] -= lr * g[i] / d
                continue
            }
            let b = arrays.state[centered ? 2 : 1]
            if convention == .keras {
                b[i] = momentum * b[i] + lr * g[i] / d
                w[i] -= b[i]
            } else {
                b[i] = momentum * b[i] + g[i] / d
                w[i] -= lr * b[i]
            }
        }
    }

    public var description: String {
        "RMSprop(lr: \(learningRate), alpha: \(alpha)\(centered ? ", centered" : "")\(convention == .keras ? ", keras" : ""))"
    }
}
