#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentCPU
import DescentTestSupport
import Testing

/// `CPUBackend.randomFill`: distribution statistics over 100k values, the counter layout
/// (offsets, streams, seeds), and the bounds of the uniform distribution.
@Suite struct RandomFillReferenceTests {
    let backend = CPUBackend()
    static let sampleCount = 100_000

    func fill(_ count: Int, _ distribution: RandomDistribution, _ key: RandomKey) throws -> [Float]
    {
        let view = try backend.poisoned(count)
        try backend.randomFill(view, distribution: distribution, key: key)
        return try backend.download(view)
    }

    /// The Kolmogorov-Smirnov statistic `sup |F_n(x) - F(x)|` of `values` against the CDF `F`.
    static func kolmogorovSmirnov(_ values: [Float], cdf: (Double) -> Double) -> Double {
        let sorted = values.map(Double.init).sorted()
        let n = Double(sorted.count)
        var statistic = 0.0
        for (i, x) in sorted.enumerated() {
            let f = cdf(x)
            statistic = max(statistic, f - Double(i) / n, Double(i + 1) / n - f)
        }
        return statistic
    }

    /// The KS statistic's critical value at significance 0.001 (1.95 / sqrt n).
    static let kolmogorovSmirnovLimit = 1.95 / Double(sampleCount).squareRoot()

    static func meanAndStandardDeviation(_ values: [Float]) -> (Double, Double) {
        let n = Double(values.count)
        let mean = values.reduce(0.0) { $0 + Double($1) } / n
        let variance =
            values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / (n - 1)
        return (mean, variance.squareRoot())
    }

    // MARK: Statistics

