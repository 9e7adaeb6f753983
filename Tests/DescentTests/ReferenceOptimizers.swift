#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// Independent Double references of the optimizers' update rules, for the trajectory tests.
//
// Each rule is written from its framework's published form, not from Descent:
// - PyTorch: the pseudo-code of the `torch.optim.<Name>` documentation pages and the
//   single-tensor paths of `torch/optim/<name>.py` (`maximize=False`, `foreach` off). `weight_decay`
//   is PyTorch's coupled L2 term `g + wd w`, added inside the rule as PyTorch does.
// - Keras 3: `update_step` of `keras/src/optimizers/<name>.py`, where `local_step` is
//   `iterations + 1` (no weight decay: Keras's is decoupled and not what Descent's Keras presets use).
//
// A rule counts its own steps (t = 1 on its first update) and keeps its own state arrays; the
// learning rate of each update comes from outside, as a scheduler would set it. Everything is
// Double; the tests feed the same float32 gradients and hyperparameters the optimizer sees.

/// One optimizer's update rule on a vector of parameters.
protocol ReferenceRule {
    /// Applies one update to `w` from the gradient `g` at learning rate `lr`.
    mutating func step(_ w: inout [Double], _ g: [Double], lr: Double)
}

// MARK: Gradient preprocessing

/// What happens to a gradient before the rule.
enum ReferenceGradient {
    /// `torch.nn.utils.clip_grad_norm_`'s factor: `min(1, maxNorm / (||g||_2 + 1e-6))`.
    static func globalNormFactor(_ g: [Double], maxNorm: Double) -> Double {
        let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return min(1, maxNorm / (norm + 1e-6))
    }

    /// `torch.nn.utils.clip_grad_value_`: each element clamped to `[-value, value]`.
    static func clipValue(_ g: [Double], _ value: Double) -> [Double] {
        g.map { min(max($0, -value), value) }
    }

    /// The gradient of the penalty `l1 * sum |w|` (Keras's `L1` regularizer): `l1 sign(w)`.
    static func addL1(_ g: [Double], _ w: [Double], _ l1: Double) -> [Double] {
        zip(g, w).map { g, w in g + l1 * (w > 0 ? 1 : w < 0 ? -1 : 0) }
    }
}

// MARK: SGD

/// `torch.optim.SGD`: `g += wd w`; with momentum `b = g` at t = 1, else `b = mu b + (1 - tau) g`;
/// Nesterov steps along `g + mu b`, classic momentum along `b`; `w -= lr step`.
struct TorchSGD: ReferenceRule {
    var momentum = 0.0, dampening = 0.0, nesterov = false, weightDecay = 0.0
    private var b: [Double]
    private var t = 0

    init(
        count: Int, momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false,
        weightDecay: Double = 0
    ) {
        (self.momentum, self.dampening, self.nesterov, self.weightDecay) = (
            momentum, dampening, nesterov, weightDecay
        )
        b = Array(repeating: 0, count: count)
    }

    mutating func step(_ w: inout [Double], _ g: [Double], lr: Double) {
        t += 1
        for i in w.indices {
            var d = g[i] + weightDecay * w[i]
            if momentum != 0 {
                b[i] = t == 1 ? d : momentum * b[i] + (1 - dampening) * d
                d = nesterov ? d + momentum * b[i] : b[i]
            }
            w[i] -= lr * d
        }
    }
}

/// `keras.optimizers.SGD`: `m = mu m - lr g`; `w += m`, or with Nesterov `w += mu m - lr g`
/// (the new `m`); without momentum `w -= lr g`.
struct KerasSGD: ReferenceRule {
    var momentum = 0.0, nesterov = false
    private var m: [Double]

    init(count: Int, momentum: Double = 0, nesterov: Bool = false) {
        (self.momentum, self.nesterov) = (momentum, nesterov)
        m = Array(repeating: 0, count: count)
    }

    mutating func step(_ w: inout [Double], _ g: [Double], lr: Double) {
        for i in w.indices {
            guard momentum != 0 else {
                w[i] -= lr * g[i]
                continue
            }
            m[i] = momentum * m[i] - lr * g[i]
            w[i] += nesterov ? momentum * m[i] - lr * g[i] : m[i]
        }
    }
}

// MARK: Adagrad

