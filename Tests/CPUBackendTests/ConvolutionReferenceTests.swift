import DescentCore
import DescentCPU
import DescentTestSupport
import Testing

/// The CPU reference of convolution and pooling against their definitions written directly in
/// Double (seven nested loops, no im2col), and their gradients against centered finite
/// differences of `L = sum dy * f(x)` in Double.
@Suite struct ConvolutionReferenceTests {
    let backend = CPUBackend()

    /// The definition: `y[n, o, r, c] = b[o] + sum w[o, ch, i, j] x[n, ch, r s - p + i, c s - p + j]`.
    static func direct(
        _ x: [Double], _ w: [Double], _ b: [Double], _ shape: ConvolutionShape
    )
        -> [Double]
    {
        var y = [Double](repeating: 0, count: shape.outputCount)
        let (h, wd) = (shape.inputHeight, shape.inputWidth)
        for n in 0..<shape.batch {
            for o in 0..<shape.outputChannels {
                for r in 0..<shape.outputHeight {
                    for c in 0..<shape.outputWidth {
                        var sum = b[o]
                        for ch in 0..<shape.inputChannels {
                            for i in 0..<shape.kernelHeight {
                                for j in 0..<shape.kernelWidth {
                                    let yy = r * shape.stride - shape.padding + i
                                    let xx = c * shape.stride - shape.padding + j
                                    guard yy >= 0, yy < h, xx >= 0, xx < wd else { continue }
                                    sum +=
                                        w[
                                            ((o * shape.inputChannels + ch) * shape.kernelHeight + i)
                                                * shape.kernelWidth + j]
                                        * x[((n * shape.inputChannels + ch) * h + yy) * wd + xx]
                                }
                            }
                        }
                        y[
                            ((n * shape.outputChannels + o) * shape.outputHeight + r)
                                * shape.outputWidth + c] = sum
                    }
                }
            }
        }
        return y
    }

    /// `d/dv sum dy * f(v)` by centered differences, element by element.
    static func finiteDifference(
        _ values: [Double], _ dy: [Double], _ f: ([Double]) -> [Double]
    ) -> [Double] {
        let step = 1e-6
        return values.indices.map { index in
            var plus = values, minus = values
            plus[index] += step
            minus[index] -= step
            let up = zip(dy, f(plus)).reduce(0) { $0 + $1.0 * $1.1 }
            let down = zip(dy, f(minus)).reduce(0) { $0 + $1.0 * $1.1 }
            return (up - down) / (2 * step)
        }
    }

    static let shapes = [
        ConvolutionShape(
            batch: 2, inputChannels: 3, inputHeight: 5, inputWidth: 4, outputChannels: 2,
            kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1),
        ConvolutionShape(
            batch: 1, inputChannels: 2, inputHeight: 7, inputWidth: 7, outputChannels: 3,
            kernelHeight: 5, kernelWidth: 5, stride: 2, padding: 2),
        ConvolutionShape(
            batch: 3, inputChannels: 1, inputHeight: 3, inputWidth: 3, outputChannels: 1,
            kernelHeight: 1, kernelWidth: 1, stride: 2, padding: 0),
        ConvolutionShape(
            batch: 1, inputChannels: 1, inputHeight: 1, inputWidth: 1, outputChannels: 2,
            kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1),
    ]

    @Test(arguments: shapes)
    func convolutionMatchesDefinitionAndFiniteDifferences(shape: ConvolutionShape) throws {
        let x = TestData.uniform(shape.inputCount, seed: 1, in: -2...2)
        let w = TestData.uniform(shape.weightCount, seed: 2)
        let b = TestData.uniform(shape.outputChannels, seed: 3)
        let dy = TestData.uniform(shape.outputCount, seed: 4)
        let (xd, wd, bd, dyd) = (
            x.map(Double.init), w.map(Double.init), b.map(Double.init), dy.map(Double.init)
        )
        let workspace = try backend.poisoned(shape.workspaceCount)

        let y = try backend.poisoned(shape.outputCount)
        try backend.convolutionForward(
            input: backend.view(x), weights: backend.view(w), bias: backend.view(b), output: y,
            workspace: workspace, shape: shape)
        expectClose(
            try backend.download(y), Self.direct(xd, wd, bd, shape).map(Float.init), .matmul,
            "forward \(shape)")

        let dx = try backend.poisoned(shape.inputCount)
        try backend.convolutionInputGradient(
            outputGradient: backend.view(dy), weights: backend.view(w), inputGradient: dx,
            workspace: workspace, shape: shape)
        let expectedDx = Self.finiteDifference(xd, dyd) { Self.direct($0, wd, bd, shape) }
        expectClose(
            try backend.download(dx), expectedDx.map(Float.init), .finiteDifference,
            "input gradient \(shape)")

        let dw = try backend.poisoned(shape.weightCount),
            db = try backend.poisoned(shape.outputChannels)
        try backend.convolutionWeightGradient(
            input: backend.view(x), outputGradient: backend.view(dy), weightGradient: dw,
            biasGradient: db, workspace: workspace, shape: shape)
        let expectedDw = Self.finiteDifference(wd, dyd) { Self.direct(xd, $0, bd, shape) }
        let expectedDb = Self.finiteDifference(bd, dyd) { Self.direct(xd, wd, $0, shape) }
        expectClose(
            try backend.download(dw), expectedDw.map(Float.init), .finiteDifference,
            "weight gradient \(shape)")
        expectClose(
            try backend.download(db), expectedDb.map(Float.init), .finiteDifference,
            "bias gradient \(shape)")
    }

