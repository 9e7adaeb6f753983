import DescentCore

/// Convolution as one product on the tuned matmul: `convolution_im2col` lays the batch's patches
/// out as a matrix, `matmul` multiplies, and the kernels of `Kernels/convolution.cl` move the
/// product to and from NCHW and gather the patches' gradient back (col2im as a gather).
extension OpenCLBackend {
    public func convolutionForward(
        input: View, weights: View, bias: View?, output: View, workspace: View,
        shape: ConvolutionShape
    ) throws {
        try Validation.convolutionForward(
            input: input, weights: weights, bias: bias, output: output, workspace: workspace,
            shape: shape)
        let (patches, product) = try ConvolutionWorkspace.split(workspace, shape)
        try im2col(input, patches, shape)
        try matmul(weights, patches, product, shape: ConvolutionWorkspace.forwardProduct(shape))
        try launch(
            .convolutionToNCHW,
            global: [shape.outputChannels, shape.batch], local: nil,
            [
                .int(shape.batch), .int(shape.outputChannels), .int(shape.outputPositions),
                .view(product), .optionalView(bias), .view(output),
            ])
    }

    public func convolutionInputGradient(
        outputGradient: View, weights: View, inputGradient: View, workspace: View,
        shape: ConvolutionShape
    ) throws {
        try Validation.convolutionInputGradient(
            outputGradient: outputGradient, weights: weights, inputGradient: inputGradient,
            workspace: workspace, shape: shape)
        let (patches, product) = try ConvolutionWorkspace.split(workspace, shape)
        try channelMajor(outputGradient, into: product, shape)
        try matmul(
            weights, product, patches, shape: ConvolutionWorkspace.patchGradientProduct(shape))
        try launch(
            .convolutionCol2im,
            global: [shape.inputHeight, shape.batch * shape.inputChannels],
            local: nil, geometry(shape) + [.view(patches), .view(inputGradient)])
    }

    public func convolutionWeightGradient(
        input: View, outputGradient: View, weightGradient: View, biasGradient: View?,
        workspace: View, shape: ConvolutionShape
    ) throws {
        try Validation.convolutionWeightGradient(
            input: input, outputGradient: outputGradient, weightGradient: weightGradient,
            biasGradient: biasGradient, workspace: workspace, shape: shape)
        let (patches, product) = try ConvolutionWorkspace.split(workspace, shape)
        try im2col(input, patches, shape)
        try channelMajor(outputGradient, into: product, shape)
        try matmul(
            product, patches, weightGradient, shape: ConvolutionWorkspace.weightProduct(shape))
        if let biasGradient {
            try reduce(
                .sum, product, axis: .eachRow, output: biasGradient,
                shape: MatrixShape(
                    rows: shape.outputChannels, columns: shape.batch * shape.outputPositions))
        }
    }

    private func im2col(_ input: View, _ patches: View, _ shape: ConvolutionShape) throws {
        try launch(
            .convolutionIm2col, global: [shape.outputHeight, shape.patchSize, shape.batch],
            local: nil, geometry(shape) + [.view(input), .view(patches)])
    }

    private func channelMajor(
        _ gradient: View, into product: View, _ shape: ConvolutionShape
    )
        throws
    {
        try launch(
            .convolutionToChannelMajor,
            global: [shape.outputChannels, shape.batch], local: nil,
            [
                .int(shape.batch), .int(shape.outputChannels), .int(shape.outputPositions),
                .view(gradient), .view(product),
            ])
    }

    /// The leading arguments of `convolution_im2col` and `convolution_col2im`.
    private func geometry(_ shape: ConvolutionShape) -> [KernelArgument] {
        [
            shape.batch, shape.inputChannels, shape.inputHeight, shape.inputWidth,
            shape.kernelHeight, shape.kernelWidth, shape.stride, shape.padding, shape.outputHeight,
            shape.outputWidth,
        ].map { .int($0) }
    }
}
