import DescentCore
import DescentCPU
import DescentTestSupport
import Testing

/// `addBias`, `biasGradient`, `elementwise`, `scale` and `axpy` of the CPU backend against values
/// worked out by hand, including in-place use and views at offsets inside a larger buffer.
@Suite struct BiasAndElementwiseReferenceTests {
    let backend = CPUBackend()
    let matrix = MatrixShape(rows: 2, columns: 3)

    // MARK: addBias and biasGradient

    @Test func addBiasAddsTheRowVectorToEveryRow() throws {
        let output = try backend.poisoned(6)
        try backend.addBias(
            backend.view([1, 2, 3, 4, 5, 6]), bias: backend.view([10, 20, 30]), output: output,
            shape: matrix)
        #expect(try backend.download(output) == [11, 22, 33, 14, 25, 36])
    }

    @Test func addBiasInPlace() throws {
        let values = try backend.view([1, 2, 3, 4, 5, 6])
        try backend.addBias(
            values, bias: backend.view([-1, 0.5, 2]), output: values, shape: matrix)
        #expect(try backend.download(values) == [0, 2.5, 5, 3, 5.5, 8])
    }

    @Test func addBiasOnSingleRowAndSingleColumnShapes() throws {
        let row = try backend.poisoned(3)
        try backend.addBias(
            backend.view([1, 2, 3]), bias: backend.view([1, 1, 1]), output: row,
            shape: MatrixShape(rows: 1, columns: 3))
        #expect(try backend.download(row) == [2, 3, 4])
        let column = try backend.poisoned(3)
        try backend.addBias(
            backend.view([1, 2, 3]), bias: backend.view([-5]), output: column,
            shape: MatrixShape(rows: 3, columns: 1))
        #expect(try backend.download(column) == [-4, -3, -2])
    }

    @Test func addBiasWithViewsAtOffsetsInsideOneBuffer() throws {
        let buffer = try backend.sentinelBuffer(count: 30)
        let input = try backend.place([1, 2, 3, 4, 5, 6], in: buffer, at: 2)
        let bias = try backend.place([10, 20, 30], in: buffer, at: 10)
        let output = try backend.place([.nan, .nan, .nan, .nan, .nan, .nan], in: buffer, at: 17)
        try backend.addBias(input, bias: bias, output: output, shape: matrix)
        let all = try backend.download(buffer.view)
        #expect(Array(all[17..<23]) == [11, 22, 33, 14, 25, 36])
        #expect(Array(all[2..<8]) == [1, 2, 3, 4, 5, 6])
        expectSentinelsIntact(all, outside: [input, bias, output])
    }

    @Test func biasGradientIsTheColumnSum() throws {
        let gradient = try backend.poisoned(3)
        try backend.biasGradient(
            backend.view([1, 2, 3, 4, 5, 6]), biasGradient: gradient, shape: matrix)
        #expect(try backend.download(gradient) == [5, 7, 9])

        let tall = try backend.poisoned(2)
        try backend.biasGradient(
            backend.view([1, -2, 0.5, 4, -3, 0.25]), biasGradient: tall,
            shape: MatrixShape(rows: 3, columns: 2))
        #expect(try backend.download(tall) == [-1.5, 2.25])
    }

    @Test func biasGradientOfOneRowIsThatRowAndOfOneColumnIsItsSum() throws {
        let row = try backend.poisoned(4)
        try backend.biasGradient(
            backend.view([1, -2, 3, -4]), biasGradient: row, shape: MatrixShape(rows: 1, columns: 4)
        )
        #expect(try backend.download(row) == [1, -2, 3, -4])
        let column = try backend.poisoned(1)
        try backend.biasGradient(
            backend.view([1, -2, 3, -4]), biasGradient: column,
            shape: MatrixShape(rows: 4, columns: 1))
        #expect(try backend.download(column) == [-2])
    }

    @Test func biasGradientWithViewsAtOffsetsInsideOneBuffer() throws {
        let buffer = try backend.sentinelBuffer(count: 20)
        let outputGradient = try backend.place([1, 2, 3, 4, 5, 6], in: buffer, at: 5)
        let gradient = try backend.place([.nan, .nan, .nan], in: buffer, at: 13)
        try backend.biasGradient(outputGradient, biasGradient: gradient, shape: matrix)
        let all = try backend.download(buffer.view)
        #expect(Array(all[13..<16]) == [5, 7, 9])
        expectSentinelsIntact(all, outside: [outputGradient, gradient])
    }

    // MARK: Elementwise

    static let a: [Float] = [1, -2, 3.5, 0, 1e30]
    static let b: [Float] = [4, 5, -6, -0.5, 1e10]

    @Test(arguments: [
        (ElementwiseOperation.add, [Float]([5, 3, -2.5, -0.5, 1e30])),
        (.subtract, [-3, -7, 9.5, 0.5, 1e30]),
        (.multiply, [4, -10, -21, 0, .infinity]),
    ])
    func elementwiseOperations(operation: ElementwiseOperation, expected: [Float]) throws {
        let output = try backend.poisoned(5)
        try backend.elementwise(
            operation, backend.view(Self.a), backend.view(Self.b), output: output)
        #expect(try backend.download(output) == expected)
    }

