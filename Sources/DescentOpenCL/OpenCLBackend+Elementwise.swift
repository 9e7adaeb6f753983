import DescentCore

extension OpenCLBackend {
    public func elementwise(
        _ operation: ElementwiseOperation, _ a: View, _ b: View, output: View
    ) throws {
        try Validation.elementwise(operation, a, b, output: output)
        try launchElementwise(
            operation.kernel, count: output.count,
            [.int(output.count), .view(a), .view(b), .view(output)])
    }

    public func scale(_ input: View, by factor: Float, output: View) throws {
        try Validation.scale(input, output: output)
        try launchElementwise(
            .scale, count: output.count,
            [.int(output.count), .float(factor), .view(input), .view(output)])
    }

    public func axpy(alpha: Float, x: View, y: View) throws {
        try Validation.axpy(x: x, y: y)
        try launchElementwise(
            .axpy, count: y.count, [.int(y.count), .float(alpha), .view(x), .view(y)])
    }
}

extension ElementwiseOperation {
    /// The kernel that applies the operation.
    var kernel: Kernel {
        switch self {
        case .add: .elementwiseAdd
        case .subtract: .elementwiseSubtract
        case .multiply: .elementwiseMultiply
        }
    }
}
