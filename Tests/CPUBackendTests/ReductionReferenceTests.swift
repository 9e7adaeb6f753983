import DescentCore
import DescentCPU
import DescentTestSupport
import Testing

/// `reduce` and `argmaxRows` of the CPU backend on hand-written matrices.
@Suite struct ReductionReferenceTests {
    let backend = CPUBackend()

    /// [[1, -2, 3], [4, 5, -6]].
    static let matrix: [Float] = [1, -2, 3, 4, 5, -6]
    static let shape = MatrixShape(rows: 2, columns: 3)

    /// The reductions of `matrix`, by hand.
    static let expected: [ReductionOperation: [ReductionAxis: [Float]]] = [
        .sum: [.all: [5], .eachRow: [2, 3], .eachColumn: [5, 3, -3]],
        .mean: [.all: [5.0 / 6], .eachRow: [2.0 / 3, 1], .eachColumn: [2.5, 1.5, -1.5]],
        .max: [.all: [5], .eachRow: [3, 5], .eachColumn: [4, 5, 3]],
        .sumOfSquares: [.all: [91], .eachRow: [14, 77], .eachColumn: [17, 29, 45]],
    ]

    func reduce(
        _ operation: ReductionOperation, _ values: [Float], axis: ReductionAxis, shape: MatrixShape
    ) throws -> [Float] {
        let output = try backend.poisoned(axis.outputCount(for: shape))
        try backend.reduce(
            operation, backend.view(values), axis: axis, output: output, shape: shape)
        return try backend.download(output)
    }

    func argmax(_ values: [Float], shape: MatrixShape) throws -> [Int32] {
        let output = try backend.makeBuffer(count: shape.rows, elementType: .int32)
        try backend.fill(output.view, with: -1)
        try backend.argmaxRows(backend.view(values), output: output.view, shape: shape)
        return try backend.download(output.view, as: Int32.self)
    }

    @Test(arguments: ReductionOperation.allCases, ReductionAxis.allCases)
    func handWrittenTwoByThree(operation: ReductionOperation, axis: ReductionAxis) throws {
        let expected = try #require(Self.expected[operation]?[axis])
        let actual = try reduce(operation, Self.matrix, axis: axis, shape: Self.shape)
        expectClose(actual, expected, .elementwise, "\(operation) over \(axis)")
    }