    @Test(arguments: ElementwiseOperation.allCases)
    func elementwiseInPlaceOverEitherOperand(operation: ElementwiseOperation) throws {
        let expected = try { () throws -> [Float] in
            let output = try backend.poisoned(5)
            try backend.elementwise(
                operation, backend.view(Self.a), backend.view(Self.b), output: output)
            return try backend.download(output)
        }()
        let overA = try backend.view(Self.a), b = try backend.view(Self.b)
        try backend.elementwise(operation, overA, b, output: overA)
        #expect(try backend.download(overA) == expected, "output is a")
        let a = try backend.view(Self.a), overB = try backend.view(Self.b)
        try backend.elementwise(operation, a, overB, output: overB)
        #expect(
            try backend.download(overB) == expected, "output is b: still a (op) b, not b (op) a")
    }

    @Test func elementwiseWithAllThreeOperandsTheSameView() throws {
        let values: [Float] = [1, -2, 3.5, 0.5]
        let x = try backend.view(values)
        try backend.elementwise(.add, x, x, output: x)
        #expect(try backend.download(x) == [2, -4, 7, 1])
        try backend.elementwise(.multiply, x, x, output: x)
        #expect(try backend.download(x) == [4, 16, 49, 1])
        try backend.elementwise(.subtract, x, x, output: x)
        #expect(try backend.download(x) == [0, 0, 0, 0])
    }

    @Test func elementwiseWithViewsAtOffsetsInsideOneBuffer() throws {
        let buffer = try backend.sentinelBuffer(count: 24)
        let a = try backend.place([1, 2, 3, 4], in: buffer, at: 1)
        let b = try backend.place([10, 20, 30, 40], in: buffer, at: 7)
        let output = try backend.place([.nan, .nan, .nan, .nan], in: buffer, at: 15)
        try backend.elementwise(.subtract, a, b, output: output)
        let all = try backend.download(buffer.view)
        #expect(Array(all[15..<19]) == [-9, -18, -27, -36])
        expectSentinelsIntact(all, outside: [a, b, output])
    }

    // MARK: scale and axpy

    @Test func scaleMultipliesEveryElement() throws {
        let output = try backend.poisoned(4)
        try backend.scale(backend.view([1, -2, 0.5, 0]), by: 2.5, output: output)
        #expect(try backend.download(output) == [2.5, -5, 1.25, 0])
        let inPlace = try backend.view([1, -2, 0.5, 0])
        try backend.scale(inPlace, by: -4, output: inPlace)
        #expect(try backend.download(inPlace) == [-4, 8, -2, 0])
    }

    @Test func scaleAtAnOffsetInsideABuffer() throws {
        let buffer = try backend.sentinelBuffer(count: 12)
        let values = try backend.place([1, 2, 3], in: buffer, at: 4)
        try backend.scale(values, by: 3, output: values)
        let all = try backend.download(buffer.view)
        #expect(Array(all[4..<7]) == [3, 6, 9])
        expectSentinelsIntact(all, outside: [values])
    }

    @Test func axpyAddsAScaledXToY() throws {
        let y = try backend.view([1, 2, 3, -1])
        try backend.axpy(alpha: -2, x: backend.view([1, 1, 1, 0.5]), y: y)
        #expect(try backend.download(y) == [-1, 0, 1, -2])
        try backend.axpy(alpha: 0, x: backend.view([5, 5, 5, 5]), y: y)
        #expect(try backend.download(y) == [-1, 0, 1, -2], "alpha = 0 leaves y as it was")
        try backend.axpy(alpha: 1, x: backend.view([1, 1, 1, 1]), y: y)
        #expect(try backend.download(y) == [0, 1, 2, -1], "y accumulates")
    }

    @Test func axpyWithDisjointViewsOfOneBuffer() throws {
        let buffer = try backend.sentinelBuffer(count: 16)
        let x = try backend.place([1, 2, 3], in: buffer, at: 2)
        let y = try backend.place([10, 10, 10], in: buffer, at: 5)
        try backend.axpy(alpha: 0.5, x: x, y: y)
        let all = try backend.download(buffer.view)
        #expect(Array(all[2..<8]) == [1, 2, 3, 10.5, 11, 11.5])
        expectSentinelsIntact(all, outside: [x, y])
    }

    @Test func randomElementwiseAgreesWithSwiftArithmetic() throws {
        let a = TestData.uniform(257, seed: 21, in: -5...5),
            b = TestData.uniform(257, seed: 22, in: -5...5)
        for operation in ElementwiseOperation.allCases {
            let output = try backend.poisoned(257)
            try backend.elementwise(operation, backend.view(a), backend.view(b), output: output)
            let expected: [Float] = zip(a, b).map { x, y in
                switch operation {
                case .add: x + y
                case .subtract: x - y
                case .multiply: x * y
                }
            }
            expectClose(try backend.download(output), expected, .exact, "elementwise(\(operation))")
        }
    }
}