    @Test(arguments: [(Float(0), Float(1)), (-2, 3), (-0.05, 0.05), (0.25, 4)])
    func uniformLiesInItsIntervalWithTheRightMoments(low: Float, high: Float) throws {
        let values = try fill(
            Self.sampleCount, .uniform(low: low, high: high), RandomKey(seed: 2024, stream: 3))
        #expect(values.allSatisfy { $0 >= low && $0 < high }, "a value outside [\(low), \(high))")
        let width = Double(high - low), n = Double(Self.sampleCount)
        let (mean, deviation) = Self.meanAndStandardDeviation(values)
        let standardError = width / (12 * n).squareRoot()
        #expect(abs(mean - Double(low + high) / 2) <= 5 * standardError, "mean \(mean)")
        // The standard deviation of a uniform is width / sqrt 12; its sample estimate is within ~0.3%.
        #expect(
            abs(deviation - width / 12.0.squareRoot()) <= 0.01 * width / 12.0.squareRoot(),
            "std \(deviation)")
        #expect(
            Double(values.min()! - low) <= 1e-3 * width
                && Double(high - values.max()!) <= 1e-3 * width)
        let statistic = Self.kolmogorovSmirnov(values) {
            min(1, max(0, ($0 - Double(low)) / width))
        }
        #expect(statistic <= Self.kolmogorovSmirnovLimit, "KS statistic \(statistic)")
    }

    @Test(arguments: [(Float(0), Float(1)), (5, 0.5), (-3, 4)])
    func normalHasTheRightMeanAndStandardDeviation(mean: Float, standardDeviation: Float) throws {
        let values = try fill(
            Self.sampleCount, .normal(mean: mean, standardDeviation: standardDeviation),
            RandomKey(seed: 77, stream: 1))
        let n = Double(Self.sampleCount), sigma = Double(standardDeviation)
        let (sampleMean, sampleDeviation) = Self.meanAndStandardDeviation(values)
        // Standard errors: sigma / sqrt n of the mean, sigma / sqrt 2n of the standard deviation.
        #expect(abs(sampleMean - Double(mean)) <= 4 * sigma / n.squareRoot(), "mean \(sampleMean)")
        #expect(
            abs(sampleDeviation - sigma) <= 4 * sigma / (2 * n).squareRoot(),
            "std \(sampleDeviation)")
    }

    @Test func standardNormalHasTheGaussianShape() throws {
        let values = try fill(
            Self.sampleCount, .normal(mean: 0, standardDeviation: 1),
            RandomKey(seed: 5, stream: 9, offset: 1))
        #expect(values.allSatisfy { $0.isFinite })
        func fraction(within k: Float) -> Double {
            Double(values.count(where: { abs($0) < k })) / Double(values.count)
        }
        #expect(
            abs(fraction(within: 1) - 0.682_689) <= 0.005, "within 1 sigma: \(fraction(within: 1))")
        #expect(
            abs(fraction(within: 2) - 0.954_500) <= 0.005, "within 2 sigma: \(fraction(within: 2))")
        #expect(
            abs(fraction(within: 3) - 0.997_300) <= 0.002, "within 3 sigma: \(fraction(within: 3))")
        let statistic = Self.kolmogorovSmirnov(values) { 0.5 * erfc(-$0 / 2.0.squareRoot()) }
        #expect(statistic <= Self.kolmogorovSmirnovLimit, "KS statistic \(statistic)")
        // Box-Muller on 24-bit inputs cannot exceed sqrt(-2 ln 2^-24) = 5.77 in magnitude.
        #expect(values.allSatisfy { abs($0) <= 5.7683 })
    }

    @Test func degenerateDistributionsAreConstant() throws {
        #expect(
            try fill(100, .normal(mean: 2.5, standardDeviation: 0), RandomKey(seed: 1)).allSatisfy {
                $0 == 2.5
            })
        #expect(
            try fill(100, .uniform(low: -1.5, high: -1.5), RandomKey(seed: 1)).allSatisfy {
                $0 == -1.5
            })
    }

    // MARK: Counter layout: offsets, streams and seeds

    @Test(arguments: [
        RandomDistribution.uniform(low: -1, high: 1), .normal(mean: 0, standardDeviation: 1),
    ])
    func fillAtOffsetKContinuesTheFillAtOffsetZero(distribution: RandomDistribution) throws {
        let whole = try fill(64, distribution, RandomKey(seed: 12345, stream: 6, offset: 0))
        for k in [1, 2, 3, 4, 5, 17, 63] {
            let tail = try fill(
                64 - k, distribution, RandomKey(seed: 12345, stream: 6, offset: UInt64(k)))
            #expect(tail == Array(whole[k...]), "offset \(k)")
        }
    }

    @Test func fillIsDeterministic() throws {
        let key = RandomKey(seed: 31, stream: 4, offset: 9)
        #expect(
            try fill(1000, .normal(mean: 0, standardDeviation: 1), key)
                == fill(1000, .normal(mean: 0, standardDeviation: 1), key))
    }

    @Test(arguments: [
        (RandomKey(seed: 1, stream: 0), RandomKey(seed: 1, stream: 1)),
        (RandomKey(seed: 1, stream: 0), RandomKey(seed: 2, stream: 0)),
        (RandomKey(seed: 1, stream: 0), RandomKey(seed: 1 + (1 << 32), stream: 0)),
        (RandomKey(seed: 1, stream: 0), RandomKey(seed: 1, stream: 1 << 32)),
        (RandomKey(seed: 1, stream: 0, offset: 0), RandomKey(seed: 1, stream: 0, offset: 1 << 34)),
    ])
    func differentKeysGiveDifferentStreams(first: RandomKey, second: RandomKey) throws {
        let a = try fill(1000, .uniform(low: 0, high: 1), first),
            b = try fill(1000, .uniform(low: 0, high: 1), second)
        // Two independent 24-bit uniforms coincide with probability 2^-24.
        #expect(zip(a, b).count(where: { $0 == $1 }) <= 1)
    }

    @Test func fillOfAViewAtAnOffsetLeavesTheRestAlone() throws {
        let buffer = try backend.sentinelBuffer(count: 50)
        let view = try buffer.view(offset: 13, count: 20)
        let key = RandomKey(seed: 8, stream: 2)
        try backend.randomFill(view, distribution: .normal(mean: 0, standardDeviation: 1), key: key)
        let all = try backend.download(buffer.view)
        #expect(Array(all[13..<33]) == (try fill(20, .normal(mean: 0, standardDeviation: 1), key)))
        expectSentinelsIntact(all, outside: [view])
    }

    // MARK: Bounds of the uniform distribution

    /// `low + (high - low) u` rounds up to `high` for the largest `u` (1 - 2^-24 and 1 - 2^-23) whenever
    /// `high - low` is coarser than float precision near `high`, e.g. `[2, 3)`. Element 26590058 of stream
    /// (seed 7, stream 0) has the 32-bit output 0xffffff2d, so `u = 1 - 2^-24`.
    @Test func uniformNeverReturnsItsUpperBound() throws {
        let key = RandomKey(seed: 7, stream: 0, offset: 26_590_058)
        #expect(Philox.block(index: key.offset, seed: 7, stream: 0)[2] == 0xFFFF_FF2D)
        let value = try fill(1, .uniform(low: 2, high: 3), key)[0]
        #expect(value < 3, "uniform [2, 3) returned \(value)")
        #expect(value == Float(3).nextDown)
    }

    @Test func uniformWhoseWidthOverflowsIsRejected() throws {
        // Both bounds are finite, but high - low is not: there is no way to scale u into it.
        let backend = CPUBackend()
        let buffer = try backend.makeBuffer(count: 4)
        #expect(throws: DescentError.self) {
            try backend.randomFill(
                buffer.view,
                distribution: .uniform(
                    low: -.greatestFiniteMagnitude, high: .greatestFiniteMagnitude),
                key: RandomKey(seed: 3))
        }
    }
}
