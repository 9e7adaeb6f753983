import DescentCore

extension CPUBackend {
    public func poolingForward(
        _ pooling: Pooling, input: View, output: View, shape: PoolingShape
    )
        throws
    {
        try Validation.poolingForward(input: input, output: output, shape: shape)
        let x = input.floats, y = output.floats
        let (outputHeight, outputWidth) = (shape.outputHeight, shape.outputWidth)
        let windowSize = Float(shape.windowHeight * shape.windowWidth)
        for image in 0..<(shape.batch * shape.channels) {
            for row in 0..<outputHeight {
                for column in 0..<outputWidth {
                    let value: Float
                    switch pooling {
                    case .max:
                        value = x[shape.largest(image: image, row: row, column: column, in: x)]
                    case .average:
                        var sum: Float = 0
                        for index in shape.window(image: image, row: row, column: column) {
                            sum += x[index]
                        }
                        value = sum / windowSize
                    }
                    y[(image * outputHeight + row) * outputWidth + column] = value
                }
            }
        }
    }

    public func poolingBackward(
        _ pooling: Pooling, input: View, outputGradient: View, inputGradient: View,
        shape: PoolingShape
    ) throws {
        try Validation.poolingBackward(
            input: input, outputGradient: outputGradient, inputGradient: inputGradient,
            shape: shape)
        let x = input.floats, dy = outputGradient.floats, dx = inputGradient.floats
        let (height, width) = (shape.height, shape.width)
        let (outputHeight, outputWidth) = (shape.outputHeight, shape.outputWidth)
        let windowSize = Float(shape.windowHeight * shape.windowWidth)
        for image in 0..<(shape.batch * shape.channels) {
            for yPosition in 0..<height {
                for xPosition in 0..<width {
                    let index = (image * height + yPosition) * width + xPosition
                    var sum: Float = 0
                    // The windows that hold (y, x), in row-major order.
                    for row in shape.windows(
                        holding: yPosition, window: shape.windowHeight, outputs: outputHeight)
                    {
                        for column in shape.windows(
                            holding: xPosition, window: shape.windowWidth, outputs: outputWidth)
                        {
                            let gradient = dy[(image * outputHeight + row) * outputWidth + column]
                            switch pooling {
                            case .max:
                                if shape.largest(image: image, row: row, column: column, in: x)
                                    == index
                                {
                                    sum += gradient
                                }
                            case .average:
                                sum += gradient / windowSize
                            }
                        }
                    }
                    dx[index] = sum
                }
            }
        }
    }
}

extension PoolingShape {
    /// The input indices of output (row, column)'s window of `image` (a sample's channel), in
    /// row-major order.
    fileprivate func window(image: Int, row: Int, column: Int) -> [Int] {
        (0..<windowHeight).flatMap { i in
            (0..<windowWidth).map { j in
                (image * height + row * stride + i) * width + column * stride + j
            }
        }
    }

    /// The index of the window's largest value: the first in row-major order, a NaN counting as
    /// larger than any number (the first NaN wins).
    fileprivate func largest(
        image: Int, row: Int, column: Int, in x: UnsafeMutableBufferPointer<Float>
    ) -> Int {
        let indices = window(image: image, row: row, column: column)
        var best = indices[0]
        for index in indices.dropFirst()
        where x[index] > x[best] || (x[index].isNaN && !x[best].isNaN) {
            best = index
        }
        return best
    }

    /// The output rows (or columns) whose window holds input row (or column) `position`:
    /// `row stride <= position < row stride + window`.
    fileprivate func windows(holding position: Int, window: Int, outputs: Int) -> Range<Int> {
        let first = position >= window ? (position - window) / stride + 1 : 0
        let end = min(position / stride + 1, outputs)
        return first..<max(first, end)
    }
}
