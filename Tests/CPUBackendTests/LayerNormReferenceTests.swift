#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentCPU
import DescentTestSupport
import Testing

/// Layer norm on the CPU backend: the forward pass and its saved statistics by hand, epsilon,
/// constant rows, and the backward pass against centered finite differences of a scalar loss in
/// Double.
@Suite struct LayerNormReferenceTests {
    let backend = CPUBackend()

    /// PyTorch's default epsilon of `nn.LayerNorm`.
    static let defaultEpsilon: Float = 1e-5

    /// What a forward pass produces.
    struct Forward {
        var y: [Float]
        var mean: [Float]
        var inverseStandardDeviation: [Float]
    }

    func forward(
        _ x: [Float], _ shape: MatrixShape, gamma: [Float], beta: [Float],
        epsilon: Float = LayerNormReferenceTests.defaultEpsilon
    ) throws -> Forward {
        let output = try backend.poisoned(x.count)
        let saved = NormalizationStatistics(
            mean: try backend.poisoned(shape.rows),
            inverseStandardDeviation: try backend.poisoned(shape.rows))
        try backend.layerNormForward(
            input: backend.view(x),
            parameters: AffineParameters(gamma: backend.view(gamma), beta: backend.view(beta)),
            output: output, saved: saved, shape: shape, epsilon: epsilon)
        return Forward(
            y: try backend.download(output), mean: try backend.download(saved.mean),
            inverseStandardDeviation: try backend.download(saved.inverseStandardDeviation))
    }

    /// The backward pass's dx, dgamma and dbeta for `dy`, after a forward pass on `x`.
    func backward(
        _ x: [Float], _ shape: MatrixShape, gamma: [Float], beta: [Float], dy: [Float],
        epsilon: Float = LayerNormReferenceTests.defaultEpsilon
    ) throws -> (dx: [Float], dGamma: [Float], dBeta: [Float]) {
        let input = try backend.view(x), gammaView = try backend.view(gamma)
        let saved = NormalizationStatistics(
            mean: try backend.poisoned(shape.rows),
            inverseStandardDeviation: try backend.poisoned(shape.rows))
        try backend.layerNormForward(
            input: input, parameters: AffineParameters(gamma: gammaView, beta: backend.view(beta)),
            output: backend.poisoned(x.count), saved: saved, shape: shape, epsilon: epsilon)
        let dx = try backend.poisoned(x.count)
        let gradients = AffineParameters(
            gamma: try backend.poisoned(shape.columns), beta: try backend.poisoned(shape.columns))
        try backend.layerNormBackward(
            input: input, outputGradient: backend.view(dy), gamma: gammaView, saved: saved,
            inputGradient: dx,
            parameterGradients: gradients, shape: shape)
        return (
            try backend.download(dx), try backend.download(gradients.gamma),
            try backend.download(gradients.beta)
        )
    }

    // MARK: Forward

    @Test func forwardByHand() throws {
        // Row 0: 1, 2, 3, 6 has mean 3, deviations -2, -1, 0, 3, squares 14, biased variance 3.5.
        // Row 1: -1, -1, 1, 1 has mean 0, biased variance 1.
        let shape = MatrixShape(rows: 2, columns: 4)
        let gamma: [Float] = [1, 2, -1, 0.5], beta: [Float] = [0, 0.5, 1, -1]
        let result = try forward([1, 2, 3, 6, -1, -1, 1, 1], shape, gamma: gamma, beta: beta)
        let istd0 = 1 / (3.5 + 1e-5).squareRoot(), istd1 = 1 / (1 + 1e-5).squareRoot()
        let expected: [Double] = [
            1 * -2 * istd0 + 0, 2 * -1 * istd0 + 0.5, -1 * 0 * istd0 + 1, 0.5 * 3 * istd0 - 1,
            1 * -1 * istd1 + 0, 2 * -1 * istd1 + 0.5, -1 * 1 * istd1 + 1, 0.5 * 1 * istd1 - 1,
        ]
        expectClose(result.y, expected.map(Float.init), .elementwise, "layer norm by hand")
        expectClose(result.mean, [3, 0], .elementwise, "saved row means")
        expectClose(
            result.inverseStandardDeviation, [Float(istd0), Float(istd1)], .elementwise,
            "saved row inverse std")
    }

