#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

/// Adam (Kingma & Ba, 2015), with AMSGrad (Reddi, Kale & Kumar, 2018) as an option and AdamW's
/// decoupled decay (Loshchilov & Hutter, 2019) through `AdamW`.
///
/// PyTorch: eps 1e-8 added after the bias corrections. Keras: eps 1e-7 added to `sqrt(v)` with
/// the corrections folded into the step size (the paper's "epsilon hat" form).
///
/// `m = b1 m + (1 - b1) g`; `v = b2 v + (1 - b2) g^2`. PyTorch:
/// `w -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)`; AMSGrad uses `vmax = max(vmax, v)`
/// for `v`. Keras: `w -= lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps)`.
public struct Adam: Optimizer, UpdateRule {
    /// PyTorch's default rate.
    public static let defaultLearningRate: Float = 0.001

    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var amsgrad: Bool
    public var weightDecay: Float
    public var convention: OptimizerConvention

    /// PyTorch's defaults: lr 0.001, betas (0.9, 0.999), eps 1e-8.
    public init(
        learningRate: Float = Adam.defaultLearningRate, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8,
        amsgrad: Bool = false, weightDecay: Float = 0, convention: OptimizerConvention = .pytorch
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        self.weightDecay = weightDecay
        self.convention = convention
    }

    /// Keras's defaults: lr 0.001, eps 1e-7 in the "epsilon hat" form.
    public static func keras(learningRate: Float = 0.001, amsgrad: Bool = false) -> Adam {
        Adam(learningRate: learningRate, epsilon: 1e-7, amsgrad: amsgrad, convention: .keras)
    }

    /// `m`, `v`, then `vmax` with AMSGrad.
    public var stateCount: Int { amsgrad ? 3 : 2 }

    public func checkHyperparameters(_ check: HyperparameterCheck) throws {
        try check.moments(beta1: beta1, beta2: beta2, epsilon: epsilon)
    }

    /// The step size `lr / (1 - b1^t)` with the root `sqrt(1 - b2^t)` (PyTorch), or
    /// `lr sqrt(1 - b2^t) / (1 - b1^t)` (Keras).
    public func scalars(learningRate lr: Double, stepNumber: Int) -> OptimizerScalars {
        let t = Double(stepNumber)
        let correction1 = 1 - pow(Double(beta1), t), correction2 = 1 - pow(Double(beta2), t)
        guard convention == .pytorch else {
            return OptimizerScalars(stepSize: Float(lr * correction2.squareRoot() / correction1))
        }
        return OptimizerScalars(
            stepSize: Float(lr / correction1), biasCorrection2Root: Float(correction2.squareRoot()))
    }

    public func kernel(stepNumber: Int) -> UpdateKernel {
        var kernel = UpdateKernel(rule: "adam")
        kernel.keras = convention == .keras
        kernel.amsgrad = amsgrad
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
            var second = v[i]
            if amsgrad {
                let vmax = arrays.state[2]
                vmax[i] = max(vmax[i], v[i])
                second = vmax[i]
            }
            w[i] -=
                convention == .keras
                ? scalars.stepSize * m[i] / (sqrtf(second) + epsilon)
                : scalars.stepSize * m[i] / (sqrtf(second) / scalars.biasCorrection2Root + epsilon)
        }
    }

    public var description: String {
        "Adam(lr: \(learningRate)\(amsgrad ? ", amsgrad" : "")\(convention == .keras ? ", keras" : ""))"
    }
}
