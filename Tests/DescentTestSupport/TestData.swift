/// Deterministic test inputs, independent of the library's own generator.
public struct TestData {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// SplitMix64 (Steele, Lea & Flood, 2014).
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` floats uniform on `[low, high)`.
    public mutating func uniform(_ count: Int, in range: ClosedRange<Float> = -1...1) -> [Float] {
        (0..<count).map { _ in
            range.lowerBound + (range.upperBound - range.lowerBound) * Float(next() >> 40)
                / Float(1 << 24)
        }
    }

    /// `count` floats uniform on `[low, high)`, each from a fresh generator seeded by `seed`.
    public static func uniform(
        _ count: Int, seed: UInt64, in range: ClosedRange<Float> = -1...1
    ) -> [Float] {
        var data = TestData(seed: seed)
        return data.uniform(count, in: range)
    }
}
