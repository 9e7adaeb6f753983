import DescentCore

extension CPUBackend {
    public func randomFill(
        _ destination: View, distribution: RandomDistribution, key: RandomKey
    ) throws {
        try Validation.randomFill(destination, distribution: distribution)
        let values = destination.floats
        for i in 0..<values.count {
            values[i] = Philox.value(
                at: key.offset &+ UInt64(i), seed: key.seed, stream: key.stream,
                distribution: distribution)
        }
    }
}
