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
    /// Adam (PyTorch): `sqrt(1 - b2^t)`; Nadam: `lr mu_t+1 / (1 - P_t mu_t+1)`, the step on `m`.
    public let secondary: Float
    /// Nadam: `1 - b2^t`.
    public let tertiary: Float

    public init(_ step: OptimizerStep) {
        let lr = Double(step.learningRate), t = Double(step.stepNumber)
        var (a, b, c) = (lr, 0.0, 0.0)
        switch step.rule {
        case .sgd, .rmsprop, .adadelta:
            break
        case .adagrad(let decay, _, let convention):
            if convention == .pytorch { a = lr / (1 + (t - 1) * Double(decay)) }
        case .adam(let beta1, let beta2, _, _, let convention):
            let correction1 = 1 - pow(Double(beta1), t), correction2 = 1 - pow(Double(beta2), t)
            if convention == .pytorch {
                a = lr / correction1
                b = correction2.squareRoot()
            } else {
                a = lr * correction2.squareRoot() / correction1
            }
        case .adamax(let beta1, _, _, _):
            a = lr / (1 - pow(Double(beta1), t))
        case .nadam(_, let beta2, _, let momentum):
            a = lr * (1 - momentum.current) / (1 - momentum.product)
            b = lr * momentum.next / (1 - momentum.nextProduct)
            c = 1 - pow(Double(beta2), t)
        }
        stepSize = Float(a)
        secondary = Float(b)
        tertiary = Float(c)
    }
}
