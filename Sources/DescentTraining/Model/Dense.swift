import DescentCore

/// A fully connected layer, `y = f(x W + b)`, with W of `inputs x outputs`.
///
/// It reads each sample as a vector of its values: an image sample (`[channels, height, width]`)
/// is taken in NCHW order, as a `Flatten` before it would, so `inputs` is the sample's value count.
///
/// Its forward pass is one fused call (`Backend.denseForward`); its backward pass is the
/// activation's derivative, `dW = x^T dz`, `db = sum over rows of dz` and `dx = dz W^T`.
public struct Dense: Layer {
    public var inputs: Int
    public var outputs: Int
    public var activation: Activation
    public var useBias: Bool
    public var initializer: Initializer
    public var biasInitializer: Initializer

    /// - Parameters:
    ///   - initializer: of the weights; PyTorch's `nn.Linear` default unless given.
    public init(
        _ inputs: Int, _ outputs: Int, activation: Activation = .identity, useBias: Bool = true,
        initializer: Initializer = .pytorchLinear, biasInitializer: Initializer = .pytorchLinear
    ) {
        self.inputs = inputs
        self.outputs = outputs
        self.activation = activation
        self.useBias = useBias
        self.initializer = initializer
        self.biasInitializer = biasInitializer
    }

    public func outputShape(for inputShape: SampleShape) throws -> SampleShape {
        guard inputShape.count == inputs else {
            throw DescentError.shapeMismatch(
                operation: "\(self)", expected: "\(inputs) input features",
                actual: inputShape.dimensions.count == 1
                    ? "\(inputShape.count)" : "\(inputShape) (\(inputShape.count) values)")
        }
        guard inputs > 0, outputs > 0 else {
            throw DescentError.invalidArgument(
                operation: "\(self)", reason: "a dense layer needs at least 1 input and 1 output")
        }
        return .features(outputs)
    }

    public func parameters(for inputShape: SampleShape) -> [ParameterSpec] {
        let weight = ParameterSpec(
            name: "weight", shape: [inputs, outputs], initializer: initializer, fanIn: inputs,
            fanOut: outputs, decays: true)
        let bias = ParameterSpec(
            name: "bias", shape: [outputs], initializer: biasInitializer, fanIn: inputs,
            fanOut: outputs, decays: false)
        return useBias ? [weight, bias] : [weight]
    }

    public func makeRuntime<B: Backend>(_ context: LayerContext<B>) throws -> any LayerRuntime<B> {
        try DenseRuntime(self, context)
    }

    public var description: String {
        "Dense(\(inputs), \(outputs)\(activation == .identity ? "" : ", \(activation)"))"
    }
}

final class DenseRuntime<B: Backend>: LayerRuntime {
    let layer: Dense
    let context: LayerContext<B>
    let output: B.Buffer
    /// z = x W + b, kept for activations whose derivative needs it.
    let preActivation: B.Buffer?
    let preActivationGradient: B.Buffer?
    let inputGradient: B.Buffer?
    private var input: B.View?

    init(_ layer: Dense, _ context: LayerContext<B>) throws {
        self.layer = layer
        self.context = context
        let backend = context.backend, rows = context.maxBatch
        output = try backend.makeBuffer(count: rows * layer.outputs)
        let needsZ = layer.activation != .identity
        preActivation = needsZ ? try backend.makeBuffer(count: rows * layer.outputs) : nil
        preActivationGradient = needsZ ? try backend.makeBuffer(count: rows * layer.outputs) : nil
        inputGradient =
            context.needsInputGradient ? try backend.makeBuffer(count: rows * layer.inputs) : nil
    }

    func forward(
        _ input: B.View, batch: Int, training: Bool, position: DrawPosition
    ) throws -> B.View {
        let backend = context.backend
        self.input = input
        let y = try backend.rows(output, batch, columns: layer.outputs)
        try backend.denseForward(
            input: input, weights: context.parameters[0],
            bias: layer.useBias ? context.parameters[1] : nil,
            activation: layer.activation,
            preActivation: try preActivation.map {
                try backend.rows($0, batch, columns: layer.outputs)
            },
            output: y, shape: DenseShape(batch: batch, inputs: layer.inputs, outputs: layer.outputs)
        )
        return y
    }

    func backward(_ outputGradient: B.View, batch: Int) throws -> B.View {
        let backend = context.backend
        guard let input else {
            throw DescentError.invalidArgument(
                operation: "\(layer).backward", reason: "backward needs a forward pass first")
        }
        var dz = outputGradient
        if let preActivation, let preActivationGradient {
            dz = try backend.rows(preActivationGradient, batch, columns: layer.outputs)
            try backend.activationBackward(
                layer.activation,
                input: try backend.rows(preActivation, batch, columns: layer.outputs),
                output: try backend.rows(output, batch, columns: layer.outputs),
                outputGradient: outputGradient,
                inputGradient: dz)
        }
        try backend.matmul(
            input, dz, context.gradients[0],
            shape: MatmulShape(m: layer.inputs, n: layer.outputs, k: batch, transposeA: true))
        if layer.useBias {
            try backend.biasGradient(
                dz, biasGradient: context.gradients[1],
                shape: MatrixShape(rows: batch, columns: layer.outputs))
        }
        guard let inputGradient else { return dz }
        let dx = try backend.rows(inputGradient, batch, columns: layer.inputs)
        try backend.matmul(
            dz, context.parameters[0], dx,
            shape: MatmulShape(m: batch, n: layer.inputs, k: layer.outputs, transposeB: true))
        return dx
    }
}
