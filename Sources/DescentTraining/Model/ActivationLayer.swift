import DescentCore

/// An activation function as a layer, `y = f(x)` element by element (see `Activation`).
public struct ActivationLayer: Layer {
    public var activation: Activation

    public init(_ activation: Activation) {
        self.activation = activation
    }

    public func outputShape(for inputShape: SampleShape) throws -> SampleShape { inputShape }
    public func parameters(for inputShape: SampleShape) -> [ParameterSpec] { [] }

    public func makeRuntime<B: Backend>(_ context: LayerContext<B>) throws -> any LayerRuntime<B> {
        try ActivationRuntime(activation, context)
    }

    public var description: String { "\(activation)" }
}

/// `ActivationLayer(.relu)`.
public func ReLU() -> ActivationLayer { ActivationLayer(.relu) }
/// `ActivationLayer(.tanh)`.
public func Tanh() -> ActivationLayer { ActivationLayer(.tanh) }
/// `ActivationLayer(.sigmoid)`.
public func Sigmoid() -> ActivationLayer { ActivationLayer(.sigmoid) }
/// `ActivationLayer(.gelu)`.
public func GELU() -> ActivationLayer { ActivationLayer(.gelu) }
/// `ActivationLayer(.leakyReLU(slope:))`, PyTorch's default slope 0.01.
public func LeakyReLU(slope: Float = 0.01) -> ActivationLayer {
    ActivationLayer(.leakyReLU(slope: slope))
}
/// `ActivationLayer(.elu(alpha:))`.
public func ELU(alpha: Float = 1) -> ActivationLayer { ActivationLayer(.elu(alpha: alpha)) }
/// `ActivationLayer(.selu)`.
public func SELU() -> ActivationLayer { ActivationLayer(.selu) }
/// `ActivationLayer(.softplus)`.
public func Softplus() -> ActivationLayer { ActivationLayer(.softplus) }

final class ActivationRuntime<B: Backend>: LayerRuntime {
    let activation: Activation
    let context: LayerContext<B>
    let output: B.Buffer
    let inputGradient: B.Buffer
    private var input: B.View?

    init(_ activation: Activation, _ context: LayerContext<B>) throws {
        self.activation = activation
        self.context = context
        output = try context.backend.makeBuffer(count: context.maxBatch * context.inputFeatures)
        inputGradient = try context.backend.makeBuffer(
            count: context.maxBatch * context.inputFeatures)
    }

    func forward(
        _ input: B.View, batch: Int, training: Bool, position: DrawPosition
    ) throws -> B.View {
        self.input = input
        let y = try context.backend.rows(output, batch, columns: context.inputFeatures)
        try context.backend.activationForward(activation, input: input, output: y)
        return y
    }

    func backward(_ outputGradient: B.View, batch: Int) throws -> B.View {
        guard let input else {
            throw DescentError.invalidArgument(
                operation: "\(activation).backward", reason: "backward needs a forward pass first")
        }
        let dx = try context.backend.rows(inputGradient, batch, columns: context.inputFeatures)
        try context.backend.activationBackward(
            activation, input: input,
            output: try context.backend.rows(output, batch, columns: context.inputFeatures),
            outputGradient: outputGradient, inputGradient: dx)
        return dx
    }
}
