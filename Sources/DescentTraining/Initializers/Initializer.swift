import DescentCore

/// How a parameter tensor gets its first values: a constant, a fixed distribution, or a
/// distribution scaled by the layer's fan-in and fan-out so that activations and gradients keep
/// their variance from layer to layer.
///
/// `fanIn` is the number of inputs that feed each unit (a dense layer's input width) and `fanOut`
/// the number of units each input feeds (its output width). With `a` the bound of a uniform
/// distribution `U(-a, a)` (variance `a^2 / 3`) and `std` the standard deviation of a normal one,
/// PyTorch's `torch.nn.init` semantics:
///
/// | initializer     | distribution                                 | PyTorch                                  |
/// |-----------------|----------------------------------------------|------------------------------------------|
/// | `glorotUniform` | `a = sqrt(6 / (fanIn + fanOut))`             | `xavier_uniform_` [1]                    |
/// | `glorotNormal`  | `std = sqrt(2 / (fanIn + fanOut))`           | `xavier_normal_` [1]                     |
/// | `heUniform`     | `a = sqrt(6 / fanIn)`                        | `kaiming_uniform_` (relu, fan_in) [2]    |
/// | `heNormal`      | `std = sqrt(2 / fanIn)`                      | `kaiming_normal_` (relu, fan_in) [2]     |
/// | `lecunUniform`  | `a = sqrt(3 / fanIn)`                        | `kaiming_uniform_` (linear, fan_in) [3]  |
/// | `lecunNormal`   | `std = sqrt(1 / fanIn)`                      | `kaiming_normal_` (linear, fan_in) [3]   |
/// | `pytorchLinear` | `a = 1 / sqrt(fanIn)`                        | `nn.Linear`'s default weight and bias    |
///
/// Glorot keeps the variance of both the forward activations and the backward gradients near 1
/// for symmetric activations such as tanh (`Var(w) = 2 / (fanIn + fanOut)`); He doubles LeCun's
/// `Var(w) = 1 / fanIn` because ReLU zeroes half of its inputs; LeCun's suits SELU. Normal draws
/// are not truncated, as in PyTorch. Keras's `glorot_normal`, `he_normal` and `lecun_normal` draw
/// from a normal truncated at 2 std whose scale is raised by 1 / 0.8796 to keep the same variance;
/// that is not implemented (its variance and the uniform variants match Keras's exactly).
///
/// Every random initializer draws with `Backend.randomFill` at the caller's `RandomKey`, so the
/// same key gives bit-identical weights on every backend. Bounds are computed in `Double` and
/// rounded to `Float` once.
///
/// Framework defaults for a dense layer: PyTorch's `nn.Linear` uses `pytorchLinear` for both its
/// weight and its bias (with the layer's fan-in); Keras's `Dense` uses `glorotUniform` for the
/// kernel and `zeros` for the bias.
///
/// [1]: Glorot & Bengio, "Understanding the difficulty of training deep feedforward neural
///      networks", AISTATS 2010.
/// [2]: He, Zhang, Ren & Sun, "Delving deep into rectifiers: Surpassing human-level performance on
///      ImageNet classification", ICCV 2015.
/// [3]: LeCun, Bottou, Orr & Müller, "Efficient BackProp", in Neural Networks: Tricks of the
///      Trade, 1998.
public enum Initializer: Sendable, Equatable, CustomStringConvertible {
    /// Every value 0: the usual bias initializer. Weights must not all start equal, or the units
    /// of a layer receive the same gradient and never become different.
    case zeros
    /// Every value `value` (finite).
    case constant(Float)
    /// `U(low, high)`: uniform on `[low, high)` with finite `low <= high`.
    case uniform(low: Float, high: Float)
    /// `N(mean, standardDeviation^2)`, not truncated, with a finite mean and standard deviation >= 0.
    case normal(mean: Float, standardDeviation: Float)
    /// Glorot (Xavier) uniform: `U(-a, a)` with `a = sqrt(6 / (fanIn + fanOut))` [1].
    case glorotUniform
    /// Glorot (Xavier) normal: `N(0, std^2)` with `std = sqrt(2 / (fanIn + fanOut))` [1], as
    /// PyTorch's `xavier_normal_` (Keras's `glorot_normal` truncates at 2 std: see the type's notes).
    case glorotNormal
    /// He (Kaiming) uniform: `U(-a, a)` with `a = sqrt(6 / fanIn)` [2], as PyTorch's
    /// `kaiming_uniform_(nonlinearity: "relu", mode: "fan_in")`.
    case heUniform
    /// He (Kaiming) normal: `N(0, std^2)` with `std = sqrt(2 / fanIn)` [2], as PyTorch's
    /// `kaiming_normal_(nonlinearity: "relu", mode: "fan_in")`.
    case heNormal
    /// LeCun uniform: `U(-a, a)` with `a = sqrt(3 / fanIn)` [3].
    case lecunUniform
    /// LeCun normal: `N(0, std^2)` with `std = sqrt(1 / fanIn)` [3].
    case lecunNormal
    /// PyTorch's `nn.Linear` default: `U(-a, a)` with `a = 1 / sqrt(fanIn)`, both for the weight
    /// (`kaiming_uniform_(a: sqrt(5))`: gain `sqrt(2 / (1 + 5))` times `sqrt(3 / fanIn)`) and for
    /// the bias (`U(-1 / sqrt(fanIn), 1 / sqrt(fanIn))`, with the weight's fan-in).
    case pytorchLinear

