#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

/// AdaMax (Kingma & Ba, 2015, section 7): Adam with the infinity norm. PyTorch: lr 0.002, eps
/// inside the max; Keras: lr 0.001, eps 1e-7 added to the norm.
///
/// `m = b1 m + (1 - b1) g`. PyTorch: `u = max(b2 u, |g| + eps)`, `w -= lr / (1 - b1^t) m / u`.
/// Keras: `u = max(b2 u, |g|)`, `w -= lr / (1 - b1^t) m / (u + eps)`.
public struct AdaMax: Optimizer, UpdateRule {
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

    /// `m`, `u`.
    public var stateCount: Int { 2 }

    public func checkHyperparameters(_ check: HyperparameterCheck) throws {
        try check.moments(beta1: beta1, beta2: beta2, epsilon: epsilon)
    }

    /// The step size `lr / (1 - b1^t)`.
    public func scalars(learningRate lr: Double, stepNumber: Int) -> OptimizerScalars {
        OptimizerScalars(stepSize: Float(lr / (1 - pow(Double(beta1), Double(stepNumber)))))
    }

    public func kernel(stepNumber: Int) -> UpdateKernel {
        var kernel = UpdateKernel(rule: "adamax")
        kernel.keras = convention == .keras
        (kernel.beta1, kernel.beta2, kernel.epsilon) = (beta1, beta2, epsilon)
        return kernel
    }

    public func apply(
        to arrays: UpdateArrays, learningRate: Float, stepNumber: Int, scalars: OptimizerScalars
    ) {
        let w = arrays.parameters, g = arrays.gradients, m = arrays.state[0], u = arrays.state[1]
        for i in 0..<arrays.count {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            if convention == .keras {
                u[i] = max(beta2 * u[i], abs(g[i]))
                w[i] -= scalars.stepSize * m[i] / (u[i] + epsilon)
            } else {
                u[i] = max(beta2 * u[i], abs(g[i]) + epsilon)
                w[i] -= scalars.stepSize * m[i] / u[i]
            }
        }
    }

    public var description: String {
        "AdaMax(lr: \(learningRate)\(convention == .keras ? ", keras" : ""))"
    }
}
