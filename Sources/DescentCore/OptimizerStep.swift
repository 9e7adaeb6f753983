/// Which framework's form of an update rule to follow where PyTorch and Keras 3 differ.
public enum OptimizerConvention: String, Sendable, Equatable, CaseIterable {
    /// PyTorch's `torch.optim` (the default everywhere in Descent).
    case pytorch
    /// Keras 3's `keras.optimizers`.
    case keras
}

/// The per-element update rule of a fused optimizer step, with its hyperparameters.
///
/// Notation: `w` a parameter, `g` its gradient after clipping and coupled penalties, `lr` the
/// step's learning rate, `t` the 1-based step number. State arrays (`m`, `v`, ...) have the
/// parameters' layout and start at 0 unless said otherwise; `stateCount` says how many a rule
/// uses, in the order given here.
public enum OptimizerRule: Sendable, Equatable {
    /// SGD. PyTorch: `b = g` on the first step, then `b = momentum b + (1 - dampening) g`;
    /// Nesterov uses `g + momentum b`, else `b`; `w -= lr * that`. Keras: `v = momentum v - lr g`;
    /// `w += v`, or with Nesterov `w += momentum v - lr g` (the two forms differ once `lr` changes).
    /// State: the momentum buffer when `momentum != 0`.
    case sgd(momentum: Float, dampening: Float, nesterov: Bool, convention: OptimizerConvention)
    /// Adagrad. PyTorch: `s += g^2`; `w -= lr / (1 + (t - 1) lrDecay) * g / (sqrt(s) + eps)`.
    /// Keras: `s += g^2`; `w -= lr g / sqrt(s + eps)` (`learningRateDecay` must be 0).
    /// State: `s`, which starts at the optimizer's initial accumulator (PyTorch 0, Keras 0.1).
    case adagrad(learningRateDecay: Float, epsilon: Float, convention: OptimizerConvention)
    /// RMSprop. `v = alpha v + (1 - alpha) g^2`; centered: `a = alpha a + (1 - alpha) g` and
    /// `v - a^2` replaces `v`. PyTorch: `d = sqrt(v) + eps`; Keras: `d = sqrt(v + eps)`. Without
    /// momentum `w -= lr g / d`; with it PyTorch keeps `b = momentum b + g / d`, `w -= lr b`, and
    /// Keras `b = momentum b + lr g / d`, `w -= b`. State: `v`, then `a` if centered, then `b` if
    /// `momentum != 0`.
    case rmsprop(
        alpha: Float, epsilon: Float, momentum: Float, centered: Bool,
        convention: OptimizerConvention)
    /// Adadelta (Zeiler, 2012): `v = rho v + (1 - rho) g^2`;
    /// `d = sqrt(u + eps) / sqrt(v + eps) g`; `u = rho u + (1 - rho) d^2`; `w -= lr d`. State: `v`, `u`.
    case adadelta(rho: Float, epsilon: Float)
    /// Adam (Kingma & Ba, 2015): `m = b1 m + (1 - b1) g`; `v = b2 v + (1 - b2) g^2`. PyTorch:
    /// `w -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)`; AMSGrad uses `vmax = max(vmax, v)`
    /// for `v`. Keras ("epsilon hat"): `w -= lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps)`.
    /// AdamW is Adam with a decoupled weight decay (`OptimizerStep.decoupledWeightDecay`).
    /// State: `m`, `v`, then `vmax` with AMSGrad.
    case adam(
        beta1: Float, beta2: Float, epsilon: Float, amsgrad: Bool, convention: OptimizerConvention)
    /// AdaMax (Kingma & Ba, 2015, section 7): `m = b1 m + (1 - b1) g`. PyTorch:
    /// `u = max(b2 u, |g| + eps)`, `w -= lr / (1 - b1^t) m / u`. Keras: `u = max(b2 u, |g|)`,
    /// `w -= lr / (1 - b1^t) m / (u + eps)`. State: `m`, `u`.
    case adamax(beta1: Float, beta2: Float, epsilon: Float, convention: OptimizerConvention)
    /// Nadam (Dozat, 2016), as PyTorch: `m`, `v` as Adam, then
    /// `w -= lr (1 - mu_t) / (1 - P_t) g / d + lr mu_t+1 / (1 - P_t mu_t+1) m / d` with
    /// `d = sqrt(v / (1 - b2^t)) + eps`. The momentum schedule `mu_t = b1 (1 - 0.5 0.96^(t psi))`
    /// and its running product `P_t` are host state of the optimizer, passed in `momentum`
    /// (Keras's form is `psi = 1`). State: `m`, `v`.
    case nadam(beta1: Float, beta2: Float, epsilon: Float, momentum: NadamMomentum)

    /// How many state arrays the rule uses.
    public var stateCount: Int {
        switch self {
        case .sgd(let momentum, _, _, _): momentum != 0 ? 1 : 0
        case .adagrad: 1
        case .rmsprop(_, _, let momentum, let centered, _):
            1 + (centered ? 1 : 0) + (momentum != 0 ? 1 : 0)
        case .adadelta: 2
        case .adam(_, _, _, let amsgrad, _): amsgrad ? 3 : 2
        case .adamax: 2
        case .nadam: 2
        }
    }
}

/// Nadam's momentum schedule at one step: `mu_t`, `mu_t+1`, and the products
/// `P_t = mu_1 ... mu_t` and `P_t mu_t+1`, computed on the host in Double.
public struct NadamMomentum: Sendable, Equatable {
    public var current: Double
    public var next: Double
    public var product: Double
    public var nextProduct: Double

    public init(current: Double, next: Double, product: Double, nextProduct: Double) {
        self.current = current
        self.next = next
        self.product = product
        self.nextProduct = nextProduct
    }
}

/// Everything one fused optimizer launch needs beyond the arrays: the rule, this step's learning
/// rate and number, and the group's penalties and clipping.
///
/// Before the rule, each gradient becomes `g = clamp(scale g, -clipValue, clipValue) + l2 w + l1 sign(w)`,
/// where `scale` is the global-norm clipping factor computed on the device (1 without clipping).
/// AdamW's decoupled decay applies first: `w -= lr decoupledWeightDecay w`.
public struct OptimizerStep: Sendable, Equatable {
    public var rule: OptimizerRule
    /// This step's learning rate, after any schedule.
    public var learningRate: Float
    /// The 1-based number of this step (the first update is step 1), for bias corrections.
    public var stepNumber: Int
    /// Coupled L2 penalty added to the gradient: `l2 w` (PyTorch's `weight_decay`).
    public var l2: Float
    /// L1 penalty added to the gradient: `l1 sign(w)`.
    public var l1: Float
    /// Decoupled weight decay (AdamW): `w -= lr decoupledWeightDecay w` before the update.
    public var decoupledWeightDecay: Float
    /// Clip each gradient element to `[-clipValue, clipValue]`, or nil.
    public var clipValue: Float?

    public init(
        rule: OptimizerRule, learningRate: Float, stepNumber: Int, l2: Float = 0, l1: Float = 0,
        decoupledWeightDecay: Float = 0, clipValue: Float? = nil
    ) {
        self.rule = rule
        self.learningRate = learningRate
        self.stepNumber = stepNumber
        self.l2 = l2
        self.l1 = l1
        self.decoupledWeightDecay = decoupledWeightDecay
        self.clipValue = clipValue
    }
}
