import DescentCore

extension CPUBackend {
    /// Reductions accumulate in float32 in index order; `max` propagates NaN.
    public func reduce(
        _ operation: ReductionOperation, _ input: View, axis: ReductionAxis, output: View,
        shape: MatrixShape
    ) throws {
        try Validation.reduce(operation, input, axis: axis, output: output, shape: shape)
        let x = input.floats, y = output.floats
        switch axis {
        case .all:
            y[0] = Self.reduce(operation, count: x.count) { x[$0] }
        case .eachRow:
            for row in 0..<shape.rows {
                y[row] = Self.reduce(operation, count: shape.columns) {
                    x[row * shape.columns + $0]
                }
            }
        case .eachColumn:
            for column in 0..<shape.columns {
                y[column] = Self.reduce(operation, count: shape.rows) {
                    x[$0 * shape.columns + column]
                }
            }
        }
    }

    public func argmaxRows(_ input: View, output: View, shape: MatrixShape) throws {
        try Validation.argmaxRows(input, output: output, shape: shape)
        let x = input.floats, indices = output.int32s
        for row in 0..<shape.rows {
            var best = 0
            for column in 1..<shape.columns {
                let value = x[row * shape.columns + column], current = x[row * shape.columns + best]
                if !current.isNaN && (value > current || value.isNaN) { best = column }
            }
            indices[row] = Int32(best)
        }
    }

    /// Combines `count` elements, the `i`-th given by `element(i)`.
    static func reduce(
        _ operation: ReductionOperation, count: Int, element: (Int) -> Float
    ) -> Float {
        switch operation {
        case .sum, .mean:
            var sum: Float = 0
            for i in 0..<count { sum += element(i) }
            return operation == .mean ? sum / Float(count) : sum
        case .sumOfSquares:
            var sum: Float = 0
            for i in 0..<count { sum += element(i) * element(i) }
            return sum
        case .max:
            var largest = element(0)
            for i in 1..<count {
                let value = element(i)
                if value > largest || value.isNaN { largest = value }
                if largest.isNaN { break }
            }
            return largest
        }
    }
}
