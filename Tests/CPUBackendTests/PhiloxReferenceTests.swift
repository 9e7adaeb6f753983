#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
@testable import DescentCore
import DescentCPU
import DescentTestSupport
import Testing

/// One Philox4x32-10 known-answer vector: counter, key, output.
struct PhiloxVector: Sendable, CustomTestStringConvertible {
    let counter: [UInt32]
    let key: [UInt32]
    let output: [UInt32]
    var testDescription: String { "counter \(counter.map(hex)) key \(key.map(hex))" }
}

func hex(_ word: UInt32) -> String {
    let digits = String(word, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
}

/// The Philox4x32-10 block function against the Random123 known-answer vectors, the counter
/// layout of random fills, and the float transforms against Double math.
@Suite struct PhiloxReferenceTests {
    let backend = CPUBackend()

    /// From `kat_vectors` of the Random123 distribution (Salmon et al., 2011), `philox4x32 10`.
    static let knownAnswers: [PhiloxVector] = [
        PhiloxVector(
            counter: [0, 0, 0, 0], key: [0, 0],
            output: [0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8]),
        PhiloxVector(
            counter: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF],
            key: [0xFFFF_FFFF, 0xFFFF_FFFF],
            output: [0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD]),
        PhiloxVector(
            counter: [0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344],
            key: [0xA409_3822, 0x299F_31D0],
            output: [0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1]),
    ]

    @Test(arguments: knownAnswers)
    func blockMatchesRandom123KnownAnswer(_ vector: PhiloxVector) {
        let c = vector.counter, k = vector.key
        let out = Philox.block(counter: (c[0], c[1], c[2], c[3]), key: (k[0], k[1]))
        #expect([out.0, out.1, out.2, out.3].map(hex) == vector.output.map(hex))
    }

    /// The 32-bit outputs for element `index`, from the documented layout: counter
    /// `(index / 4 low, index / 4 high, stream low, stream high)`, key `(seed low, seed high)`, lane `index % 4`.
    static func documentedBlock(index: UInt64, seed: UInt64, stream: UInt64) -> [UInt32] {
        let block = index / 4
        let out = Philox.block(
            counter: (
                UInt32(block & 0xFFFF_FFFF), UInt32(block >> 32), UInt32(stream & 0xFFFF_FFFF),
                UInt32(stream >> 32)
            ),
            key: (UInt32(seed & 0xFFFF_FFFF), UInt32(seed >> 32)))
        return [out.0, out.1, out.2, out.3]
    }

    @Test func uniformFillFollowsTheDocumentedCounterLayout() throws {
        // High halves of seed, stream and block index all non-zero, and an offset that is not a multiple of 4.
        let key = RandomKey(
            seed: 0x0123_4567_89AB_CDEF, stream: 0xFEDC_BA98_7654_3210, offset: (1 << 34) + 3)
        let count = 23
        let view = try backend.poisoned(count)
        try backend.randomFill(view, distribution: .uniform(low: -2, high: 3), key: key)
        let expected = (0..<count).map { i -> Float in
            let index = key.offset + UInt64(i)
            let bits = Self.documentedBlock(index: index, seed: key.seed, stream: key.stream)[
                Int(index % 4)]
            let u = Float(bits >> 8) / 16_777_216
            return -2 + (3 - -2) * u
        }
        #expect(try backend.download(view) == expected)
        #expect(
            Philox.block(index: key.offset, seed: key.seed, stream: key.stream)
                == Self.documentedBlock(index: key.offset, seed: key.seed, stream: key.stream))
    }

    @Test func normalFillUsesBoxMullerOnLanePairs() throws {
        let key = RandomKey(seed: 42, stream: 7, offset: 5)
        let count = 18
        let standard = try backend.poisoned(count), shifted = try backend.poisoned(count)
        try backend.randomFill(
            standard, distribution: .normal(mean: 0, standardDeviation: 1), key: key)
        try backend.randomFill(
            shifted, distribution: .normal(mean: 3, standardDeviation: 2), key: key)
        let expected = (0..<count).map { i -> Float in
            let index = key.offset + UInt64(i)
            let bits = Self.documentedBlock(index: index, seed: key.seed, stream: key.stream)
            let lane = Int(index % 4), first = lane & ~1
            let (z0, z1) = Philox.standardNormalPair(bits[first], bits[first + 1])
            return lane % 2 == 0 ? z0 : z1
        }
        let z = try backend.download(standard)
        #expect(z == expected)
        #expect(try backend.download(shifted) == z.map { 3 + 2 * $0 })
    }

    /// Box-Muller in Double: `r = sqrt(-2 ln u1)`, `theta = 2 pi n / 2^24`.
    @Test func standardNormalPairAgreesWithDoubleBoxMuller() {
        var worst = 0.0
        for block in 0..<4000 as Range<UInt32> {
            let bits = Philox.block(counter: (block, 0, 0, 0), key: (99, 0))
            for (x0, x1) in [(bits.0, bits.1), (bits.2, bits.3)] + [
                (0xFFFF_FFFF, 0), (0, 0x0040_0000), (0x100, 0xFFFF_FFFF),
            ] {
                let (z0, z1) = Philox.standardNormalPair(x0, x1)
                let u1 = Double((x0 >> 8) + 1) / 16_777_216,
                    theta = 2 * Double.pi * Double(x1 >> 8) / 16_777_216
                let r = (-2 * log(u1)).squareRoot()
                worst = max(
                    worst, abs(Double(z0) - r * cos(theta)) / max(1, r),
                    abs(Double(z1) - r * sin(theta)) / max(1, r))
            }
        }
        #expect(worst <= 1e-6, "largest error relative to max(1, r): \(worst)")
    }

    // MARK: The + - * math helpers against Glibc in Double

    /// `|actual - reference| <= 2e-7 (1 + |reference|)`: a few float32 ulp.
    static func agrees(_ actual: Float, _ reference: Double) -> Bool {
        abs(Double(actual) - reference) <= 2e-7 * (1 + abs(reference))
    }

    @Test func logarithmAgreesWithGlibc() {
        var inputs: [Float] = stride(from: 1, through: 1 << 24, by: 997).map {
            Float($0) / 16_777_216
        }
        inputs += [
            1, 0x1p-24, 0x1p-23, 3 * 0x1p-24, 0.5, 0.25, 1 - 0x1p-24, 1 - 0x1p-23, 0x1p-126, 1e-30,
        ]
        let threshold = Float(bitPattern: 0x3FB5_04F3) / 2
        inputs += [
            threshold, threshold.nextUp, threshold.nextDown, threshold / 64,
            (threshold / 64).nextUp,
        ]
        #expect(Philox.logarithm(1) == 0)
        for u in inputs {
            #expect(
                Self.agrees(Philox.logarithm(u), log(Double(u))),
                "ln \(u): \(Philox.logarithm(u)) vs \(log(Double(u)))")
        }
    }

    @Test func squareRootAgreesWithGlibc() {
        var inputs: [Float] = stride(from: 0, through: 40, by: 0.0137).map { $0 }
        inputs += [0x1p-24, 1, 2, 4, 33.271065, 1e-20, 1e20, Float.leastNormalMagnitude, 3e38]
        #expect(Philox.squareRoot(0) == 0)
        #expect(Philox.squareRoot(-0.0) == 0)
        for y in inputs {
            let reference = Double(y).squareRoot()
            #expect(
                abs(Double(Philox.squareRoot(y)) - reference) <= 2e-7 * reference,
                "sqrt \(y): \(Philox.squareRoot(y))")
        }
    }

    @Test func cosineAndSineAgreeWithGlibc() {
        var inputs: [UInt32] = stride(from: 0, to: 1 << 24, by: 1009).map { UInt32($0) }
        for octant in 0...8 as ClosedRange<UInt32> {
            let boundary = octant << 21
            inputs += [boundary &- 1, boundary, boundary + 1].filter { $0 < 1 << 24 }
        }
        inputs += [(1 << 24) - 1]
        for n in inputs {
            let (cosine, sine) = Philox.cosineAndSine(turn24: n)
            let theta = 2 * Double.pi * Double(n) / 16_777_216
            #expect(
                abs(Double(cosine) - cos(theta)) <= 2e-7,
                "cos at n = \(n): \(cosine) vs \(cos(theta))")
            #expect(
                abs(Double(sine) - sin(theta)) <= 2e-7, "sin at n = \(n): \(sine) vs \(sin(theta))")
        }
        for (n, expectedCosine, expectedSine) in [
            (0, 1, 0), (1 << 22, 0, 1), (1 << 23, -1, 0), (3 << 22, 0, -1),
        ] as [(UInt32, Float, Float)] {
            let (cosine, sine) = Philox.cosineAndSine(turn24: n)
            #expect(
                cosine == expectedCosine && sine == expectedSine,
                "n = \(n) is a multiple of a quarter turn: exact")
        }
    }
}