/// `torch.optim.Adagrad`: `g += wd w`; `clr = lr / (1 + (t - 1) lr_decay)`; `s += g^2` (from
/// `initial_accumulator_value`); `w -= clr g / (sqrt(s) + eps)`.
struct TorchAdagrad: ReferenceRule {
    var learningRateDecay: Double, epsilon: Double, weightDecay: Double
    private var s: [Double]
    private var t = 0

    init(
        count: Int, learningRateDecay: Double = 0, initialAccumulator: Double = 0, epsilon: Double,
        weightDecay: Double = 0
    ) {
        (self.learningRateDecay, self.epsilon, self.weightDecay) = (
            learningRateDecay, epsilon, weightDecay
        )
        s = Array(repeating: initialAccumulator, count: count)
    }

    mutating func step(_ w: inout [Double], _ g: [Double], lr: Double) {
        t += 1
        let clr = lr / (1 + Double(t - 1) * learningRateDecay)
        for i in w.indices {
            let d = g[i] + weightDecay * w[i]
            s[i] += d * d
            w[i] -= clr * d / (s[i].squareRoot() + epsilon)
        }
    }
}

/// `keras.optimizers.Adagrad`: `a += g^2` (from `initial_accumulator_value`, 0.1);
/// `w -= lr g / sqrt(a + eps)`.
struct KerasAdagrad: ReferenceRule {
    var epsilon: Double
    private var a: [Double]

    init(count: Int, initialAccumulator: Double, epsilon: Double) {
        self.epsilon = epsilon
        a = Array(repeating: initialAccumulator, count: count)
    }

    mutating func step(_ w: inout [Double], _ g: [Double], lr: Double) {
        for i in w.indices {
            a[i] += g[i] * g[i]
            w[i] -= lr * g[i] / (a[i] + epsilon).squareRoot()
        }
    }
}

// MARK: RMSprop

/// `torch.optim.RMSprop`: `g += wd w`; `v = alpha v + (1 - alpha) g^2`; centered:
/// `gavg = alpha gavg + (1 - alpha) g`, `vt = v - gavg^2`; with momentum `b = mu b + g / (sqrt(vt) + eps)`,
/// `w -= lr b`, else `w -= lr g / (sqrt(vt) + eps)`.
struct TorchRMSprop: ReferenceRule {
    var alpha: Double, epsilon: Double, momentum: Double, centered: Bool, weightDecay: Double
    private var v: [Double], gavg: [Double], b: [Double]

    init(
        count: Int, alpha: Double, epsilon: Double, momentum: Double = 0, centered: Bool = false,
        weightDecay: Double = 0
    ) {
        (self.alpha, self.epsilon, self.momentum, self.centered, self.weightDecay) = (
            alpha, epsilon, momentum, centered, weightDecay
        )
        (v, gavg, b) = (
            Array(repeating: 0, count: count), Array(repeating: 0, count: count),
            Array(repeating: 0, count: count)
        )
    }

    mutating func step(_ w: inout [Double], _ g: [Double], lr: Double) {
        for i in w.indices {
            let d = g[i] + weightDecay * w[i]
            v[i] = alpha * v[i] + (1 - alpha) * d * d
            var vt = v[i]
            if centered {
                gavg[i] = alpha * gavg[i] + (1 - alpha) * d
                vt -= gavg[i] * gavg[i]
            }
            if momentum > 0 {
                b[i] = momentum * b[i] + d / (vt.squareRoot() + epsilon)
                w[i] -= lr * b[i]
            } else {
                w[i] -= lr * d / (vt.squareRoot() + epsilon)
            }
        }
    }
}

/// `keras.optimizers.RMSprop`: `v = rho v + (1 - rho) g^2`; centered: `a = rho a + (1 - rho) g`,
/// `den = v - a^2 + eps`, else `den = v + eps`; `inc = lr g / sqrt(den)`; with momentum
/// `m = mu m + inc`, `w -= m`, else `w -= inc`.
struct KerasRMSprop: ReferenceRule {
    var rho: Double, epsilon: Double, momentum: Double, centered: Bool
    private var v: [Double], a: [Double], m: [Double]

    init(count: Int, rho: Double, epsilon: Double, momentum: Double = 0, centered: Bool = false) {
        (self.rho, self.epsilon, self.momentum, self.centered) = (rho, epsilon, momentum, centered)
        (v, a, m) = (
            Array(repeating: 0, count: count), Array(repeating: 0, count: count),
            Array(repeating: 0, count: count)
        )
    }