    /// Pooling's definition in Double: the window's maximum or mean.
    static func directPooling(_ pooling: Pooling, _ x: [Double], _ shape: PoolingShape) -> [Double]
    {
        var y: [Double] = []
        for image in 0..<(shape.batch * shape.channels) {
            for r in 0..<shape.outputHeight {
                for c in 0..<shape.outputWidth {
                    var window: [Double] = []
                    for i in 0..<shape.windowHeight {
                        for j in 0..<shape.windowWidth {
                            window.append(
                                x[
                                    (image * shape.height + r * shape.stride + i) * shape.width
                                        + c * shape.stride + j])
                        }
                    }
                    y.append(
                        pooling == .max
                            ? window.max()! : window.reduce(0, +) / Double(window.count))
                }
            }
        }
        return y
    }

    @Test(arguments: [
        PoolingShape(
            batch: 2, channels: 2, height: 6, width: 5, windowHeight: 2, windowWidth: 2, stride: 2),
        PoolingShape(
            batch: 1, channels: 3, height: 7, width: 7, windowHeight: 3, windowWidth: 3, stride: 2),
        PoolingShape(
            batch: 2, channels: 1, height: 4, width: 4, windowHeight: 4, windowWidth: 4, stride: 1),
        PoolingShape(
            batch: 1, channels: 1, height: 5, width: 3, windowHeight: 2, windowWidth: 1, stride: 1),
    ])
    func poolingMatchesDefinitionAndFiniteDifferences(shape: PoolingShape) throws {
        // Distinct values, so that no finite-difference step moves a window's maximum.
        let x = (0..<shape.inputCount).map { Float(($0 * 37) % shape.inputCount) / 8 - 3 }
        let dy = TestData.uniform(shape.outputCount, seed: 5)
        for pooling in Pooling.allCases {
            let y = try backend.poisoned(shape.outputCount)
            try backend.poolingForward(pooling, input: backend.view(x), output: y, shape: shape)
            expectClose(
                try backend.download(y),
                Self.directPooling(pooling, x.map(Double.init), shape).map(Float.init),
                .elementwise, "\(pooling) pooling \(shape)")
            let dx = try backend.poisoned(shape.inputCount)
            try backend.poolingBackward(
                pooling, input: backend.view(x), outputGradient: backend.view(dy),
                inputGradient: dx,
                shape: shape)
            let expected = Self.finiteDifference(x.map(Double.init), dy.map(Double.init)) {
                Self.directPooling(pooling, $0, shape)
            }
            expectClose(
                try backend.download(dx), expected.map(Float.init), .finiteDifference,
                "\(pooling) pooling gradient \(shape)")
        }
    }

    /// Max pooling follows PyTorch on ties (the first position gets the gradient) and NaNs
    /// (the first NaN is the maximum).
    @Test func maxPoolingTiesAndNaN() throws {
        let shape = PoolingShape(
            batch: 1, channels: 1, height: 2, width: 4, windowHeight: 2, windowWidth: 2, stride: 2)
        let x: [Float] = [1, 5, .nan, 2, 5, 0, 3, .nan]
        let y = try backend.poisoned(2), dx = try backend.poisoned(8)
        try backend.poolingForward(.max, input: backend.view(x), output: y, shape: shape)
        let out = try backend.download(y)
        #expect(out[0] == 5 && out[1].isNaN)
        try backend.poolingBackward(
            .max, input: backend.view(x), outputGradient: backend.view([10, 20]), inputGradient: dx,
            shape: shape)
        #expect(try backend.download(dx) == [0, 10, 20, 0, 0, 0, 0, 0])
    }

    @Test func badShapesAreRefused() throws {
        let tooLarge = ConvolutionShape(
            batch: 1, inputChannels: 1, inputHeight: 2, inputWidth: 2, outputChannels: 1,
            kernelHeight: 5, kernelWidth: 5, stride: 1, padding: 1)
        #expect(throws: DescentError.self) {
            try backend.convolutionForward(
                input: backend.view([1, 2, 3, 4]),
                weights: backend.view([Float](repeating: 0, count: 25)),
                bias: nil, output: backend.poisoned(1), workspace: backend.poisoned(100),
                shape: tooLarge)
        }
        let small = ConvolutionShape(
            batch: 1, inputChannels: 1, inputHeight: 3, inputWidth: 3, outputChannels: 1,
            kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1)
        #expect(throws: DescentError.self) {
            try backend.convolutionForward(
                input: backend.view([Float](repeating: 0, count: 9)),
                weights: backend.view([Float](repeating: 0, count: 9)), bias: nil,
                output: backend.poisoned(9), workspace: backend.poisoned(small.workspaceCount - 1),
                shape: small)
        }
        #expect(throws: DescentError.self) {
            try backend.poolingForward(
                .max, input: backend.view([1, 2]), output: backend.poisoned(1),
                shape: PoolingShape(
                    batch: 1, channels: 1, height: 1, width: 2, windowHeight: 2, windowWidth: 2,
                    stride: 2))
        }
    }
}
