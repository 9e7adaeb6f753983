import DescentCore

extension OpenCLBackend {
    public func reduce(
        _ operation: ReductionOperation, _ input: View, axis: ReductionAxis, output: View, shape: MatrixShape
    ) throws {
        try Validation.reduce(operation, input, axis: axis, output: output, shape: shape)
        let group = tuning.groupSize
        switch axis {
        case .all:
            let groups = min((shape.count + group - 1) / group, Self.maxReductionGroups)
            try launch(
                "reduce_all_partial", global: [groups * group], local: [group],
                [.int(operation.kernelCode), .int(shape.count), .view(input), .memory(reductionScratch.memory)])
            try launch(
                "reduce_all_final", global: [group], local: [group],
                [.int(operation.kernelCode), .int(groups), .int(shape.count),
                 .memory(reductionScratch.memory), .view(output)])
        case .eachRow:
            try launch(
                "reduce_rows", global: [shape.rows * group], local: [group],
                [.int(operation.kernelCode), .int(shape.columns), .view(input), .view(output)])
        case .eachColumn:
            try launchElementwise(
                "reduce_columns", count: shape.columns,
                [.int(operation.kernelCode), .int(shape.rows), .int(shape.columns), .view(input), .view(output)])
        }
    }

    public func argmaxRows(_ input: View, output: View, shape: MatrixShape) throws {
        try Validation.argmaxRows(input, output: output, shape: shape)
        try launch(
            "argmax_rows", global: [shape.rows * tuning.groupSize], local: [tuning.groupSize],
            [.int(shape.columns), .view(input), .view(output)])
    }
}

extension ReductionOperation {
    /// The `REDUCE_*` constant of `Kernels/reduction.cl`.
    var kernelCode: Int {
        switch self {
        case .sum: 0
        case .mean: 1
        case .max: 2
        case .sumOfSquares: 3
        }
    }
}
