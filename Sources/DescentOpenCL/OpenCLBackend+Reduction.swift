import DescentCore

extension OpenCLBackend {
    public func reduce(
        _ operation: ReductionOperation, _ input: View, axis: ReductionAxis, output: View,
        shape: MatrixShape
    ) throws {
        try Validation.reduce(operation, input, axis: axis, output: output, shape: shape)
        let group = tuning.groupSize
        switch axis {
        case .all:
            let groups = min((shape.count + group - 1) / group, Self.maxReductionGroups)
            try launch(
                .reduceAllPartial, global: [groups * group], local: [group],
                [
                    .code(operation.kernelCode), .int(shape.count), .view(input),
                    .memory(reductionScratch.memory),
                ])
            try launch(
                .reduceAllFinal, global: [group], local: [group],
                [
                    .code(operation.kernelCode), .int(groups), .int(shape.count),
                    .memory(reductionScratch.memory), .view(output),
                ])
        case .eachRow:
            try launch(
                .reduceRows, global: [shape.rows * group], local: [group],
                [.code(operation.kernelCode), .int(shape.columns), .view(input), .view(output)])
        case .eachColumn:
            try launchElementwise(
                .reduceColumns, count: shape.columns,
                [
                    .code(operation.kernelCode), .int(shape.rows), .int(shape.columns),
                    .view(input), .view(output),
                ])
        }
    }

    public func argmaxRows(_ input: View, output: View, shape: MatrixShape) throws {
        try Validation.argmaxRows(input, output: output, shape: shape)
        try launch(
            .argmaxRows, global: [shape.rows * tuning.groupSize], local: [tuning.groupSize],
            [.int(shape.columns), .view(input), .view(output)])
    }
}

extension ReductionOperation {
    /// The kernels' code for the reduction.
    var kernelCode: ReduceCode {
        switch self {
        case .sum: .sum
        case .mean: .mean
        case .max: .max
        case .sumOfSquares: .sumOfSquares
        }
    }
}
