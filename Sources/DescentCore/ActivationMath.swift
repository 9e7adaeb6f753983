#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A floating-point type the reference activation formulas can be evaluated in: `Float` for the
/// backend, `Double` for the finite-difference checks of the tests.
public protocol ActivationScalar: BinaryFloatingPoint {
    static func exponential(_ x: Self) -> Self
    static func hyperbolicTangent(_ x: Self) -> Self
    static func logarithmOnePlus(_ x: Self) -> Self
    static func exponentialMinusOne(_ x: Self) -> Self
}

extension Float: ActivationScalar {
    @inlinable public static func exponential(_ x: Float) -> Float { expf(x) }
    @inlinable public static func hyperbolicTangent(_ x: Float) -> Float { tanhf(x) }
    @inlinable public static func logarithmOnePlus(_ x: Float) -> Float { log1pf(x) }
    @inlinable public static func exponentialMinusOne(_ x: Float) -> Float { expm1f(x) }
}

extension Double: ActivationScalar {
    @inlinable public static func exponential(_ x: Double) -> Double { exp(x) }
    @inlinable public static func hyperbolicTangent(_ x: Double) -> Double { tanh(x) }
    @inlinable public static func logarithmOnePlus(_ x: Double) -> Double { log1p(x) }
    @inlinable public static func exponentialMinusOne(_ x: Double) -> Double { expm1(x) }
}

/// The reference formulas of every `Activation`, forward and derivative (see `Activation`).
public enum ActivationMath {
    /// `sqrt(2 / pi)`, of the tanh approximation of GELU.
    @usableFromInline static let geluScale = 0.7978845608028654
    /// The cubic coefficient of the tanh approximation of GELU.
    @usableFromInline static let geluCubic = 0.044715

    /// `f(x)`.
    @inlinable public static func forward<T: ActivationScalar>(
        _ activation: Activation, _ x: T
    ) -> T {
        switch activation {
        case .identity:
            return x
        case .sigmoid:
            return sigmoid(x)
        case .tanh:
            return T.hyperbolicTangent(x)
        case .relu:
            // A NaN stays NaN, as in PyTorch: a diverging run is seen, not hidden.
            return x <= 0 ? 0 : x
        case .leakyReLU(let slope):
            return x > 0 ? x : T(slope) * x
        case .elu(let alpha):
            return x > 0 ? x : T(alpha) * T.exponentialMinusOne(x)
        case .selu:
            let scale = T(Activation.seluScale), alpha = T(Activation.seluAlpha)
            return x > 0 ? scale * x : scale * (alpha * T.exponentialMinusOne(x))
        case .softplus:
            return x > T(Activation.softplusThreshold) ? x : T.logarithmOnePlus(T.exponential(x))
        case .gelu:
            // 0.5 x (1 + tanh u) = x sigmoid(2u), which does not cancel to 0 for large negative x.
            let inner = T(geluScale) * (x + T(geluCubic) * x * x * x)
            return x * sigmoid(2 * inner)
        }
    }

    /// `f'(x)`, given `x` and `y = f(x)`.
    @inlinable public static func derivative<T: ActivationScalar>(
        _ activation: Activation, x: T, y: T
    ) -> T {
        switch activation {
        case .identity:
            return 1
        case .sigmoid:
            return y * (1 - y)
        case .tanh:
            return 1 - y * y
        case .relu:
            return x > 0 ? 1 : 0
        case .leakyReLU(let slope):
            return x > 0 ? 1 : T(slope)
        case .elu(let alpha):
            return x > 0 ? 1 : y + T(alpha)
        case .selu:
            let scale = T(Activation.seluScale), alpha = T(Activation.seluAlpha)
            return x > 0 ? scale : y + scale * alpha
        case .softplus:
            return x > T(Activation.softplusThreshold) ? 1 : sigmoid(x)
        case .gelu:
            // d/dx [x sigmoid(2u)] = s + 2 x s (1 - s) u', with 1 - s = sigmoid(-2u) evaluated
            // directly so that neither tail cancels.
            let inner = T(geluScale) * (x + T(geluCubic) * x * x * x)
            let innerDerivative = T(geluScale) * (1 + 3 * T(geluCubic) * x * x)
            let s = sigmoid(2 * inner)
            return s + 2 * x * s * sigmoid(-2 * inner) * innerDerivative
        }
    }

    /// `1 / (1 + e^-x)`, evaluated without overflow for large negative x.
    @inlinable public static func sigmoid<T: ActivationScalar>(_ x: T) -> T {
        if x >= 0 { return 1 / (1 + T.exponential(-x)) }
        let e = T.exponential(x)
        return e / (1 + e)
    }
}
