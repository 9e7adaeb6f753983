import DescentCore

extension OpenCLBackend {
    public func randomFill(
        _ destination: View, distribution: RandomDistribution, key: RandomKey
    ) throws {
        try Validation.randomFill(destination, distribution: distribution)
        let (kernel, first, second): (Kernel, Float, Float) =
            switch distribution {
            case .uniform(let low, let high): (.randomUniform, low, high)
            case .normal(let mean, let standardDeviation): (.randomNormal, mean, standardDeviation)
            }
        try launchElementwise(
            kernel, count: destination.count,
            [
                .int(destination.count), .ulong(key.seed), .ulong(key.stream), .ulong(key.offset),
                .float(first), .float(second), .view(destination),
            ])
    }
}
