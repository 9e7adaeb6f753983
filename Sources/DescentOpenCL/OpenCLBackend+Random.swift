import DescentCore

extension OpenCLBackend {
    public func randomFill(_ destination: View, distribution: RandomDistribution, key: RandomKey) throws {
        try Validation.randomFill(destination, distribution: distribution)
        let (kernel, first, second): (String, Float, Float) = switch distribution {
        case .uniform(let low, let high): ("random_uniform", low, high)
        case .normal(let mean, let standardDeviation): ("random_normal", mean, standardDeviation)
        }
        try launchElementwise(
            kernel, count: destination.count,
            [.int(destination.count), .ulong(key.seed), .ulong(key.stream), .ulong(key.offset),
             .float(first), .float(second), .view(destination)])
    }
}
