import DescentCore
import DescentTraining

extension ReferenceMatrix {
    /// The image shape of each row, or an error naming `layer`.
    func image(for layer: any Layer) throws -> (channels: Int, height: Int, width: Int) {
        guard let image = sampleShape?.image else {
            throw DescentError.shapeMismatch(
                operation: "\(layer) (reference)", expected: "image rows",
                actual: "\(sampleShape.map { "\($0)" } ?? "flat rows of \(columns) values")")
        }
        return image
    }
}

/// Convolution by its definition, in seven loops.
extension Conv2D: ReferenceLayer {
    /// Calls `body(n, o, y, x, c, i, j, inputIndex, weightIndex, outputIndex)` for every term of
    /// the convolution that reads the image (padding terms are 0 and skipped).
    private func forEachTerm(
        _ input: ReferenceMatrix,
        _ body: (_ row: Int, _ output: Int, _ inputIndex: Int, _ weightIndex: Int) -> Void
    ) throws {
        let image = try input.image(for: self)
        let shape = try convolutionShape(batch: input.rows, input.sampleShape!)
        for n in 0..<input.rows {
            for o in 0..<outputChannels {
                for y in 0..<shape.outputHeight {
                    for x in 0..<shape.outputWidth {
                        let output = (o * shape.outputHeight + y) * shape.outputWidth + x
                        for c in 0..<inputChannels {
                            for i in 0..<kernelSize {
                                let row = y * stride - shape.padding + i
                                guard row >= 0, row < image.height else { continue }
                                for j in 0..<kernelSize {
                                    let column = x * stride - shape.padding + j
                                    guard column >= 0, column < image.width else { continue }
                                    body(
                                        n, output, (c * image.height + row) * image.width + column,
                                        ((o * inputChannels + c) * kernelSize + i) * kernelSize + j)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private func outputColumns(_ input: ReferenceMatrix) throws -> Int {
        try outputShape(for: input.sampleShape ?? .features(input.columns)).count
    }

    public func referenceForward(
        _ input: ReferenceMatrix, parameters: [[Double]], kinks: inout [Double]
    ) throws -> ReferenceMatrix {
        let columns = try outputColumns(input), positions = columns / outputChannels
        var y = ReferenceMatrix(zeros: input.rows, columns)
        if useBias {
            for n in 0..<input.rows {
                for index in 0..<columns { y[n, index] = parameters[1][index / positions] }
            }
        }
        try forEachTerm(input) { n, output, inputIndex, weightIndex in
            y[n, output] += parameters[0][weightIndex] * input[n, inputIndex]
        }
        return y
    }

    public func referenceBackward(
        _ input: ReferenceMatrix, parameters: [[Double]], outputGradient dy: ReferenceMatrix
    ) throws -> (input: ReferenceMatrix, parameters: [[Double]]) {
        let positions = try outputColumns(input) / outputChannels
        var dx = ReferenceMatrix(zeros: input.rows, input.columns)
        var dw = [Double](repeating: 0, count: parameters[0].count)
        var db = [Double](repeating: 0, count: outputChannels)
        for n in 0..<dy.rows {
            for index in 0..<dy.columns { db[index / positions] += dy[n, index] }
        }
        try forEachTerm(input) { n, output, inputIndex, weightIndex in
            dx[n, inputIndex] += parameters[0][weightIndex] * dy[n, output]
            dw[weightIndex] += input[n, inputIndex] * dy[n, output]
        }
        return (dx, useBias ? [dw, db] : [dw])
    }
}

/// Pooling windows by their definition. Max pooling records, as a kink, the gap between each
/// window's largest and second-largest values: a step across it moves the maximum.
private enum ReferencePooling {
    /// For every output value of every row, its window's input indices in row-major order.
    static func windows(
        _ shape: PoolingShape
    ) -> [(output: Int, inputs: [Int])] {
        var result: [(Int, [Int])] = []
        for image in 0..<shape.channels {
            for y in 0..<shape.outputHeight {
                for x in 0..<shape.outputWidth {
                    let inputs = (0..<shape.windowHeight).flatMap { i in
                        (0..<shape.windowWidth).map { j in
                            (image * shape.height + y * shape.stride + i) * shape.width + x
                                * shape.stride + j
                        }
                    }
                    result.append(
                        ((image * shape.outputHeight + y) * shape.outputWidth + x, inputs))
                }
            }
        }
        return result
    }

    static func forward(
        _ pooling: Pooling, _ input: ReferenceMatrix, _ shape: PoolingShape, kinks: inout [Double]
    ) -> ReferenceMatrix {
        let windows = windows(shape)
        var y = ReferenceMatrix(zeros: input.rows, windows.count)
        for n in 0..<input.rows {
            for (output, inputs) in windows {
                let values = inputs.map { input[n, $0] }
                switch pooling {
                case .max:
                    let sorted = values.sorted(by: >)
                    y[n, output] = sorted[0]
                    if sorted.count > 1 { kinks.append(sorted[0] - sorted[1]) }
                case .average:
                    y[n, output] = values.reduce(0, +) / Double(values.count)
                }
            }
        }
        return y
    }

    static func backward(
        _ pooling: Pooling, _ input: ReferenceMatrix, _ shape: PoolingShape,
        _ dy: ReferenceMatrix
    ) -> ReferenceMatrix {
        var dx = ReferenceMatrix(zeros: input.rows, input.columns)
        for n in 0..<input.rows {
            for (output, inputs) in windows(shape) {
                switch pooling {
                case .max:
                    // The first largest, as the backends choose.
                    var best = inputs[0]
                    for index in inputs.dropFirst() where input[n, index] > input[n, best] {
                        best = index
                    }
                    dx[n, best] += dy[n, output]
                case .average:
                    for index in inputs { dx[n, index] += dy[n, output] / Double(inputs.count) }
                }
            }
        }
        return dx
    }
}

extension Pool2D: ReferenceLayer {
    public func referenceForward(
        _ input: ReferenceMatrix, parameters: [[Double]], kinks: inout [Double]
    ) throws -> ReferenceMatrix {
        _ = try input.image(for: self)
        return ReferencePooling.forward(
            pooling, input, try poolingShape(batch: 1, input.sampleShape!), kinks: &kinks)
    }

    public func referenceBackward(
        _ input: ReferenceMatrix, parameters: [[Double]], outputGradient: ReferenceMatrix
    ) throws -> (input: ReferenceMatrix, parameters: [[Double]]) {
        _ = try input.image(for: self)
        return (
            ReferencePooling.backward(
                pooling, input, try poolingShape(batch: 1, input.sampleShape!), outputGradient), []
        )
    }
}

extension GlobalAveragePool: ReferenceLayer {
    public func referenceForward(
        _ input: ReferenceMatrix, parameters: [[Double]], kinks: inout [Double]
    ) throws -> ReferenceMatrix {
        _ = try input.image(for: self)
        return ReferencePooling.forward(
            .average, input, try poolingShape(batch: 1, input.sampleShape!), kinks: &kinks)
    }

    public func referenceBackward(
        _ input: ReferenceMatrix, parameters: [[Double]], outputGradient: ReferenceMatrix
    ) throws -> (input: ReferenceMatrix, parameters: [[Double]]) {
        _ = try input.image(for: self)
        return (
            ReferencePooling.backward(
                .average, input, try poolingShape(batch: 1, input.sampleShape!), outputGradient), []
        )
    }
}
