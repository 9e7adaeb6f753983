import DescentCore
import DescentCPU
import DescentOpenCL
import DescentTestSupport
import Testing

/// sum, mean, max and sum of squares over all elements, each row and each column, and argmax per
/// row, against the CPU.
@Suite(.requiresOpenCL)
struct ReductionParityTests {
    func reduce<B: Backend>(
        on backend: B, _ operation: ReductionOperation, axis: ReductionAxis, shape: MatrixShape,
        values: [Float]
    ) throws -> [Float] {
        let input = try backend.paddedView(values)
        let output = try backend.paddedView(
            [Float](repeating: .nan, count: axis.outputCount(for: shape)))
        try backend.reduce(operation, input, axis: axis, output: output, shape: shape)
        return try backend.download(output)
    }

    @Test(arguments: ReductionOperation.allCases, ReductionAxis.allCases)
    func reductionMatchesReference(operation: ReductionOperation, axis: ReductionAxis) throws {
        let shapes =
            ParityShapes.matrices
            + (ParityShapes.reduced ? [] : [MatrixShape(rows: 300, columns: 400)])
        for shape in shapes {
            let values = TestData.uniform(shape.count, seed: 50)
            let expected = try reduce(
                on: CPUBackend(), operation, axis: axis, shape: shape, values: values)
            let actual = try reduce(
                on: try OpenCLTestSupport.makeBackend(), operation, axis: axis, shape: shape,
                values: values)
            expectClose(actual, expected, .reduction, "\(operation) over \(axis) of \(shape)")
        }
    }

    @Test(arguments: ReductionAxis.allCases)
    func maxPropagatesNaN(axis: ReductionAxis) throws {
        let shape = MatrixShape(rows: 3, columns: 140)
        var values = TestData.uniform(shape.count, seed: 51)
        values[shape.columns + 77] = .nan
        let expected = try reduce(on: CPUBackend(), .max, axis: axis, shape: shape, values: values)
        let actual = try reduce(
            on: try OpenCLTestSupport.makeBackend(), .max, axis: axis, shape: shape, values: values)
        #expect(expected.contains { $0.isNaN })
        expectClose(actual, expected, .exact, "max with a NaN over \(axis)")
    }

    func argmax<B: Backend>(on backend: B, shape: MatrixShape, values: [Float]) throws -> [Int32] {
        let input = try backend.paddedView(values)
        let output = try backend.makeBuffer(count: shape.rows, elementType: .int32)
        try backend.fill(output.view, with: -1)
        try backend.argmaxRows(input, output: output.view, shape: shape)
        return try backend.download(output.view, as: Int32.self)
    }

    @Test(arguments: ParityShapes.matrices)
    func argmaxMatchesReference(shape: MatrixShape) throws {
        // Quantized values make ties common: the first index must win on both backends.
        let values = TestData.uniform(shape.count, seed: 52).map { ($0 * 4).rounded() }
        let expected = try argmax(on: CPUBackend(), shape: shape, values: values)
        let actual = try argmax(
            on: try OpenCLTestSupport.makeBackend(), shape: shape, values: values)
        #expect(actual == expected, "argmax of \(shape)")
    }

    @Test func argmaxPrefersTheFirstNaN() throws {
        let shape = MatrixShape(rows: 2, columns: 300)
        var values = TestData.uniform(shape.count, seed: 53)
        values[5] = .nan
        values[200] = .nan
        values[300 + 299] = .nan
        let expected = try argmax(on: CPUBackend(), shape: shape, values: values)
        let actual = try argmax(
            on: try OpenCLTestSupport.makeBackend(), shape: shape, values: values)
        #expect(expected == [5, 299])
        #expect(actual == expected)
    }
}
