import DescentCore
import DescentCPU
import DescentOpenCL
import DescentTestSupport
import Testing

/// Philox fills must be bit-identical on both backends for the same (seed, stream, offset), so
/// that a seeded run initializes the same weights and drops the same units everywhere.
@Suite(.requiresOpenCL)
struct RandomParityTests {
    static let distributions: [RandomDistribution] = [
        .uniform(low: 0, high: 1), .uniform(low: -0.25, high: 3),
        .normal(mean: 0, standardDeviation: 1),
        .normal(mean: 2, standardDeviation: 0.01),
        // Near 3, floats are coarser than 2^-24: the largest u must not round up to 3.
        .uniform(low: 2, high: 3),
    ]

    static let keys: [RandomKey] = [
        RandomKey(seed: 0), RandomKey(seed: 42, stream: 7, offset: 3),
        // Element 2 of this fill has u = 1 - 2^-24 (see RandomFillReferenceTests).
        RandomKey(seed: 7, stream: 0, offset: 26_590_056),
        RandomKey(
            seed: 0xFFFF_FFFF_FFFF_FFFF, stream: 0x1_0000_0001, offset: 0xFFFF_FFFF_FFFF_FFF0),
    ]

    func fill<B: Backend>(
        on backend: B, _ distribution: RandomDistribution, key: RandomKey, count: Int
    ) throws -> [Float] {
        let view = try backend.paddedView([Float](repeating: .nan, count: count))
        try backend.randomFill(view, distribution: distribution, key: key)
        return try backend.download(view)
    }

    @Test(arguments: distributions, keys)
    func fillIsBitIdentical(distribution: RandomDistribution, key: RandomKey) throws {
        for count in ParityShapes.counts {
            let expected = try fill(on: CPUBackend(), distribution, key: key, count: count)
            let actual = try fill(
                on: try OpenCLTestSupport.makeBackend(), distribution, key: key, count: count)
            #expect(
                actual.map(\.bitPattern) == expected.map(\.bitPattern),
                "\(distribution) \(key) count \(count)")
        }
    }
}
