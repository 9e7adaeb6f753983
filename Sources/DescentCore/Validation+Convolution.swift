/// Operand checks of convolution and pooling.
extension Validation {
    /// Checks a convolution's shape: every size at least 1, the kernel no larger than the padded
    /// input, and sizes whose element counts fit the kernels' 32-bit indices.
    public static func convolution(_ shape: ConvolutionShape, of operation: String) throws {
        let sizes = [
            shape.batch, shape.inputChannels, shape.inputHeight, shape.inputWidth,
            shape.outputChannels, shape.kernelHeight, shape.kernelWidth, shape.stride,
        ]
        guard sizes.allSatisfy({ $0 > 0 }), shape.padding >= 0 else {
            throw DescentError.invalidArgument(
                operation: operation,
                reason: "every size and the stride must be at least 1 and the padding at least 0, "
                    + "got \(shape)")
        }
        guard shape.kernelHeight <= shape.inputHeight + 2 * shape.padding,
            shape.kernelWidth <= shape.inputWidth + 2 * shape.padding
        else {
            throw DescentError.invalidArgument(
                operation: operation,
                reason: "the \(shape.kernelHeight)x\(shape.kernelWidth) kernel is larger than the "
                    + "\(shape.inputHeight)x\(shape.inputWidth) input with padding \(shape.padding)"
            )
        }
        try indexable(
            [shape.inputCount, shape.outputCount, shape.weightCount, shape.workspaceCount],
            shape, of: operation)
    }

    public static func convolutionForward<Buffer>(
        input: BufferView<Buffer>, weights: BufferView<Buffer>, bias: BufferView<Buffer>?,
        output: BufferView<Buffer>, workspace: BufferView<Buffer>, shape: ConvolutionShape
    ) throws {
        let name = "convolutionForward"
        try convolution(shape, of: name)
        try operand(input, "input", of: name, count: shape.inputCount)
        try operand(weights, "weights", of: name, count: shape.weightCount)
        if let bias { try operand(bias, "bias", of: name, count: shape.outputChannels) }
        try operand(output, "output", of: name, count: shape.outputCount)
        try convolutionWorkspace(workspace, shape, of: name)
        try disjoint(output, input, "output and input", of: name)
        try disjoint(workspace, output, "workspace and output", of: name)
        try disjoint(workspace, input, "workspace and input", of: name)
    }

    public static func convolutionInputGradient<Buffer>(
        outputGradient: BufferView<Buffer>, weights: BufferView<Buffer>,
        inputGradient: BufferView<Buffer>, workspace: BufferView<Buffer>, shape: ConvolutionShape
    ) throws {
        let name = "convolutionInputGradient"
        try convolution(shape, of: name)
        try operand(outputGradient, "outputGradient", of: name, count: shape.outputCount)
        try operand(weights, "weights", of: name, count: shape.weightCount)
        try operand(inputGradient, "inputGradient", of: name, count: shape.inputCount)
        try convolutionWorkspace(workspace, shape, of: name)
        try disjoint(inputGradient, outputGradient, "inputGradient and outputGradient", of: name)
        try disjoint(workspace, inputGradient, "workspace and inputGradient", of: name)
        try disjoint(workspace, outputGradient, "workspace and outputGradient", of: name)
    }

    public static func convolutionWeightGradient<Buffer>(
        input: BufferView<Buffer>, outputGradient: BufferView<Buffer>,
        weightGradient: BufferView<Buffer>, biasGradient: BufferView<Buffer>?,
        workspace: BufferView<Buffer>, shape: ConvolutionShape
    ) throws {
        let name = "convolutionWeightGradient"
        try convolution(shape, of: name)
        try operand(input, "input", of: name, count: shape.inputCount)
        try operand(outputGradient, "outputGradient", of: name, count: shape.outputCount)
        try operand(weightGradient, "weightGradient", of: name, count: shape.weightCount)
        if let biasGradient {
            try operand(biasGradient, "biasGradient", of: name, count: shape.outputChannels)
            try disjoint(biasGradient, weightGradient, "biasGradient and weightGradient", of: name)
            try disjoint(workspace, biasGradient, "workspace and biasGradient", of: name)
        }
        try convolutionWorkspace(workspace, shape, of: name)
        try disjoint(workspace, weightGradient, "workspace and weightGradient", of: name)
        try disjoint(workspace, input, "workspace and input", of: name)
        try disjoint(workspace, outputGradient, "workspace and outputGradient", of: name)
    }

