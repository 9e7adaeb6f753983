#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentCPU
import DescentTestSupport
import Testing

/// Row-wise softmax of the CPU backend against values by hand, and its backward pass against
/// finite differences of a scalar loss in Double.
@Suite struct SoftmaxReferenceTests {
    let backend = CPUBackend()

    func softmax(_ x: [Float], _ shape: MatrixShape) throws -> [Float] {
        let output = try backend.poisoned(x.count)
        try backend.softmaxForward(input: backend.view(x), output: output, shape: shape)
        return try backend.download(output)
    }

    /// Softmax of one row in Double, shifted by its maximum.
    static func softmax(_ row: [Double]) -> [Double] {
        let largest = row.max() ?? 0
        let exponentials = row.map { exp($0 - largest) }
        let total = exponentials.reduce(0, +)
        return exponentials.map { $0 / total }
    }

    @Test func smallRowByHand() throws {
        // e^1, e^2, e^3 over their sum.
        let y = try softmax([1, 2, 3], MatrixShape(rows: 1, columns: 3))
        expectClose(
            y, [0.09003057317038046, 0.24472847105479767, 0.6652409557748219], .elementwise,
            "softmax [1, 2, 3]")
    }

    @Test func rowsAreIndependentAndAnEqualRowIsUniform() throws {
        let y = try softmax([1, 2, 3, 0, 0, 0, -7, -7, -7], MatrixShape(rows: 3, columns: 3))
        let third: Float = 1.0 / 3
        expectClose(
            y, [0.09003057, 0.24472847, 0.66524096, third, third, third, third, third, third],
            .elementwise, "softmax of three rows")
    }

    @Test func singleColumnIsOne() throws {
        #expect(try softmax([-5, 0, 1e30], MatrixShape(rows: 3, columns: 1)) == [1, 1, 1])
    }

    @Test(arguments: [
        MatrixShape(rows: 5, columns: 7), MatrixShape(rows: 1, columns: 1031),
        MatrixShape(rows: 33, columns: 2),
    ])
    func rowsSumToOneAndLieInTheUnitInterval(shape: MatrixShape) throws {
        let y = try softmax(TestData.uniform(shape.count, seed: 8, in: -10...10), shape)
        for row in 0..<shape.rows {
            let values = y[(row * shape.columns)..<((row + 1) * shape.columns)]
            let sum = values.reduce(0.0) { $0 + Double($1) }
            #expect(abs(sum - 1) <= 1e-5, "row \(row) sums to \(sum)")
            #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 }, "row \(row) leaves [0, 1]")
        }
    }

