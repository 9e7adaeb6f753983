#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The per-step scalars of an `OptimizerStep`, computed once on the host in Double and rounded to
/// float, so that every backend multiplies by the same numbers (bias corrections live on the host).
public struct OptimizerScalars: Sendable, Equatable {
    /// The rule's step size:
    /// - SGD, RMSprop, Adadelta: `lr`;
    /// - Adagrad: `lr / (1 + (t - 1) lrDecay)` (PyTorch), `lr` (Keras);
    /// - Adam: `lr / (1 - b1^t)` (PyTorch), `lr sqrt(1 - b2^t) / (1 - b1^t)` (Keras);
    /// - AdaMax: `lr / (1 - b1^t)`;
    /// - Nadam: `lr (1 - mu_t) / (1 - P_t)`, the step on the gradient.
    public let stepSize: Float
    /// Nadam: `lr mu_t+1 / (1 - P_t mu_t+1)`, the step on `m` (0 for the other rules).
    public let momentumStepSize: Float
    /// Nadam: `1 - b2^t`, the second moment's bias correction (0 for the other rules).
    public let biasCorrection2: Float
    /// Adam (PyTorch): `sqrt(1 - b2^t)` (0 for the other rules).
    public let biasCorrection2Root: Float

    public init(_ step: OptimizerStep) {
        let lr = Double(step.learningRate), t = Double(step.stepNumber)
        var stepSize = lr, momentumStepSize = 0.0, biasCorrection2 = 0.0, biasCorrection2Root = 0.0
        switch step.rule {
        case .sgd, .rmsprop, .adadelta:
            break
        case .adagrad(let decay, _, let convention):
            if convention == .pytorch { stepSize = lr / (1 + (t - 1) * Double(decay)) }
        case .adam(let beta1, let beta2, _, _, let convention):
            let correction1 = 1 - pow(Double(beta1), t), correction2 = 1 - pow(Double(beta2), t)
            if convention == .pytorch {
                stepSize = lr / correction1
                biasCorrection2Root = correction2.squareRoot()
            } else {
                stepSize = lr * correction2.squareRoot() / correction1
            }
        case .adamax(let beta1, _, _, _):
            stepSize = lr / (1 - pow(Double(beta1), t))
        case .nadam(_, let beta2, _, let momentum):
            stepSize = lr * (1 - momentum.current) / (1 - momentum.product)
            momentumStepSize = lr * momentum.next / (1 - momentum.nextProduct)
            biasCorrection2 = 1 - pow(Double(beta2), t)
        }
        self.stepSize = Float(stepSize)
        self.momentumStepSize = Float(momentumStepSize)
        self.biasCorrection2 = Float(biasCorrection2)
        self.biasCorrection2Root = Float(biasCorrection2Root)
    }
}