    mutating func step(_ w: inout [Double], _ g: [Double], lr: Double) {
        for i in w.indices {
            v[i] = rho * v[i] + (1 - rho) * g[i] * g[i]
            var denominator = v[i] + epsilon
            if centered {
                a[i] = rho * a[i] + (1 - rho) * g[i]
                denominator -= a[i] * a[i]
            }
            let increment = lr * g[i] / denominator.squareRoot()
            if momentum > 0 {
                m[i] = momentum * m[i] + increment
                w[i] -= m[i]
            } else {
                w[i] -= increment
            }
        }
    }
}

// MARK: Adadelta

/// `torch.optim.Adadelta`: `g += wd w`; `v = rho v + (1 - rho) g^2`;
/// `dx = sqrt(u + eps) / sqrt(v + eps) g`; `u = rho u + (1 - rho) dx^2`; `w -= lr dx`.
struct TorchAdadelta: ReferenceRule {
    var rho: Double, epsilon: Double, weightDecay: Double
    private var v: [Double], u: [Double]

    init(count: Int, rho: Double, epsilon: Double, weightDecay: Double = 0) {
        (self.rho, self.epsilon, self.weightDecay) = (rho, epsilon, weightDecay)
        (v, u) = (Array(repeating: 0, count: count), Array(repeating: 0, count: count))
    }

    mutating func step(_ w: inout [Double], _ g: [Double], lr: Double) {
        for i in w.indices {
            let d = g[i] + weightDecay * w[i]
            v[i] = rho * v[i] + (1 - rho) * d * d
            let dx = (u[i] + epsilon).squareRoot() / (v[i] + epsilon).squareRoot() * d
            u[i] = rho * u[i] + (1 - rho) * dx * dx
            w[i] -= lr * dx
        }
    }
}

// MARK: Adam family

/// `torch.optim.Adam`: `g += wd w`; `m = b1 m + (1 - b1) g`; `v = b2 v + (1 - b2) g^2`;
/// `mhat = m / (1 - b1^t)`; AMSGrad: `vmax = max(vmax, v)`, `vhat = vmax / (1 - b2^t)`, else
/// `vhat = v / (1 - b2^t)`; `w -= lr mhat / (sqrt(vhat) + eps)`.
struct TorchAdam: ReferenceRule {
    var beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double, amsgrad: Bool
    private var m: [Double], v: [Double], vmax: [Double]
    private var t = 0

    init(
        count: Int, beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double = 0,
        amsgrad: Bool = false
    ) {
        (self.beta1, self.beta2, self.epsilon, self.weightDecay, self.amsgrad) = (
            beta1, beta2, epsilon, weightDecay, amsgrad
        )
        (m, v, vmax) = (
            Array(repeating: 0, count: count), Array(repeating: 0, count: count),
            Array(repeating: 0, count: count)
        )
    }

    mutating func step(_ w: inout [Double], _ g: [Double], lr: Double) {
        t += 1
        let c1 = 1 - pow(beta1, Double(t)), c2 = 1 - pow(beta2, Double(t))
        for i in w.indices {
            let d = g[i] + weightDecay * w[i]
            m[i] = beta1 * m[i] + (1 - beta1) * d
            v[i] = beta2 * v[i] + (1 - beta2) * d * d
            vmax[i] = max(vmax[i], v[i])
            let vhat = (amsgrad ? vmax[i] : v[i]) / c2
            w[i] -= lr * (m[i] / c1) / (vhat.squareRoot() + epsilon)
        }
    }
}

/// `torch.optim.AdamW`: `w -= lr wd w` first, then Adam without a coupled term.
struct TorchAdamW: ReferenceRule {
    var weightDecay: Double
    private var adam: TorchAdam

    init(count: Int, beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double) {
        self.weightDecay = weightDecay
        adam = TorchAdam(count: count, beta1: beta1, beta2: beta2, epsilon: epsilon)
    }

    mutating func step(_ w: inout [Double], _ g: [Double], lr: Double) {
        w = w.map { $0 * (1 - lr * weightDecay) }
        adam.step(&w, g, lr: lr)
    }
}