    @Test func rowsAreNormalizedIndependentlyOfEachOther() throws {
        let shape = MatrixShape(rows: 5, columns: 9)
        let x = TestData.uniform(shape.count, seed: 700, in: -6...10)
        let ones = [Float](repeating: 1, count: 9), zeros = [Float](repeating: 0, count: 9)
        let whole = try forward(x, shape, gamma: ones, beta: zeros, epsilon: 1e-7)
        for row in 0..<shape.rows {
            let values = Array(whole.y[(row * 9)..<((row + 1) * 9)])
            let mean = values.reduce(0.0) { $0 + Double($1) } / 9
            let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / 9
            #expect(
                abs(mean) <= 1e-6 && abs(variance - 1) <= 1e-5,
                "row \(row): mean \(mean), variance \(variance)")
            // The same row on its own gives the same values.
            let alone = try forward(
                Array(x[(row * 9)..<((row + 1) * 9)]), MatrixShape(rows: 1, columns: 9),
                gamma: ones,
                beta: zeros, epsilon: 1e-7)
            #expect(alone.y == values && alone.mean == [whole.mean[row]])
        }
    }

    @Test func forwardMatchesADoubleReference() throws {
        let shape = MatrixShape(rows: 6, columns: 13)
        let x = TestData.uniform(shape.count, seed: 701, in: -4...8)
        let gamma = TestData.uniform(13, seed: 702, in: -2...2),
            beta = TestData.uniform(13, seed: 703)
        let result = try forward(x, shape, gamma: gamma, beta: beta)
        let reference = Self.forward(
            x.map(Double.init), gamma: gamma.map(Double.init), beta: beta.map(Double.init),
            shape: shape,
            epsilon: Double(Self.defaultEpsilon))
        expectClose(result.y, reference.map(Float.init), .elementwise, "layer norm vs Double")
    }

    @Test func epsilonIsAddedToTheVariance() throws {
        // Row -a, a with a^2 = 1e-5 = epsilon: variance 1e-5, y = a / sqrt(2e-5) = 1 / sqrt 2 (not 1).
        let a = Float(1e-5.squareRoot())
        let shape = MatrixShape(rows: 1, columns: 2)
        let result = try forward([-a, a], shape, gamma: [1, 1], beta: [0, 0])
        let variance = Double(a) * Double(a)
        let expected = Double(a) / (variance + 1e-5).squareRoot()
        expectClose(
            result.y, [Float(-expected), Float(expected)], .elementwise,
            "layer norm with variance = epsilon")
        expectClose(
            result.y, [-0.70710678, 0.70710678], .elementwise,
            "layer norm with variance = epsilon, 1 / sqrt 2")
        expectClose(
            result.inverseStandardDeviation, [Float(1 / (variance + 1e-5).squareRoot())],
            .elementwise, "saved inverse std")
        // Another epsilon changes the result: variance 1e-5 + epsilon 3e-5 gives a / sqrt(4e-5) = 1/2.
        let larger = try forward([-a, a], shape, gamma: [1, 1], beta: [0, 0], epsilon: 3e-5)
        expectClose(larger.y, [-0.5, 0.5], .elementwise, "layer norm with epsilon 3e-5")
    }

    @Test func aConstantRowOutputsBeta() throws {
        // Variance 0: the inverse std is 1 / sqrt(epsilon) (finite) and x - mean is exactly 0.
        let shape = MatrixShape(rows: 3, columns: 4)
        let gamma: [Float] = [2, -1, 0.5, 3], beta: [Float] = [0.25, -1, 0, 4]
        let result = try forward(
            [2.5, 2.5, 2.5, 2.5, -7, -7, -7, -7, 0, 0, 0, 0], shape, gamma: gamma, beta: beta)
        #expect(result.y == beta + beta + beta)
        #expect(result.mean == [2.5, -7, 0])
        expectClose(
            result.inverseStandardDeviation,
            [Float](repeating: Float(1 / 1e-5.squareRoot()), count: 3), .elementwise,
            "inverse std of constant rows")

        // A constant that binary cannot hold: the row mean may be off by an ulp (~7e-9 for 0.1),
        // which 1 / sqrt(epsilon) = 316 and gamma (up to 3) magnify to ~7e-6.
        let inexactRowTolerance = Tolerance(absolute: 1e-5, relative: 0)
        let inexact = try forward(
            [Float](repeating: 0.1, count: 4), MatrixShape(rows: 1, columns: 4), gamma: gamma,
            beta: beta)
        #expect(inexact.y.allSatisfy { $0.isFinite })
        expectClose(inexact.y, beta, inexactRowTolerance, "layer norm of a row of 0.1")

        // Its backward pass is finite too.
        let gradients = try backward(
            [Float](repeating: 2.5, count: 4), MatrixShape(rows: 1, columns: 4), gamma: gamma,
            beta: beta, dy: [1, -2, 0.5, 3])
        #expect((gradients.dx + gradients.dGamma + gradients.dBeta).allSatisfy { $0.isFinite })
        #expect(gradients.dGamma == [0, 0, 0, 0] && gradients.dBeta == [1, -2, 0.5, 3])
    }

    @Test(arguments: [Float(0), -1e-5, .nan, .infinity])
    func badEpsilonThrows(epsilon: Float) throws {
        expectInvalidArgument("layerNormForward") {
            _ = try forward(
                [1, 2], MatrixShape(rows: 1, columns: 2), gamma: [1, 1], beta: [0, 0],
                epsilon: epsilon)
        }
    }

    @Test func aSingleColumnOutputsBeta() throws {
        // One feature per row: x - mean = 0.
        let result = try forward(
            [3, -8, 1e6], MatrixShape(rows: 3, columns: 1), gamma: [5], beta: [0.75])
        #expect(result.y == [0.75, 0.75, 0.75])
        #expect(result.mean == [3, -8, 1e6])
    }

    // MARK: Backward

    /// Layer norm of every row in Double, two-pass biased variance.
    static func forward(
        _ x: [Double], gamma: [Double], beta: [Double], shape: MatrixShape, epsilon: Double
    ) -> [Double] {
        let c = shape.columns
        return (0..<shape.rows).flatMap { row -> [Double] in
            let values = x[(row * c)..<((row + 1) * c)]
            let mean = values.reduce(0, +) / Double(c)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(c)
            let inverse = 1 / (variance + epsilon).squareRoot()
            return values.indices.map {
                gamma[$0 - row * c] * (values[$0] - mean) * inverse + beta[$0 - row * c]
            }
        }
    }

    /// `L = sum w * y`, with each row's mean and variance recomputed from `x`.
    static func loss(
        _ x: [Double], gamma: [Double], beta: [Double], weights w: [Float], shape: MatrixShape,
        epsilon: Double
    ) -> Double {
        zip(forward(x, gamma: gamma, beta: beta, shape: shape, epsilon: epsilon), w).reduce(0) {
            $0 + $1.0 * Double($1.1)
        }
    }

    @Test(arguments: [
        MatrixShape(rows: 1, columns: 7), MatrixShape(rows: 3, columns: 5),
        MatrixShape(rows: 9, columns: 33),
    ])
    func backwardMatchesFiniteDifferencesOfAWeightedSum(shape: MatrixShape) throws {
        let epsilon = Double(Self.defaultEpsilon)
        try expectNormalizationGradientsMatchFiniteDifferences(
            "layer norm", shape: shape, seed: 800,
            backward: { try backward($0, shape, gamma: $1, beta: $2, dy: $3) },
            loss: {
                Self.loss($0, gamma: $1, beta: $2, weights: $3, shape: shape, epsilon: epsilon)
            })
    }

    @Test func gradientConstantAlongARowDoesNotReachTheInput() throws {
        // With gamma = 1, sum_c y[r, c] = sum_c beta[c] whatever the row holds, so a dy constant along a row gives dx = 0.
        let shape = MatrixShape(rows: 3, columns: 6)
        let dy =
            [Float](repeating: 2, count: 6) + [Float](repeating: -0.5, count: 6)
            + [Float](repeating: 1, count: 6)
        let (dx, _, dBeta) = try backward(
            TestData.uniform(18, seed: 810, in: -3...3), shape,
            gamma: [Float](repeating: 1, count: 6),
            beta: [Float](repeating: 0, count: 6), dy: dy)
        expectClose(
            dx, [Float](repeating: 0, count: 18), .elementwise, "dx of a row-constant gradient")
        expectClose(
            dBeta, [Float](repeating: 2.5, count: 6), .elementwise, "dbeta is the column sum of dy")
    }

    // MARK: In place and at offsets

    @Test func forwardInPlaceAndAtAnOffsetMatchesSeparateBuffers() throws {
        let shape = MatrixShape(rows: 3, columns: 5)
        let x = TestData.uniform(shape.count, seed: 900, in: -3...3)
        let gamma = TestData.uniform(5, seed: 901, in: -2...2),
            beta = TestData.uniform(5, seed: 902)
        let separate = try forward(x, shape, gamma: gamma, beta: beta)

        let buffer = try backend.sentinelBuffer(count: 40)
        let values = try backend.place(x, in: buffer, at: 2)
        let gammaView = try backend.place(gamma, in: buffer, at: 19),
            betaView = try backend.place(beta, in: buffer, at: 25)
        let saved = NormalizationStatistics(
            mean: try backend.place([.nan, .nan, .nan], in: buffer, at: 31),
            inverseStandardDeviation: try backend.place([.nan, .nan, .nan], in: buffer, at: 35))
        try backend.layerNormForward(
            input: values, parameters: AffineParameters(gamma: gammaView, beta: betaView),
            output: values, saved: saved,
            shape: shape, epsilon: Self.defaultEpsilon)
        #expect(try backend.download(values) == separate.y)
        #expect(try backend.download(saved.mean) == separate.mean)
        #expect(
            try backend.download(saved.inverseStandardDeviation)
                == separate.inverseStandardDeviation)
        expectSentinelsIntact(
            try backend.download(buffer.view),
            outside: [values, gammaView, betaView, saved.mean, saved.inverseStandardDeviation])
    }

    @Test func backwardInPlaceOverTheOutputGradientMatchesSeparateBuffers() throws {
        let shape = MatrixShape(rows: 4, columns: 6)
        let x = TestData.uniform(shape.count, seed: 910, in: -2...2),
            dy = TestData.uniform(shape.count, seed: 911)
        let gamma = TestData.uniform(6, seed: 912, in: -2...2),
            beta = [Float](repeating: 0, count: 6)
        let separate = try backward(x, shape, gamma: gamma, beta: beta, dy: dy)

        let input = try backend.view(x), gammaView = try backend.view(gamma)
        let saved = NormalizationStatistics(
            mean: try backend.poisoned(4), inverseStandardDeviation: try backend.poisoned(4))
        try backend.layerNormForward(
            input: input, parameters: AffineParameters(gamma: gammaView, beta: backend.view(beta)),
            output: backend.poisoned(shape.count), saved: saved, shape: shape,
            epsilon: Self.defaultEpsilon)
        let buffer = try backend.sentinelBuffer(count: 44)
        let gradient = try backend.place(dy, in: buffer, at: 3)
        let parameterGradients = AffineParameters(
            gamma: try backend.place([Float](repeating: .nan, count: 6), in: buffer, at: 29),
            beta: try backend.place([Float](repeating: .nan, count: 6), in: buffer, at: 36))
        try backend.layerNormBackward(
            input: input, outputGradient: gradient, gamma: gammaView, saved: saved,
            inputGradient: gradient,
            parameterGradients: parameterGradients, shape: shape)
        #expect(try backend.download(gradient) == separate.dx)
        #expect(try backend.download(parameterGradients.gamma) == separate.dGamma)
        #expect(try backend.download(parameterGradients.beta) == separate.dBeta)
        expectSentinelsIntact(
            try backend.download(buffer.view),
            outside: [gradient, parameterGradients.gamma, parameterGradients.beta])
    }
}
