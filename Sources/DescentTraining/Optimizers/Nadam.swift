#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

/// Nadam (Dozat, 2016): Adam with Nesterov momentum and the momentum schedule
/// `mu_t = b1 (1 - 0.5 0.96^(t psi))`. PyTorch: lr 0.002, psi (`momentum_decay`) 0.004. Keras's
/// Nadam has no psi (it uses `0.96^t`, i.e. psi = 1) and eps 1e-7: use `Nadam.keras`.
public struct Nadam: Optimizer {
    /// PyTorch's default rate.
    public static let defaultLearningRate: Float = 0.002

    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var momentumDecay: Double
    public var weightDecay: Float

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

    /// The momentum schedule at `step`, with the product of every `mu` up to it. Recomputed from
    /// the start each time (a product of `step` factors): exact, stateless, and cheap beside the step.
    public func rule(atStep step: Int) -> OptimizerRule {
        let product = (1...max(step, 1)).reduce(1.0) { $0 * momentum(atStep: $1) }
        let next = momentum(atStep: step + 1)
        return .nadam(
            beta1: beta1, beta2: beta2, epsilon: epsilon,
            momentum: NadamMomentum(
                current: momentum(atStep: step), next: next, product: product,
                nextProduct: product * next))
    }

    public var description: String { "Nadam(lr: \(learningRate), psi: \(momentumDecay))" }
}