/// `keras.optimizers.Adam`: `alpha = lr sqrt(1 - b2^t) / (1 - b1^t)`; `m += (g - m)(1 - b1)`;
/// `v += (g^2 - v)(1 - b2)`; AMSGrad: `vhat = max(vhat, v)` replaces `v`; `w -= alpha m / (sqrt(v) + eps)`.
struct KerasAdam: ReferenceRule {
    var beta1: Double, beta2: Double, epsilon: Double, amsgrad: Bool
    private var m: [Double], v: [Double], vhat: [Double]
    private var t = 0

    init(count: Int, beta1: Double, beta2: Double, epsilon: Double, amsgrad: Bool = false) {
        (self.beta1, self.beta2, self.epsilon, self.amsgrad) = (beta1, beta2, epsilon, amsgrad)
        (m, v, vhat) = (
            Array(repeating: 0, count: count), Array(repeating: 0, count: count),
            Array(repeating: 0, count: count)
        )
    }

    mutating func step(_ w: inout [Double], _ g: [Double], lr: Double) {
        t += 1
        let alpha = lr * (1 - pow(beta2, Double(t))).squareRoot() / (1 - pow(beta1, Double(t)))
        for i in w.indices {
            m[i] += (g[i] - m[i]) * (1 - beta1)
            v[i] += (g[i] * g[i] - v[i]) * (1 - beta2)
            vhat[i] = max(vhat[i], v[i])
            w[i] -= alpha * m[i] / ((amsgrad ? vhat[i] : v[i]).squareRoot() + epsilon)
        }
    }
}

/// `torch.optim.Adamax`: `g += wd w`; `m = b1 m + (1 - b1) g`; `u = max(b2 u, |g| + eps)`;
/// `w -= lr / (1 - b1^t) m / u`.
struct TorchAdamax: ReferenceRule {
    var beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double
    private var m: [Double], u: [Double]
    private var t = 0

    init(count: Int, beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double = 0) {
        (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (
            beta1, beta2, epsilon, weightDecay
        )
        (m, u) = (Array(repeating: 0, count: count), Array(repeating: 0, count: count))
    }

    mutating func step(_ w: inout [Double], _ g: [Double], lr: Double) {
        t += 1
        let clr = lr / (1 - pow(beta1, Double(t)))
        for i in w.indices {
            let d = g[i] + weightDecay * w[i]
            m[i] = beta1 * m[i] + (1 - beta1) * d
            u[i] = max(beta2 * u[i], abs(d) + epsilon)
            w[i] -= clr * m[i] / u[i]
        }
    }
}

/// `keras.optimizers.Adamax`: `m += (g - m)(1 - b1)`; `u = max(b2 u, |g|)`;
/// `w -= lr m / ((1 - b1^t)(u + eps))`.
struct KerasAdamax: ReferenceRule {
    var beta1: Double, beta2: Double, epsilon: Double
    private var m: [Double], u: [Double]
    private var t = 0

    init(count: Int, beta1: Double, beta2: Double, epsilon: Double) {
        (self.beta1, self.beta2, self.epsilon) = (beta1, beta2, epsilon)
        (m, u) = (Array(repeating: 0, count: count), Array(repeating: 0, count: count))
    }

    mutating func step(_ w: inout [Double], _ g: [Double], lr: Double) {
        t += 1
        let beta1Power = pow(beta1, Double(t))
        for i in w.indices {
            m[i] += (g[i] - m[i]) * (1 - beta1)
            u[i] = max(beta2 * u[i], abs(g[i]))
            w[i] -= lr * m[i] / ((1 - beta1Power) * (u[i] + epsilon))
        }
    }
}

/// `torch.optim.NAdam`: `g += wd w`; `mu_t = b1 (1 - 0.5 0.96^(t psi))`, `mu_t+1` likewise, and the
/// running product `P_t = mu_1 ... mu_t` (the optimizer's `mu_product` state); `m`, `v` as Adam;
/// `d = sqrt(v / (1 - b2^t)) + eps`;
/// `w -= lr (1 - mu_t) / (1 - P_t) g / d + lr mu_t+1 / (1 - P_t mu_t+1) m / d`.
struct TorchNAdam: ReferenceRule {
    var beta1: Double, beta2: Double, epsilon: Double, momentumDecay: Double, weightDecay: Double
    private var m: [Double], v: [Double]
    private var t = 0
    private var muProduct = 1.0

