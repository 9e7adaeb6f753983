import DescentCore

/// Convolution as its definition lowers it: the batch's patches laid out as a matrix (im2col),
/// one product with the weight matrix, and the gradients' patches gathered back (col2im as a
/// gather). The OpenCL backend runs the same steps with its kernels and tuned matmul.
extension CPUBackend {
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
        // product is [outputChannels, batch x positions]; the output is [batch, outputChannels, positions].
        let source = product.floats, destination = output.floats, b = bias?.floats
        let positions = shape.outputPositions, batch = shape.batch
        for channel in 0..<shape.outputChannels {
            let add = b?[channel] ?? 0
            for sample in 0..<batch {
                let from = (channel * batch + sample) * positions
                let to = (sample * shape.outputChannels + channel) * positions
                for p in 0..<positions { destination[to + p] = source[from + p] + add }
            }
        }
    }

    public func convolutionInputGradient(
        outputGradient: View, weights: View, inputGradient: View, workspace: View,
        shape: ConvolutionShape
    ) throws {
        try Validation.convolutionInputGradient(
            outputGradient: outputGradient, weights: weights, inputGradient: inputGradient,
            workspace: workspace, shape: shape)
        let (patches, product) = try ConvolutionWorkspace.split(workspace, shape)
        channelMajor(outputGradient, into: product, shape)
        try matmul(
            weights, product, patches, shape: ConvolutionWorkspace.patchGradientProduct(shape))
        col2im(patches, inputGradient, shape)
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
        channelMajor(outputGradient, into: product, shape)
        try matmul(
            product, patches, weightGradient, shape: ConvolutionWorkspace.weightProduct(shape))
        if let biasGradient {
            try reduce(
                .sum, product, axis: .eachRow, output: biasGradient,
                shape: MatrixShape(
                    rows: shape.outputChannels, columns: shape.batch * shape.outputPositions))
        }
    }

    /// Writes the batch's patches as the `patchSize x (batch positions)` matrix: row
    /// `(c, i, j)`, column `(n, y, x)` holds `input[n, c, y stride - padding + i, x stride -
    /// padding + j]`, or 0 in the padding.
    private func im2col(_ input: View, _ patches: View, _ shape: ConvolutionShape) throws {
        let x = input.floats, columns = patches.floats
        let (height, width) = (shape.inputHeight, shape.inputWidth)
        let (outputHeight, outputWidth) = (shape.outputHeight, shape.outputWidth)
        let rowLength = shape.batch * shape.outputPositions
        for row in 0..<shape.patchSize {
            let j = row % shape.kernelWidth, i = row / shape.kernelWidth % shape.kernelHeight
            let channel = row / (shape.kernelWidth * shape.kernelHeight)
            for sample in 0..<shape.batch {
                let image = (sample * shape.inputChannels + channel) * height * width
                for y in 0..<outputHeight {
                    let sourceY = y * shape.stride - shape.padding + i
                    for xPosition in 0..<outputWidth {
                        let sourceX = xPosition * shape.stride - shape.padding + j
                        let inside =
                            sourceY >= 0 && sourceY < height && sourceX >= 0 && sourceX < width
                        columns[
                            row * rowLength + sample * shape.outputPositions + y * outputWidth
                                + xPosition] = inside ? x[image + sourceY * width + sourceX] : 0
                    }
                }
            }
        }
    }

    /// Each input element sums the patch-matrix entries that came from it, kernel row by kernel
    /// row, then kernel column by kernel column.
    private func col2im(_ patches: View, _ inputGradient: View, _ shape: ConvolutionShape) {
        let columns = patches.floats, dx = inputGradient.floats
        let (height, width) = (shape.inputHeight, shape.inputWidth)
        let rowLength = shape.batch * shape.outputPositions
        for sample in 0..<shape.batch {
            for channel in 0..<shape.inputChannels {
                for yPosition in 0..<height {
                    for xPosition in 0..<width {
                        var sum: Float = 0
                        for i in 0..<shape.kernelHeight {
                            guard
                                let y = shape.outputIndex(
                                    yPosition, kernelOffset: i, \.outputHeight)
                            else { continue }
                            for j in 0..<shape.kernelWidth {
                                guard
                                    let x = shape.outputIndex(
                                        xPosition, kernelOffset: j, \.outputWidth)
                                else { continue }
                                let row = (channel * shape.kernelHeight + i) * shape.kernelWidth + j
                                sum +=
                                    columns[
                                        row * rowLength + sample * shape.outputPositions + y
                                            * shape.outputWidth + x]
                            }
                        }
                        dx[
                            ((sample * shape.inputChannels + channel) * height + yPosition) * width
                                + xPosition] = sum
                    }
                }
            }
        }
    }

    /// Reorders an NCHW output gradient `[batch, outputChannels, positions]` into the channel-major
    /// `[outputChannels, batch x positions]` matrix the products take.
    private func channelMajor(_ gradient: View, into product: View, _ shape: ConvolutionShape) {
        let source = gradient.floats, destination = product.floats
        let positions = shape.outputPositions, batch = shape.batch
        for channel in 0..<shape.outputChannels {
            for sample in 0..<batch {
                let from = (sample * shape.outputChannels + channel) * positions
                let to = (channel * batch + sample) * positions
                for p in 0..<positions { destination[to + p] = source[from + p] }
            }
        }
    }
}

extension ConvolutionShape {
    /// The output row (or column) whose window put kernel offset `offset` on input row (or
    /// column) `position`, or nil when no output position did: `(position + padding - offset) /
    /// stride` when that divides exactly and lies in the output.
    fileprivate func outputIndex(
        _ position: Int, kernelOffset offset: Int, _ extent: KeyPath<ConvolutionShape, Int>
    ) -> Int? {
        let shifted = position + padding - offset
        guard shifted >= 0, shifted % stride == 0, shifted / stride < self[keyPath: extent] else {
            return nil
        }
        return shifted / stride
    }
}
