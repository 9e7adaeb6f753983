/// Where in a random stream a fill starts: the Philox key `seed`, the independent `stream`
/// (one per use: weights of layer 3, dropout of step 1200, ...), and the counter `offset` of the
/// first element.
public struct RandomKey: Sendable, Equatable, Hashable {
    public var seed: UInt64
    public var stream: UInt64
    public var offset: UInt64

    public init(seed: UInt64, stream: UInt64 = 0, offset: UInt64 = 0) {
        self.seed = seed
        self.stream = stream
        self.offset = offset
    }
}

/// The counter-based Philox4x32-10 generator [1] and the transforms that turn its output into
/// uniform and normal floats, bit-identically on every backend.
///
/// Element `j` of stream `(seed, stream)` is lane `j % 4` of the block
/// `philox(counter: (j / 4 low, j / 4 high, stream low, stream high), key: (seed low, seed high))`.
///
/// - Uniform: `u = (x >> 8) * 2^-24` in `[0, 1)`, exact in float32; `low + (high - low) * u`,
///   replaced by the float below `high` when rounding would reach `high`.
/// - Normal: Box-Muller on lane pairs (0, 1) and (2, 3): `r = sqrt(-2 ln u1)` with
///   `u1 = ((x0 >> 8) + 1) * 2^-24` in `(0, 1]`, and `theta = 2 pi n / 2^24` with `n = x1 >> 8`;
///   lane 0 gets `r cos theta`, lane 1 `r sin theta`.
///
/// Bit-identity across devices: OpenCL's `log`, `sqrt`, `sin` and `cos` are not correctly rounded
/// and differ between vendors, so the normal transform uses none of them. `ln`, `sqrt` and the
/// sine and cosine are evaluated here with float32 additions, subtractions and multiplications
/// only (each correctly rounded by IEEE 754 and by the OpenCL specification), in a fixed order,
/// with no fused multiply-add (the kernel sets `FP_CONTRACT OFF`). `Kernels/random.cl` mirrors
/// this file operation for operation. Accuracy is a few ulp of the exact transform.
///
/// [1]: Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC 2011.
public enum Philox {
    static let multiplier0: UInt32 = 0xD251_1F53
    static let multiplier1: UInt32 = 0xCD9E_8D57
    static let weyl0: UInt32 = 0x9E37_79B9
    static let weyl1: UInt32 = 0xBB67_AE85

