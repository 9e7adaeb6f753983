/// One check per backend op, called first thing by every backend so that both reject the same
/// inputs with the same message.
extension Validation {
    public static func upload<Buffer>(
        count: Int, type: ElementType, to destination: BufferView<Buffer>
    ) throws {
        try operand(destination, "destination", of: "upload", count: count, type: type)
    }

    public static func copy<Buffer>(
        _ source: BufferView<Buffer>, to destination: BufferView<Buffer>
    ) throws {
        try operand(
            destination, "destination", of: "copy", count: source.count, type: source.elementType)
        try disjoint(source, destination, "source and destination", of: "copy")
    }

    public static func addBias<Buffer>(
        _ input: BufferView<Buffer>, bias: BufferView<Buffer>, output: BufferView<Buffer>,
        shape: MatrixShape
    ) throws {
        try self.shape(shape, of: "addBias")
        try operand(input, "input", of: "addBias", shape: shape)
        try operand(bias, "bias", of: "addBias", count: shape.columns)
        try operand(output, "output", of: "addBias", shape: shape)
        try inPlaceOrDisjoint(output, input, "output and input", of: "addBias")
        try disjoint(output, bias, "output and bias", of: "addBias")
    }

    public static func biasGradient<Buffer>(
        _ outputGradient: BufferView<Buffer>, biasGradient: BufferView<Buffer>, shape: MatrixShape
    ) throws {
        try self.shape(shape, of: "biasGradient")
        try operand(outputGradient, "outputGradient", of: "biasGradient", shape: shape)
        try operand(biasGradient, "biasGradient", of: "biasGradient", count: shape.columns)
        try disjoint(
            biasGradient, outputGradient, "biasGradient and outputGradient", of: "biasGradient")
    }

    public static func denseForward<Buffer>(
        input: BufferView<Buffer>, weights: BufferView<Buffer>, bias: BufferView<Buffer>?,
        activation: Activation,
        preActivation: BufferView<Buffer>?, output: BufferView<Buffer>, shape: DenseShape
    ) throws {
        let name = "denseForward(\(shape))"
        try matmul(input, weights, output, shape: shape.matmul)
        try parameter(of: activation, operation: name)
        if let bias {
            try operand(bias, "bias", of: name, count: shape.outputs)
            try disjoint(output, bias, "output and bias", of: name)
        }
        if let preActivation {
            try operand(preActivation, "pre-activation", of: name, shape: shape.outputShape)
            for (other, view) in [("output", output), ("input", input), ("weights", weights)] {
                try disjoint(preActivation, view, "pre-activation and \(other)", of: name)
            }
            if let bias { try disjoint(preActivation, bias, "pre-activation and bias", of: name) }
        }
    }

    public static func elementwise<Buffer>(
        _ operation: ElementwiseOperation, _ a: BufferView<Buffer>, _ b: BufferView<Buffer>,
        output: BufferView<Buffer>
    ) throws {
        let name = "elementwise(\(operation.rawValue))"
        try sameSize(name, [("a", a), ("b", b), ("output", output)])
        try inPlaceOrDisjoint(output, a, "output and a", of: name)
        try inPlaceOrDisjoint(output, b, "output and b", of: name)
    }

    public static func scale<Buffer>(_ input: BufferView<Buffer>, output: BufferView<Buffer>) throws
    {
        try sameSize("scale", [("input", input), ("output", output)])
        try inPlaceOrDisjoint(output, input, "output and input", of: "scale")
    }

    public static func axpy<Buffer>(x: BufferView<Buffer>, y: BufferView<Buffer>) throws {
        try sameSize("axpy", [("x", x), ("y", y)])
        try disjoint(x, y, "x and y", of: "axpy")
    }

    public static func activationForward<Buffer>(
        _ activation: Activation, input: BufferView<Buffer>, output: BufferView<Buffer>
    ) throws {
        let name = "activationForward(\(activation))"
        try parameter(of: activation, operation: name)
        try sameSize(name, [("input", input), ("output", output)])
        try inPlaceOrDisjoint(output, input, "output and input", of: name)
    }

    public static func activationBackward<Buffer>(
        _ activation: Activation, input: BufferView<Buffer>, output: BufferView<Buffer>,
        outputGradient: BufferView<Buffer>, inputGradient: BufferView<Buffer>
    ) throws {
        let name = "activationBackward(\(activation))"
        try parameter(of: activation, operation: name)
        try sameSize(
            name,
            [
                ("input", input), ("output", output), ("outputGradient", outputGradient),
                ("inputGradient", inputGradient),
            ])
        try inPlaceOrDisjoint(
            inputGradient, outputGradient, "inputGradient and outputGradient", of: name)
        try inPlaceOrDisjoint(inputGradient, input, "inputGradient and input", of: name)
        try inPlaceOrDisjoint(inputGradient, output, "inputGradient and output", of: name)
    }

    public static func softmaxForward<Buffer>(
        input: BufferView<Buffer>, output: BufferView<Buffer>, shape: MatrixShape
    ) throws {
        try self.shape(shape, of: "softmaxForward")
        try operand(input, "input", of: "softmaxForward", shape: shape)
        try operand(output, "output", of: "softmaxForward", shape: shape)
        try inPlaceOrDisjoint(output, input, "output and input", of: "softmaxForward")
    }

    public static func softmaxBackward<Buffer>(
        output: BufferView<Buffer>, outputGradient: BufferView<Buffer>,
        inputGradient: BufferView<Buffer>,
        shape: MatrixShape
    ) throws {
        try self.shape(shape, of: "softmaxBackward")
        try operand(output, "output", of: "softmaxBackward", shape: shape)
        try operand(outputGradient, "outputGradient", of: "softmaxBackward", shape: shape)
        try operand(inputGradient, "inputGradient", of: "softmaxBackward", shape: shape)
        try inPlaceOrDisjoint(
            inputGradient, outputGradient, "inputGradient and outputGradient", of: "softmaxBackward"
        )
        try inPlaceOrDisjoint(
            inputGradient, output, "inputGradient and output", of: "softmaxBackward")
    }

    public static func argmaxRows<Buffer>(
        _ input: BufferView<Buffer>, output: BufferView<Buffer>, shape: MatrixShape
    ) throws {
        try self.shape(shape, of: "argmaxRows")
        try operand(input, "input", of: "argmaxRows", shape: shape)
        try operand(output, "output", of: "argmaxRows", count: shape.rows, type: .int32)
    }

    public static func randomFill<Buffer>(
        _ destination: BufferView<Buffer>, distribution: RandomDistribution
    ) throws {
        try elementType(destination, .float32, operation: "randomFill")
        try self.distribution(distribution)
    }

    /// Checks that an activation's parameter is finite (and ELU's alpha non-negative).
    static func parameter(of activation: Activation, operation: String) throws {
        switch activation {
        case .leakyReLU(let slope) where !slope.isFinite:
            throw DescentError.invalidArgument(
                operation: operation, reason: "the slope must be finite, got \(slope)")
        case .elu(let alpha) where !(alpha.isFinite && alpha >= 0):
            throw DescentError.invalidArgument(
                operation: operation, reason: "alpha must be finite and >= 0, got \(alpha)")
        default:
            break
        }
    }
}