    init(
        count: Int, beta1: Double, beta2: Double, epsilon: Double, momentumDecay: Double,
        weightDecay: Double = 0
    ) {
        (self.beta1, self.beta2, self.epsilon, self.momentumDecay, self.weightDecay) = (
            beta1, beta2, epsilon, momentumDecay, weightDecay
        )
        (m, v) = (Array(repeating: 0, count: count), Array(repeating: 0, count: count))
    }

    mutating func step(_ w: inout [Double], _ g: [Double], lr: Double) {
        t += 1
        let mu = beta1 * (1 - 0.5 * pow(0.96, Double(t) * momentumDecay))
        let muNext = beta1 * (1 - 0.5 * pow(0.96, Double(t + 1) * momentumDecay))
        muProduct *= mu
        let c2 = 1 - pow(beta2, Double(t))
        for i in w.indices {
            let d = g[i] + weightDecay * w[i]
            m[i] = beta1 * m[i] + (1 - beta1) * d
            v[i] = beta2 * v[i] + (1 - beta2) * d * d
            let denominator = (v[i] / c2).squareRoot() + epsilon
            w[i] -= lr * (1 - mu) / (1 - muProduct) * d / denominator
            w[i] -= lr * muNext / (1 - muProduct * muNext) * m[i] / denominator
        }
    }
}

/// `keras.optimizers.Nadam`: `u_t = b1 (1 - 0.5 0.96^t)`, `u_t+1 = b1 (1 - 0.5 0.96^(t+1))`,
/// `u_product_t` the running product to `u_t`; `m += (g - m)(1 - b1)`; `v += (g^2 - v)(1 - b2)`;
/// `m_hat = u_t+1 m / (1 - u_product_t u_t+1) + (1 - u_t) g / (1 - u_product_t)`;
/// `v_hat = v / (1 - b2^t)`; `w -= lr m_hat / (sqrt(v_hat) + eps)`.
struct KerasNadam: ReferenceRule {
    var beta1: Double, beta2: Double, epsilon: Double
    private var m: [Double], v: [Double]
    private var t = 0
    private var uProduct = 1.0

    init(count: Int, beta1: Double, beta2: Double, epsilon: Double) {
        (self.beta1, self.beta2, self.epsilon) = (beta1, beta2, epsilon)
        (m, v) = (Array(repeating: 0, count: count), Array(repeating: 0, count: count))
    }

    mutating func step(_ w: inout [Double], _ g: [Double], lr: Double) {
        t += 1
        let ut = beta1 * (1 - 0.5 * pow(0.96, Double(t)))
        let utNext = beta1 * (1 - 0.5 * pow(0.96, Double(t + 1)))
        uProduct *= ut
        let uProductNext = uProduct * utNext
        let beta2Power = pow(beta2, Double(t))
        for i in w.indices {
            m[i] += (g[i] - m[i]) * (1 - beta1)
            v[i] += (g[i] * g[i] - v[i]) * (1 - beta2)
            let mHat = utNext * m[i] / (1 - uProductNext) + (1 - ut) * g[i] / (1 - uProduct)
            let vHat = v[i] / (1 - beta2Power)
            w[i] -= mHat * lr / (vHat.squareRoot() + epsilon)
        }
    }
}

/// Lion as the paper's listing and `lion-pytorch`: `w *= 1 - lr wd`;
/// `w -= lr sign(b1 m + (1 - b1) g)`; `m = b2 m + (1 - b2) g`.
struct ReferenceLion: ReferenceRule {
    var beta1: Double, beta2: Double, weightDecay: Double
    private var m: [Double]

    init(count: Int, beta1: Double, beta2: Double, weightDecay: Double) {
        (self.beta1, self.beta2, self.weightDecay) = (beta1, beta2, weightDecay)
        m = Array(repeating: 0, count: count)
    }

    mutating func step(_ w: inout [Double], _ g: [Double], lr: Double) {
        for i in w.indices {
            w[i] *= 1 - lr * weightDecay
            let c = beta1 * m[i] + (1 - beta1) * g[i]
            w[i] -= lr * (c > 0 ? 1 : c < 0 ? -1 : 0)
            m[i] = beta2 * m[i] + (1 - beta2) * g[i]
        }
    }
}
