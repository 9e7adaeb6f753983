#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

/// Adadelta (Zeiler, 2012): no learning rate to tune in the original; PyTorch keeps `lr` (1.0) as
/// a factor. rho 0.9, eps 1e-6. `v = rho v + (1 - rho) g^2`; `d = sqrt(u + eps) / sqrt(v + eps) g`;
/// `u = rho u + (1 - rho) d^2`; `w -= lr d`.
public struct Adadelta: Optimizer, UpdateRule {
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

    /// `v`, `u`.
    public var stateCount: Int { 2 }

    public func checkHyperparameters(_ check: HyperparameterCheck) throws {
        try check.decayRate(rho, "rho")
        try check.epsilon(epsilon)
    }

    public func kernel(stepNumber: Int) -> UpdateKernel {
        var kernel = UpdateKernel(rule: "adadelta")
        (kernel.rho, kernel.epsilon) = (rho, epsilon)
        return kernel
    }

    public func apply(
        to arrays: UpdateArrays, learningRate lr: Float, stepNumber: Int, scalars: OptimizerScalars
    ) {
        let w = arrays.parameters, g = arrays.gradients, v = arrays.state[0], u = arrays.state[1]
        for i in 0..<arrays.count {
            v[i] = rho * v[i] + (1 - rho) * g[i] * g[i]
            let delta = sqrtf(u[i] + epsilon) / sqrtf(v[i] + epsilon) * g[i]
            u[i] = rho * u[i] + (1 - rho) * delta * delta
            w[i] -= lr * delta
        }
    }

    public var description: String { "Adadelta(lr: \(learningRate), rho: \(rho))" }
}