    @Test func hugeLogitsAreStable() throws {
        let shape = MatrixShape(rows: 1, columns: 2)
        let large = try softmax([1000, 1001], shape)
        #expect(large.allSatisfy { $0.isFinite })
        expectClose(
            large, try softmax([0, 1], shape), .elementwise, "softmax [1000, 1001] vs [0, 1]")
        expectClose(
            large, [0.2689414213699951, 0.7310585786300049], .elementwise, "softmax [1000, 1001]")

        let negative = try softmax([-1000, -1001], shape)
        expectClose(
            negative, [0.7310585786300049, 0.2689414213699951], .elementwise,
            "softmax [-1000, -1001]")
        #expect(try softmax([1000, 0, -1000], MatrixShape(rows: 1, columns: 3)) == [1, 0, 0])
        #expect(
            try softmax([.greatestFiniteMagnitude, .greatestFiniteMagnitude], shape) == [0.5, 0.5])
    }

    @Test func shiftingARowLeavesItsSoftmaxUnchanged() throws {
        let shape = MatrixShape(rows: 4, columns: 6)
        let x = TestData.uniform(shape.count, seed: 9, in: -3...3)
        expectClose(
            try softmax(x.map { $0 + 50 }, shape), try softmax(x, shape), .elementwise,
            "softmax(x + 50)")
    }

    @Test func forwardMatchesDoubleReference() throws {
        let shape = MatrixShape(rows: 6, columns: 11)
        let x = TestData.uniform(shape.count, seed: 10, in: -8...8)
        let reference = (0..<shape.rows).flatMap { row in
            Self.softmax(x[(row * shape.columns)..<((row + 1) * shape.columns)].map(Double.init))
                .map(Float.init)
        }
        expectClose(try softmax(x, shape), reference, .elementwise, "softmax vs Double")
    }

    @Test func forwardInPlaceAndAtAnOffset() throws {
        let shape = MatrixShape(rows: 2, columns: 3)
        let x: [Float] = [1, 2, 3, -1, 0, 4]
        let expected = try softmax(x, shape)
        let buffer = try backend.sentinelBuffer(count: 16)
        let values = try backend.place(x, in: buffer, at: 5)
        try backend.softmaxForward(input: values, output: values, shape: shape)
        let all = try backend.download(buffer.view)
        #expect(Array(all[5..<11]) == expected)
        expectSentinelsIntact(all, outside: [values])
    }

    // MARK: Backward

    @Test func backwardByHand() throws {
        // y = [0.2, 0.3, 0.5], dy = [1, 0, 0]: sum dy y = 0.2, dx = y (dy - 0.2) = [0.16, -0.06, -0.1].
        let dx = try backend.poisoned(3)
        try backend.softmaxBackward(
            output: backend.view([0.2, 0.3, 0.5]), outputGradient: backend.view([1, 0, 0]),
            inputGradient: dx,
            shape: MatrixShape(rows: 1, columns: 3))
        expectClose(
            try backend.download(dx), [0.16, -0.06, -0.1], .elementwise, "softmax backward by hand")
    }

    /// `dL/dx` for `L = sum w * softmax(x)` (row-wise), against centered differences in Double.
    @Test(arguments: [
        MatrixShape(rows: 3, columns: 6), MatrixShape(rows: 1, columns: 2),
        MatrixShape(rows: 4, columns: 1),
    ])
    func backwardMatchesFiniteDifferencesOfAWeightedSum(shape: MatrixShape) throws {
        let x = TestData.uniform(shape.count, seed: 14, in: -3...3)
        let w = TestData.uniform(shape.count, seed: 15, in: -2...2)
        let y = try backend.poisoned(shape.count)
        try backend.softmaxForward(input: backend.view(x), output: y, shape: shape)
        let dx = try backend.poisoned(shape.count)
        try backend.softmaxBackward(
            output: y, outputGradient: backend.view(w), inputGradient: dx, shape: shape)

        let numeric = x.indices.map { index -> Float in
            let row = index / shape.columns, start = row * shape.columns
            func loss(_ value: Double) -> Double {
                var logits = x[start..<(start + shape.columns)].map(Double.init)
                logits[index - start] = value
                return zip(Self.softmax(logits), w[start..<(start + shape.columns)]).reduce(0) {
                    $0 + $1.0 * Double($1.1)
                }
            }
            return Float(centeredDifference(at: Double(x[index]), step: 1e-5, loss))
        }
        expectClose(
            try backend.download(dx), numeric, .finiteDifference,
            "softmax backward vs finite differences \(shape)")
    }

    @Test func gradientOfAConstantRowWeightIsZero() throws {
        // sum_c softmax(x)_c = 1 for every x, so its gradient vanishes.
        let shape = MatrixShape(rows: 2, columns: 5)
        let y = try backend.poisoned(shape.count)
        try backend.softmaxForward(
            input: backend.view(TestData.uniform(10, seed: 16, in: -4...4)), output: y, shape: shape
        )
        let dx = try backend.poisoned(shape.count)
        try backend.softmaxBackward(
            output: y, outputGradient: backend.view([Float](repeating: 3, count: 10)),
            inputGradient: dx, shape: shape)
        expectClose(
            try backend.download(dx), [Float](repeating: 0, count: 10), .elementwise,
            "gradient of a constant")
    }

    @Test func backwardInPlaceOverTheOutputGradient() throws {
        let shape = MatrixShape(rows: 3, columns: 4)
        let y = try backend.poisoned(shape.count)
        try backend.softmaxForward(
            input: backend.view(TestData.uniform(12, seed: 17, in: -2...2)), output: y, shape: shape
        )
        let dy = TestData.uniform(12, seed: 18)
        let separate = try backend.poisoned(12)
        try backend.softmaxBackward(
            output: y, outputGradient: backend.view(dy), inputGradient: separate, shape: shape)
        let gradient = try backend.view(dy)
        try backend.softmaxBackward(
            output: y, outputGradient: gradient, inputGradient: gradient, shape: shape)
        #expect(try backend.download(gradient) == backend.download(separate))
    }
}