    /// Glorot uniform under PyTorch's name.
    public static let xavierUniform = Initializer.glorotUniform
    /// Glorot normal under PyTorch's name.
    public static let xavierNormal = Initializer.glorotNormal
    /// He uniform under PyTorch's name.
    public static let kaimingUniform = Initializer.heUniform
    /// He normal under PyTorch's name.
    public static let kaimingNormal = Initializer.heNormal

    /// Fills `view` with this initializer's values for a layer of `fanIn` inputs and `fanOut`
    /// outputs.
    ///
    /// Random initializers draw element `i` from position `key.offset + i` of the Philox stream
    /// `(key.seed, key.stream)` (`Backend.randomFill`), so the result is bit-identical on every
    /// backend, and one key with consecutive offsets fills an arena in pieces exactly as in one
    /// call. `zeros` and `constant` ignore the key; `zeros`, `constant`, `uniform` and `normal`
    /// ignore the fans. Enqueued like any op: it does not wait for the device.
    /// - Parameters:
    ///   - view: the float32 values to fill (a weight matrix or bias vector, any layout).
    ///   - backend: the backend that owns `view`.
    ///   - fanIn: inputs per unit (a dense layer's input width); at least 1 for the fan-based cases.
    ///   - fanOut: units per input (a dense layer's output width); at least 1 for the fan-based cases.
    ///   - key: where in the random stream the draw starts (one stream per parameter tensor).
    /// - Throws: `DescentError.invalidArgument` naming the bad value: a fan below 1 for a
    ///   fan-based initializer, a non-finite constant, mean, bound or width `high - low`,
    ///   `low > high`, or a negative standard deviation; `DescentError.elementTypeMismatch` for a
    ///   view that does not hold float32.
    public func fill<B: Backend>(
        _ view: B.View, on backend: B, fanIn: Int, fanOut: Int, key: RandomKey
    ) throws {
        try Validation.elementType(view, .float32, operation: operation)
        switch try sampling(fanIn: fanIn, fanOut: fanOut) {
        case .constant(let value):
            try backend.fill(view, with: value)
        case .random(let distribution):
            try backend.randomFill(view, distribution: distribution, key: key)
        }
    }