    /// Checks a pooling's shape: every size at least 1 and the window no larger than the image.
    public static func pooling(_ shape: PoolingShape, of operation: String) throws {
        let sizes = [
            shape.batch, shape.channels, shape.height, shape.width, shape.windowHeight,
            shape.windowWidth, shape.stride,
        ]
        guard sizes.allSatisfy({ $0 > 0 }) else {
            throw DescentError.invalidArgument(
                operation: operation,
                reason: "every size, the window and the stride must be at least 1, got \(shape)")
        }
        guard shape.windowHeight <= shape.height, shape.windowWidth <= shape.width else {
            throw DescentError.invalidArgument(
                operation: operation,
                reason: "the \(shape.windowHeight)x\(shape.windowWidth) window is larger than the "
                    + "\(shape.height)x\(shape.width) image")
        }
        try indexable([shape.inputCount], shape, of: operation)
    }

    public static func poolingForward<Buffer>(
        input: BufferView<Buffer>, output: BufferView<Buffer>, shape: PoolingShape
    ) throws {
        let name = "poolingForward"
        try pooling(shape, of: name)
        try operand(input, "input", of: name, count: shape.inputCount)
        try operand(output, "output", of: name, count: shape.outputCount)
        try disjoint(output, input, "output and input", of: name)
    }

    public static func poolingBackward<Buffer>(
        input: BufferView<Buffer>, outputGradient: BufferView<Buffer>,
        inputGradient: BufferView<Buffer>, shape: PoolingShape
    ) throws {
        let name = "poolingBackward"
        try pooling(shape, of: name)
        try operand(input, "input", of: name, count: shape.inputCount)
        try operand(outputGradient, "outputGradient", of: name, count: shape.outputCount)
        try operand(inputGradient, "inputGradient", of: name, count: shape.inputCount)
        try disjoint(inputGradient, outputGradient, "inputGradient and outputGradient", of: name)
        try disjoint(inputGradient, input, "inputGradient and input", of: name)
    }

    public static func augmentImages<Buffer>(
        input: BufferView<Buffer>, output: BufferView<Buffer>, shape: ImageBatchShape,
        augmentation: ImageAugmentation
    ) throws {
        let name = "augmentImages"
        guard shape.batch > 0, shape.channels > 0, shape.height > 0, shape.width > 0 else {
            throw DescentError.invalidArgument(
                operation: name, reason: "every size must be at least 1, got \(shape)")
        }
        guard (0..<(1 << 15)).contains(augmentation.padding) else {
            throw DescentError.invalidArgument(
                operation: name,
                reason: "the crop padding must be in 0..<32768, got \(augmentation.padding)")
        }
        try operand(input, "input", of: name, count: shape.count)
        try operand(output, "output", of: name, count: shape.count)
        try disjoint(output, input, "output and input", of: name)
        try indexable([shape.count], shape, of: name)
    }

    private static func convolutionWorkspace<Buffer>(
        _ workspace: BufferView<Buffer>, _ shape: ConvolutionShape, of name: String
    ) throws {
        try elementType(workspace, .float32, operation: name)
        guard workspace.count >= shape.workspaceCount else {
            throw DescentError.shapeMismatch(
                operation: name,
                expected: "a workspace of at least \(shape.workspaceCount) elements",
                actual: "\(workspace.count) elements")
        }
    }

    /// Checks that every count fits the kernels' 32-bit indices.
    private static func indexable(
        _ counts: [Int], _ shape: some CustomStringConvertible, of operation: String
    ) throws {
        guard counts.allSatisfy({ $0 <= Int(Int32.max) }) else {
            throw DescentError.invalidArgument(
                operation: operation,
                reason: "\(shape) needs more than 2^31 - 1 elements in one buffer; "
                    + "use a smaller batch")
        }
    }
}
