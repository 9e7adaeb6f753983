#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import Synchronization

/// Nadam (Dozat, 2016): Adam with Nesterov momentum and the momentum schedule
/// `mu_t = b1 (1 - 0.5 0.96^(t psi))`. PyTorch: lr 0.002, psi (`momentum_decay`) 0.004. Keras's
/// Nadam has no psi (it uses `0.96^t`, i.e. psi = 1) and eps 1e-7: use `Nadam.keras`.
///
/// `m`, `v` as Adam, then `w -= lr (1 - mu_t) / (1 - P_t) g / d + lr mu_t+1 / (1 - P_t mu_t+1) m / d`
/// with `d = sqrt(v / (1 - b2^t)) + eps` and `P_t = mu_1 ... mu_t`.
public struct Nadam: Optimizer, UpdateRule {
    /// PyTorch's default rate.
    public static let defaultLearningRate: Float = 0.002

    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var momentumDecay: Double
    public var weightDecay: Float
    /// The last momentum product computed, shared by copies (`momentumProduct(atStep:)`).
    private let products = MomentumProducts()

    public init(
        learningRate: Float = Nadam.defaultLearningRate, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8,
        momentumDecay: Double = 0.004, weightDecay: Float = 0
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.momentumDecay = momentumDecay
        self.weightDecay = weightDecay
    }

    /// Keras's form: `0.96^t` (psi 1), lr 0.001, eps 1e-7.
    public static func keras(learningRate: Float = 0.001) -> Nadam {
        Nadam(learningRate: learningRate, epsilon: 1e-7, momentumDecay: 1)
    }

    /// `mu_t`, 1-based.
    func momentum(atStep step: Int) -> Double {
        Double(beta1) * (1 - 0.5 * pow(0.96, Double(step) * momentumDecay))
    }

    /// `P_t = mu_1 ... mu_t`, multiplied in that order. The product of the last step asked for is
    /// kept, so a run's consecutive steps cost one factor each instead of `t`; an earlier step,
    /// or other hyperparameters, start again from step 1 (the same multiplications: the same
    /// value as a product computed from the start).
    func momentumProduct(atStep step: Int) -> Double {
        products.last.withLock { last in
            var (done, product) = (0, 1.0)
            if let last, last.beta1 == beta1, last.momentumDecay == momentumDecay, last.step <= step
            {
                (done, product) = (last.step, last.product)
            }
            while done < step {
                done += 1
                product *= momentum(atStep: done)
            }
            last = MomentumProducts.Entry(
                beta1: beta1, momentumDecay: momentumDecay, step: step, product: product)
            return product
        }
    }

    /// `m`, `v`.
    public var stateCount: Int { 2 }

    public func checkHyperparameters(_ check: HyperparameterCheck) throws {
        try check.moments(beta1: beta1, beta2: beta2, epsilon: epsilon)
    }

    /// The step on the gradient `lr (1 - mu_t) / (1 - P_t)`, the step on the momentum
    /// `lr mu_t+1 / (1 - P_t mu_t+1)`, and `1 - b2^t`.
    public func scalars(learningRate lr: Double, stepNumber: Int) -> OptimizerScalars {
        let product = momentumProduct(atStep: max(stepNumber, 1))
        let current = momentum(atStep: stepNumber), next = momentum(atStep: stepNumber + 1)
        return OptimizerScalars(
            stepSize: Float(lr * (1 - current) / (1 - product)),
            momentumStepSize: Float(lr * next / (1 - product * next)),
            biasCorrection2: Float(1 - pow(Double(beta2), Double(stepNumber))))
    }

    public func kernel(stepNumber: Int) -> UpdateKernel {
        var kernel = UpdateKernel(rule: "nadam")
        (kernel.beta1, kernel.beta2, kernel.epsilon) = (beta1, beta2, epsilon)
        return kernel
    }

    public func apply(
        to arrays: UpdateArrays, learningRate: Float, stepNumber: Int, scalars: OptimizerScalars
    ) {
        let w = arrays.parameters, g = arrays.gradients, m = arrays.state[0], v = arrays.state[1]
        for i in 0..<arrays.count {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
            let d = sqrtf(v[i] / scalars.biasCorrection2) + epsilon
            w[i] -= scalars.stepSize * g[i] / d + scalars.momentumStepSize * m[i] / d
        }
    }

    public var description: String { "Nadam(lr: \(learningRate), psi: \(momentumDecay))" }
}

/// The last `P_t` a `Nadam` computed, with the hyperparameters it depends on.
private final class MomentumProducts: Sendable {
    struct Entry {
        var beta1: Float
        var momentumDecay: Double
        var step: Int
        var product: Double
    }
    let last = Mutex<Entry?>(nil)
}