    /// One Philox4x32-10 block: ten rounds over a 128-bit counter with a 64-bit key.
    public static func block(
        counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32)
    ) -> (UInt32, UInt32, UInt32, UInt32) {
        var (c0, c1, c2, c3) = counter
        var (k0, k1) = key
        for round in 0..<10 {
            if round > 0 {
                k0 &+= weyl0
                k1 &+= weyl1
            }
            let product0 = multiplier0.multipliedFullWidth(by: c0)
            let product1 = multiplier1.multipliedFullWidth(by: c2)
            (c0, c1, c2, c3) = (
                product1.high ^ c1 ^ k0, product1.low,
                product0.high ^ c3 ^ k1, product0.low
            )
        }
        return (c0, c1, c2, c3)
    }

    /// The four 32-bit outputs of the block holding element `index` of a stream.
    public static func block(index: UInt64, seed: UInt64, stream: UInt64) -> [UInt32] {
        let blockIndex = index / 4
        let out = block(
            counter: (
                UInt32(truncatingIfNeeded: blockIndex),
                UInt32(truncatingIfNeeded: blockIndex >> 32),
                UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32)
            ),
            key: (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)))
        return [out.0, out.1, out.2, out.3]
    }

    /// The value of element `index` (absolute counter position) of stream `(seed, stream)`.
    public static func value(
        at index: UInt64, seed: UInt64, stream: UInt64, distribution: RandomDistribution
    ) -> Float {
        let bits = block(index: index, seed: seed, stream: stream)
        let lane = Int(index % 4)
        switch distribution {
        case .uniform(let low, let high):
            return uniform(unitUniform(bits[lane]), low: low, high: high)
        case .normal(let mean, let standardDeviation):
            let pair = lane < 2 ? (bits[0], bits[1]) : (bits[2], bits[3])
            let (z0, z1) = standardNormalPair(pair.0, pair.1)
            return mean + standardDeviation * (lane % 2 == 0 ? z0 : z1)
        }
    }

    /// `low + (high - low) * u`, kept below `high`: where floats near `high` are coarser than
    /// `(high - low) 2^-24`, the largest `u` would otherwise round up to `high` itself.
    public static func uniform(_ u: Float, low: Float, high: Float) -> Float {
        let value = low + (high - low) * u
        return value >= high && high > low ? high.nextDown : value
    }

    /// `(x >> 8) * 2^-24`: a uniform float in `[0, 1)` with 24 random bits, exact.
    public static func unitUniform(_ x: UInt32) -> Float {
        Float(x >> 8) * Float(bitPattern: 0x3380_0000)
    }

    /// Two independent standard normal values from two 32-bit outputs (Box-Muller).
    public static func standardNormalPair(_ x0: UInt32, _ x1: UInt32) -> (Float, Float) {
        let u1 = Float((x0 >> 8) + 1) * Float(bitPattern: 0x3380_0000)
        let radius = squareRoot(-2 * logarithm(u1))
        let (cosine, sine) = cosineAndSine(turn24: x1 >> 8)
        return (radius * cosine, radius * sine)
    }

    /// `ln x` for a normal float `x` in `(0, 1]`, from `+ - *` only.
    ///
    /// `x = m 2^e` with `m` in `[sqrt(1/2), sqrt 2)`; `ln m = 2 atanh(s)` with `s = f / (2 + f)`,
    /// `f = m - 1` (exact); the division is a Newton reciprocal and `atanh` a series to `s^11`.
    static func logarithm(_ x: Float) -> Float {
        let bits = x.bitPattern
        var exponent = Int32((bits >> 23) & 0xFF) - 127
        var mantissa = Float(bitPattern: (bits & 0x007F_FFFF) | 0x3F80_0000)
        if mantissa > Float(bitPattern: 0x3FB5_04F3) {
            mantissa = mantissa * 0.5
            exponent += 1
        }
        let f = mantissa - 1
        let d = 2 + f
        var reciprocal = Float(bitPattern: 0x3EF8_76CE)
        for _ in 0..<4 { reciprocal = reciprocal * (2 - d * reciprocal) }
        let s = f * reciprocal
        let s2 = s * s
        var series = s2 * Float(bitPattern: 0x3DBA_2E8C)
        series = s2 * (Float(bitPattern: 0x3DE3_8E39) + series)
        series = s2 * (Float(bitPattern: 0x3E12_4925) + series)
        series = s2 * (Float(bitPattern: 0x3E4C_CCCD) + series)
        series = s2 * (Float(bitPattern: 0x3EAA_AAAB) + series)
        let logMantissa = (2 * s) * (1 + series)
        return Float(exponent) * Float(bitPattern: 0x3F31_7218) + logMantissa
    }

    /// `sqrt y` for `y >= 0` as `y / sqrt y` with a Newton reciprocal square root, from `+ - *` only.
    static func squareRoot(_ y: Float) -> Float {
        if !(y > 0) { return 0 }
        var r = Float(bitPattern: 0x5F37_59DF &- (y.bitPattern >> 1))
        let half = 0.5 * y
        for _ in 0..<3 { r = r * (1.5 - (half * r) * r) }
        return y * r
    }

    /// `(cos theta, sin theta)` for `theta = 2 pi n / 2^24`, `n` a 24-bit integer, from `+ - *` only.
    ///
    /// The octant `n >> 21` is exact; within it the angle `phi` in `[0, pi/4]` is measured from the
    /// nearer multiple of pi/2 (exactly, in integers), and Taylor series to `phi^9` / `phi^10`
    /// give sine and cosine to float precision.
    static func cosineAndSine(turn24 n: UInt32) -> (Float, Float) {
        let octant = n >> 21
        let remainder = n & 0x1F_FFFF
        let isOdd = octant & 1 == 1
        let steps = isOdd ? 0x20_0000 - remainder : remainder
        let phi = Float(steps) * Float(bitPattern: 0x34C9_0FDB)
        let p2 = phi * phi
        var sine = p2 * Float(bitPattern: 0x3638_EF1D)
        sine = p2 * (Float(bitPattern: 0xB950_0D01) + sine)
        sine = p2 * (Float(bitPattern: 0x3C08_8889) + sine)
        sine = p2 * (Float(bitPattern: 0xBE2A_AAAB) + sine)
        sine = phi * (1 + sine)
        var cosine = p2 * Float(bitPattern: 0xB493_F27E)
        cosine = p2 * (Float(bitPattern: 0x37D0_0D01) + cosine)
        cosine = p2 * (Float(bitPattern: 0xBAB6_0B61) + cosine)
        cosine = p2 * (Float(bitPattern: 0x3D2A_AAAB) + cosine)
        cosine = p2 * (-0.5 + cosine)
        cosine = 1 + cosine
        if isOdd { sine = -sine }
        switch ((octant + 1) >> 1) & 3 {
        case 0: return (cosine, sine)
        case 1: return (-sine, cosine)
        case 2: return (-cosine, -sine)
        default: return (sine, -cosine)
        }
    }
}