    @Test(arguments: ReductionOperation.allCases)
    func singleElementReducesToItself(operation: ReductionOperation) throws {
        let expected: Float = operation == .sumOfSquares ? 6.25 : -2.5
        for axis in ReductionAxis.allCases {
            #expect(
                try reduce(operation, [-2.5], axis: axis, shape: MatrixShape(rows: 1, columns: 1))
                    == [expected])
        }
    }

    @Test func maxOfNegativeNumbersIsNotZero() throws {
        let values: [Float] = [-3, -1, -2, -.infinity, -7, -5]
        #expect(try reduce(.max, values, axis: .all, shape: Self.shape) == [-1])
        #expect(try reduce(.max, values, axis: .eachRow, shape: Self.shape) == [-1, -5])
        #expect(try reduce(.max, values, axis: .eachColumn, shape: Self.shape) == [-3, -1, -2])
    }

    @Test func maxPropagatesNaNOnEveryAxis() throws {
        // [[1, NaN, 3], [4, 5, 6]]: NaN wins wherever it takes part, also when it comes first.
        let values: [Float] = [1, .nan, 3, 4, 5, 6]
        #expect(try reduce(.max, values, axis: .all, shape: Self.shape).map { $0.isNaN } == [true])
        let rows = try reduce(.max, values, axis: .eachRow, shape: Self.shape)
        #expect(rows[0].isNaN && rows[1] == 6)
        let columns = try reduce(.max, values, axis: .eachColumn, shape: Self.shape)
        #expect(columns[0] == 4 && columns[1].isNaN && columns[2] == 6)

        let leading = try reduce(
            .max, [.nan, 9, 1e30], axis: .all, shape: MatrixShape(rows: 1, columns: 3))
        #expect(leading[0].isNaN, "a NaN in the first position is not replaced by a larger number")
        let trailing = try reduce(
            .max, [.infinity, 9, .nan], axis: .all, shape: MatrixShape(rows: 1, columns: 3))
        #expect(trailing[0].isNaN, "a NaN after +infinity still wins")
    }

    @Test func sumAndMeanPropagateNaNAndInfinity() throws {
        let shape = MatrixShape(rows: 1, columns: 3)
        #expect(try reduce(.sum, [1, .nan, 2], axis: .all, shape: shape)[0].isNaN)
        #expect(try reduce(.mean, [1, .infinity, 2], axis: .all, shape: shape) == [.infinity])
        #expect(
            try reduce(.sumOfSquares, [1, -.infinity, 2], axis: .all, shape: shape) == [.infinity])
    }

    @Test(arguments: ReductionAxis.allCases)
    func randomMatrixMatchesADoubleReference(axis: ReductionAxis) throws {
        let shape = MatrixShape(rows: 37, columns: 29)
        let x = TestData.uniform(shape.count, seed: 19, in: -3...3)
        let groups: [[Float]] =
            switch axis {
            case .all: [x]
            case .eachRow:
                (0..<shape.rows).map { Array(x[($0 * shape.columns)..<(($0 + 1) * shape.columns)]) }
            case .eachColumn:
                (0..<shape.columns).map { column in
                    (0..<shape.rows).map { x[$0 * shape.columns + column] }
                }
            }
        let sums = groups.map { $0.reduce(0.0) { $0 + Double($1) } }
        expectClose(
            try reduce(.sum, x, axis: axis, shape: shape), sums.map(Float.init), .reduction,
            "sum \(axis)")
        expectClose(
            try reduce(.mean, x, axis: axis, shape: shape),
            zip(sums, groups).map { Float($0 / Double($1.count)) }, .reduction, "mean \(axis)")
        expectClose(
            try reduce(.sumOfSquares, x, axis: axis, shape: shape),
            groups.map { Float($0.reduce(0.0) { $0 + Double($1) * Double($1) }) }, .reduction,
            "sumOfSquares \(axis)")
        #expect(try reduce(.max, x, axis: axis, shape: shape) == groups.map { $0.max()! })
    }

    @Test func reduceIntoAViewAtAnOffset() throws {
        let buffer = try backend.sentinelBuffer(count: 20)
        let input = try backend.place(Self.matrix, in: buffer, at: 1)
        let output = try backend.place([.nan, .nan, .nan], in: buffer, at: 11)
        try backend.reduce(.sum, input, axis: .eachColumn, output: output, shape: Self.shape)
        let all = try backend.download(buffer.view)
        #expect(Array(all[11..<14]) == [5, 3, -3])
        expectSentinelsIntact(all, outside: [input, output])
    }

    // MARK: argmaxRows

    @Test func argmaxPicksTheLargestColumnOfEachRow() throws {
        #expect(try argmax(Self.matrix, shape: Self.shape) == [2, 1])
        #expect(try argmax([-3, -1, -2, -.infinity, -7, -5], shape: Self.shape) == [1, 2])
    }

    @Test func argmaxTiesGoToTheFirstIndex() throws {
        #expect(
            try argmax([1, 3, 3, 5, 5, 5, 2, 0, 2], shape: MatrixShape(rows: 3, columns: 3)) == [
                1, 0, 0,
            ])
        #expect(
            try argmax([-.infinity, -.infinity, 0, -0.0], shape: MatrixShape(rows: 2, columns: 2))
                == [0, 0])
    }

    @Test func argmaxNaNCountsAsLargerThanAnyNumber() throws {
        let rows: [Float] = [
            5, .nan, 7,  // a NaN beats a larger number after it
            .nan, 2, .nan,  // the first NaN wins
            .infinity, .nan, 1,  // NaN beats +infinity
            .nan, .nan, .nan,
            2, 9, .nan,
        ]
        #expect(try argmax(rows, shape: MatrixShape(rows: 5, columns: 3)) == [1, 0, 1, 0, 2])
    }

    @Test func argmaxOfSingleColumnIsZero() throws {
        #expect(try argmax([3, .nan, -1], shape: MatrixShape(rows: 3, columns: 1)) == [0, 0, 0])
    }

    @Test func argmaxIntoAnInt32ViewAtAnOffset() throws {
        let buffer = try backend.makeBuffer(count: 8, elementType: .int32)
        try backend.fill(buffer.view, with: -9)
        try backend.argmaxRows(
            backend.view(Self.matrix), output: buffer.view(offset: 3, count: 2), shape: Self.shape)
        #expect(
            try backend.download(buffer.view, as: Int32.self) == [-9, -9, -9, 2, 1, -9, -9, -9])
    }

    @Test func argmaxMatchesSwiftOnRandomRows() throws {
        let shape = MatrixShape(rows: 41, columns: 13)
        let x = TestData.uniform(shape.count, seed: 20)
        let expected = (0..<shape.rows).map { row -> Int32 in
            let values = x[(row * shape.columns)..<((row + 1) * shape.columns)]
            return Int32(values.firstIndex(of: values.max()!)! - row * shape.columns)
        }
        #expect(try argmax(x, shape: shape) == expected)
    }
}
