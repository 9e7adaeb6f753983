/// The operand checks every backend runs before an op, shared so that both backends reject the
/// same inputs with the same message.
public enum Validation {
    /// Checks that `view` holds `shape`'s elements of `type`.
    public static func operand<Buffer>(
        _ view: BufferView<Buffer>, _ name: String, of operation: String,
        shape: MatrixShape, type: ElementType = .float32
    ) throws {
        try elementType(view, type, operation: operation)
        guard view.count == shape.count else {
            throw DescentError.shapeMismatch(
                operation: operation,
                expected: "\(name) of shape \(shape) (\(shape.count) elements)",
                actual: "\(view.count) elements")
        }
    }

    /// Checks that `view` holds exactly `count` elements of `type`.
    public static func operand<Buffer>(
        _ view: BufferView<Buffer>, _ name: String, of operation: String,
        count: Int, type: ElementType = .float32
    ) throws {
        try elementType(view, type, operation: operation)
        guard view.count == count else {
            throw DescentError.shapeMismatch(
                operation: operation, expected: "\(name) of \(count) elements",
                actual: "\(view.count) elements")
        }
    }

    /// Checks the element type of a view.
    public static func elementType<Buffer>(
        _ view: BufferView<Buffer>, _ type: ElementType, operation: String
    ) throws {
        guard view.elementType == type else {
            throw DescentError.elementTypeMismatch(
                operation: operation, expected: type, actual: view.elementType)
        }
    }

    /// Checks that a matrix shape has at least one row and one column.
    public static func shape(_ shape: MatrixShape, of operation: String) throws {
        guard shape.rows > 0, shape.columns > 0 else {
            throw DescentError.invalidArgument(
                operation: operation,
                reason: "shape \(shape) must have at least one row and one column")
        }
    }

    /// Checks that `output` either is `input` exactly or shares no element with it.
    public static func inPlaceOrDisjoint<Buffer>(
        _ output: BufferView<Buffer>, _ input: BufferView<Buffer>, _ names: String,
        of operation: String
    ) throws {
        guard output.isIdentical(to: input) || !output.overlaps(input) else {
            throw DescentError.invalidArgument(
                operation: operation,
                reason: "\(names) partially overlap; use the same view or disjoint views")
        }
    }

    /// Checks that two views share no element.
    public static func disjoint<Buffer>(
        _ first: BufferView<Buffer>, _ second: BufferView<Buffer>, _ names: String,
        of operation: String
    ) throws {
        guard !first.overlaps(second) else {
            throw DescentError.invalidArgument(
                operation: operation, reason: "\(names) must not overlap")
        }
    }

    /// Checks `matmul`'s operands against `shape`.
    public static func matmul<Buffer>(
        _ a: BufferView<Buffer>, _ b: BufferView<Buffer>, _ c: BufferView<Buffer>,
        shape: MatmulShape
    ) throws {
        let operation = "matmul(\(shape))"
        guard shape.m > 0, shape.n > 0, shape.k > 0 else {
            throw DescentError.invalidArgument(
                operation: operation, reason: "M, N and K must all be at least 1")
        }
        try operand(a, "A", of: operation, shape: shape.aShape)
        try operand(b, "B", of: operation, shape: shape.bShape)
        try operand(c, "C", of: operation, shape: shape.cShape)
        try disjoint(c, a, "C and A", of: operation)
        try disjoint(c, b, "C and B", of: operation)
    }

    /// Checks the operands of an elementwise op of equally sized float views.
    public static func sameSize<Buffer>(
        _ operation: String, _ operands: [(name: String, view: BufferView<Buffer>)]
    ) throws {
        guard let first = operands.first else { return }
        for (name, view) in operands {
            try elementType(view, .float32, operation: operation)
            guard view.count == first.view.count else {
                throw DescentError.shapeMismatch(
                    operation: operation,
                    expected: "\(name) of \(first.view.count) elements like \(first.name)",
                    actual: "\(view.count) elements")
            }
        }
    }

    /// Checks `reduce`'s operands.
    public static func reduce<Buffer>(
        _ reduction: ReductionOperation, _ input: BufferView<Buffer>, axis: ReductionAxis,
        output: BufferView<Buffer>, shape: MatrixShape
    ) throws {
        let operation = "reduce(\(reduction.rawValue), \(axis.rawValue))"
        try self.shape(shape, of: operation)
        try operand(input, "input", of: operation, shape: shape)
        try operand(output, "output", of: operation, count: axis.outputCount(for: shape))
        try disjoint(output, input, "output and input", of: operation)
    }

    /// Checks a random distribution's parameters.
    public static func distribution(_ distribution: RandomDistribution) throws {
        switch distribution {
        case .uniform(let low, let high):
            guard low.isFinite, high.isFinite, low <= high, (high - low).isFinite else {
                throw DescentError.invalidArgument(
                    operation: "randomFill",
                    reason:
                        "uniform bounds must be finite with low <= high and a finite width high - low, got [\(low), \(high))"
                )
            }
        case .normal(let mean, let standardDeviation):
            guard mean.isFinite, standardDeviation.isFinite, standardDeviation >= 0 else {
                throw DescentError.invalidArgument(
                    operation: "randomFill",
                    reason:
                        "normal needs a finite mean and a finite standard deviation >= 0, got \(mean) and \(standardDeviation)"
                )
            }
        }
    }
}