    public var description: String {
        switch self {
        case .zeros: "zeros"
        case .constant(let value): "constant(\(value))"
        case .uniform(let low, let high): "uniform(\(low), \(high))"
        case .normal(let mean, let standardDeviation): "normal(\(mean), \(standardDeviation))"
        case .glorotUniform: "glorotUniform"
        case .glorotNormal: "glorotNormal"
        case .heUniform: "heUniform"
        case .heNormal: "heNormal"
        case .lecunUniform: "lecunUniform"
        case .lecunNormal: "lecunNormal"
        case .pytorchLinear: "pytorchLinear"
        }
    }

    /// What a fill writes: one value everywhere, or draws from a distribution.
    enum Sampling: Equatable {
        case constant(Float)
        case random(RandomDistribution)
    }

    /// The values this initializer writes for the given fans, after checking its arguments.
    func sampling(fanIn: Int, fanOut: Int) throws -> Sampling {
        switch self {
        case .zeros:
            return .constant(0)
        case .constant(let value):
            guard value.isFinite else { throw invalid("the constant must be finite, got \(value)") }
            return .constant(value)
        case .uniform(let low, let high):
            guard low.isFinite, high.isFinite, low <= high, (high - low).isFinite else {
                throw invalid(
                    "the bounds must be finite with low <= high and a finite width high - low, got [\(low), \(high))"
                )
            }
            return .random(.uniform(low: low, high: high))
        case .normal(let mean, let standardDeviation):
            guard mean.isFinite else { throw invalid("the mean must be finite, got \(mean)") }
            guard standardDeviation.isFinite, standardDeviation >= 0 else {
                throw invalid(
                    "the standard deviation must be finite and >= 0, got \(standardDeviation)")
            }
            return .random(.normal(mean: mean, standardDeviation: standardDeviation))
        case .glorotUniform:
            let (fanIn, fanOut) = try fans(fanIn, fanOut)
            return Self.symmetricUniform(bound: (6 / (fanIn + fanOut)).squareRoot())
        case .glorotNormal:
            let (fanIn, fanOut) = try fans(fanIn, fanOut)
            return Self.centeredNormal(standardDeviation: (2 / (fanIn + fanOut)).squareRoot())
        case .heUniform:
            return try Self.symmetricUniform(bound: (6 / fans(fanIn, fanOut).fanIn).squareRoot())
        case .heNormal:
            return try Self.centeredNormal(
                standardDeviation: (2 / fans(fanIn, fanOut).fanIn).squareRoot())
        case .lecunUniform:
            return try Self.symmetricUniform(bound: (3 / fans(fanIn, fanOut).fanIn).squareRoot())
        case .lecunNormal:
            return try Self.centeredNormal(
                standardDeviation: (1 / fans(fanIn, fanOut).fanIn).squareRoot())
        case .pytorchLinear:
            return try Self.symmetricUniform(bound: 1 / fans(fanIn, fanOut).fanIn.squareRoot())
        }
    }

    /// The fans as `Double`s (their sum cannot overflow), after checking that both are at least 1.
    private func fans(_ fanIn: Int, _ fanOut: Int) throws -> (fanIn: Double, fanOut: Double) {
        guard fanIn >= 1 else { throw invalid("fanIn must be at least 1, got \(fanIn)") }
        guard fanOut >= 1 else { throw invalid("fanOut must be at least 1, got \(fanOut)") }
        return (Double(fanIn), Double(fanOut))
    }

    /// `U(-a, a)` with `a` rounded to `Float` once.
    private static func symmetricUniform(bound: Double) -> Sampling {
        let bound = Float(bound)
        return .random(.uniform(low: -bound, high: bound))
    }

    /// `N(0, std^2)` with `std` rounded to `Float` once.
    private static func centeredNormal(standardDeviation: Double) -> Sampling {
        .random(.normal(mean: 0, standardDeviation: Float(standardDeviation)))
    }

    /// The operation named in errors: `Initializer.heNormal`.
    private var operation: String { "Initializer.\(self)" }

    private func invalid(_ reason: String) -> DescentError {
        .invalidArgument(operation: operation, reason: reason)
    }
}
