import DescentCore

extension CPUBackend {
    public func elementwise(
        _ operation: ElementwiseOperation, _ a: View, _ b: View, output: View
    ) throws {
        try Validation.elementwise(operation, a, b, output: output)
        let x = a.floats, y = b.floats, z = output.floats
        switch operation {
        case .add: for i in 0..<z.count { z[i] = x[i] + y[i] }
        case .subtract: for i in 0..<z.count { z[i] = x[i] - y[i] }
        case .multiply: for i in 0..<z.count { z[i] = x[i] * y[i] }
        }
    }

    public func scale(_ input: View, by factor: Float, output: View) throws {
        try Validation.scale(input, output: output)
        let x = input.floats, y = output.floats
        for i in 0..<y.count { y[i] = factor * x[i] }
    }

    public func axpy(alpha: Float, x: View, y: View) throws {
        try Validation.axpy(x: x, y: y)
        let xValues = x.floats, yValues = y.floats
        for i in 0..<yValues.count { yValues[i] += alpha * xValues[i] }
    }
}
