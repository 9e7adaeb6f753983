/// The pointwise activation functions, forward `y = f(x)` and backward `dx = f'(x) * dy`.
///
/// Definitions follow PyTorch:
/// - `identity`: `y = x`.
/// - `sigmoid`: `y = 1 / (1 + e^-x)`; `f' = y (1 - y)`.
/// - `tanh`: `y = tanh x`; `f' = 1 - y^2`.
/// - `relu`: `y = max(0, x)`; `f' = 1` for `x > 0`, else 0 (0 at the kink, as in PyTorch).
/// - `leakyReLU(slope)`: `y = x` for `x > 0`, else `slope * x` (PyTorch's default slope is 0.01).
/// - `elu(alpha)`: `y = x` for `x > 0`, else `alpha (e^x - 1)`; `f' = y + alpha` for `x <= 0`.
/// - `selu`: `scale * elu(x, alpha)` with the fixed constants of Klambauer et al., 2017.
/// - `softplus`: `y = ln(1 + e^x)`, returned as `x` above 20 (PyTorch's threshold); `f' = sigmoid(x)`.
/// - `gelu`: the tanh approximation `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`
///   (Hendrycks & Gimpel, 2016), PyTorch's `approximate="tanh"`.
///
/// Every function maps NaN to NaN, `relu` included (as PyTorch's), so that a run that diverges
/// shows its NaN downstream instead of having it zeroed by the next ReLU.
public enum Activation: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    case identity
    case sigmoid
    case tanh
    case relu
    case leakyReLU(slope: Float)
    case elu(alpha: Float)
    case selu
    case softplus
    case gelu

    /// Every activation with the default parameter of its PyTorch counterpart.
    public static let allWithDefaults: [Activation] = [
        .identity, .sigmoid, .tanh, .relu, .leakyReLU(slope: 0.01), .elu(alpha: 1), .selu,
        .softplus, .gelu,
    ]

    /// SELU's scale, `lambda` of Klambauer et al., 2017.
    public static let seluScale: Float = 1.0507009873554804934193349852946
    /// SELU's alpha, of Klambauer et al., 2017.
    public static let seluAlpha: Float = 1.6732632423543772848170429916717
    /// Above this input softplus returns `x` itself (PyTorch's `threshold=20`).
    public static let softplusThreshold: Float = 20

    /// The activation's one parameter (slope or alpha), 0 when it has none.
    public var parameter: Float {
        switch self {
        case .leakyReLU(let slope): slope
        case .elu(let alpha): alpha
        default: 0
        }
    }

    public var description: String {
        switch self {
        case .identity: "identity"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case .relu: "relu"
        case .leakyReLU(let slope): "leakyReLU(slope: \(slope))"
        case .elu(let alpha): "elu(alpha: \(alpha))"
        case .selu: "selu"
        case .softplus: "softplus"
        case .gelu: "gelu"
        }
    }
}
