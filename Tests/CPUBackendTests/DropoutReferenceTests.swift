import DescentCore
import DescentCPU
import DescentTestSupport
import Testing

/// Inverted dropout on the CPU backend: the identity at p = 0, argument checks, the kept
/// fraction and the expectation over a million units, the exact values of kept and dropped units,
/// the backward pass redrawing the forward pass's mask, and the mask's Philox counter layout.
@Suite struct DropoutReferenceTests {
    let backend = CPUBackend()

    func forward(_ x: [Float], probability: Float, key: RandomKey) throws -> [Float] {
        let output = try backend.poisoned(x.count)
        try backend.dropoutForward(
            input: backend.view(x), output: output, probability: probability, key: key)
        return try backend.download(output)
    }

    func backward(_ dy: [Float], probability: Float, key: RandomKey) throws -> [Float] {
        let dx = try backend.poisoned(dy.count)
        try backend.dropoutBackward(
            outputGradient: backend.view(dy), inputGradient: dx, probability: probability, key: key)
        return try backend.download(dx)
    }

    /// Inputs that are never 0, so that an output of 0 always means a dropped unit.
    static func nonzero(_ count: Int, seed: UInt64) -> [Float] {
        TestData.uniform(count, seed: seed, in: 0.5...2).enumerated().map {
            $0.offset % 3 == 0 ? -$0.element : $0.element
        }
    }

    // MARK: Probability 0 and invalid probabilities

    @Test func probabilityZeroIsTheIdentity() throws {
        #expect(DropoutMask.scale(probability: 0) == 1)
        let x =
            TestData.uniform(10_000, seed: 1000, in: -5...5) + [
                0, -0, .greatestFiniteMagnitude, -1e-30,
            ]
        let key = RandomKey(seed: 3, stream: 1)
        #expect(try forward(x, probability: 0, key: key) == x)
        #expect(try backward(x, probability: 0, key: key) == x)
    }

    @Test(arguments: [
        Float(1), -0.1, .nan, 1.5, .infinity, -.infinity, -Float.leastNonzeroMagnitude,
    ])
    func probabilityOutsideTheUnitIntervalThrows(probability: Float) throws {
        let input = try backend.view([1, 2, 3, 4]), output = try backend.poisoned(4)
        let key = RandomKey(seed: 1)
        expectInvalidArgument("dropoutForward") {
            try backend.dropoutForward(
                input: input, output: output, probability: probability, key: key)
        }
        expectInvalidArgument("dropoutBackward") {
            try backend.dropoutBackward(
                outputGradient: input, inputGradient: output, probability: probability, key: key)
        }
        #expect(
            try backend.download(output).allSatisfy { $0.isNaN },
            "p = \(probability) wrote the output")
    }

    @Test func theMessageForProbabilityOneSaysWhy() throws {
        let error = thrownDescentError {
            try backend.dropoutForward(
                input: backend.view([1, 2]), output: backend.poisoned(2), probability: 1,
                key: RandomKey(seed: 1))
        }
        guard let error else { return }
        let message = error.description
        #expect(message.contains("[0, 1)"), "\(message)")
        #expect(message.contains("p = 1") && message.contains("every unit"), "\(message)")
        #expect(message.contains("all 0"), "\(message)")
    }

    @Test func probabilityJustBelowOneIsAccepted() throws {
        let p = Float(1).nextDown
        #expect(DropoutMask.scale(probability: p) == 0x1p24)
        let y = try forward(
            [Float](repeating: 1, count: 1000), probability: p, key: RandomKey(seed: 9))
        #expect(y.allSatisfy { $0 == 0 || $0 == 0x1p24 })
    }

    // MARK: Statistics over a million units

    @Test(arguments: [Float(0.1), 0.5, 0.9])
    func keptFractionAndExpectationOverAMillionUnits(probability: Float) throws {
        let n = 1_000_000
        let y = try forward(
            [Float](repeating: 1, count: n), probability: probability,
            key: RandomKey(seed: 2024, stream: 7))
        let scale = DropoutMask.scale(probability: probability)
        #expect(y.allSatisfy { $0 == 0 || $0 == scale }, "a value other than 0 and 1 / (1 - p)")

        // The kept count is binomial: its standard deviation is sqrt(p (1 - p) / n) as a fraction,
        // 3e-4 at p = 0.9, so 1% of 1 - p = 0.1 is 3.3 standard deviations (more at smaller p).
        let kept = Double(y.count(where: { $0 != 0 })) / Double(n)
        let keep = 1 - Double(probability)
        #expect(
            abs(kept - keep) <= 0.01 * keep,
            "p = \(probability): kept fraction \(kept), expected \(keep)")

        // E[y] = x: the sample mean's standard deviation is sqrt(p / (1 - p) / n), 3e-3 at p = 0.9.
        let mean = y.reduce(0.0) { $0 + Double($1) } / Double(n)
        let standardError = (Double(probability) / keep / Double(n)).squareRoot()
        #expect(abs(mean - 1) <= 5 * standardError, "p = \(probability): mean \(mean)")
    }

    // MARK: Exact values and the mask

    @Test(arguments: [Float(0.1), 0.3, 0.5, 0.9])
    func keptValuesAreScaledExactlyAndDroppedOnesAreZero(probability: Float) throws {
        let x = Self.nonzero(10_007, seed: 1100)
        let key = RandomKey(seed: 1 + (1 << 40), stream: 5 + (1 << 33), offset: 11)
        let y = try forward(x, probability: probability, key: key)
        let scale = DropoutMask.scale(probability: probability)
        var dropped = 0, mismatches: [String] = []
        for i in x.indices {
            let keeps = DropoutMask.keeps(
                index: key.offset + UInt64(i), seed: key.seed, stream: key.stream,
                probability: probability)
            if !keeps { dropped += 1 }
            let expected = keeps ? x[i] * scale : 0
            if y[i] != expected { mismatches.append("[\(i)] \(y[i]) vs \(expected)") }
        }
        #expect(
            mismatches.isEmpty,
            "\(mismatches.count) units differ from x * scale or 0: \(mismatches.prefix(5))")
        #expect(dropped > 0 && dropped < x.count)
        // x * (1 / (1 - p)) is x / (1 - p) to within an ulp or two.
        let kept = x.indices.filter { y[$0] != 0 }
        expectClose(
            kept.map { y[$0] }, kept.map { x[$0] / (1 - probability) }, .elementwise,
            "kept values vs x / (1 - p)")
    }

    @Test func maskIsTheUnitUniformOfTheRandomFillAtTheSameKey() throws {
        // Element i is kept exactly when the uniform [0, 1) fill at the same key has u >= p.
        let key = RandomKey(seed: 77, stream: 3, offset: 5)
        let count = 4099, probability: Float = 0.35
        let uniforms = try backend.poisoned(count)
        try backend.randomFill(uniforms, distribution: .uniform(low: 0, high: 1), key: key)
        let u = try backend.download(uniforms)
        let y = try forward([Float](repeating: 1, count: count), probability: probability, key: key)
        #expect(u.indices.allSatisfy { (y[$0] != 0) == (u[$0] >= probability) })
    }

    @Test(arguments: [Float(0.2), 0.5, 0.8])
    func backwardRedrawsTheForwardMask(probability: Float) throws {
        let key = RandomKey(seed: 123, stream: 4, offset: 3)
        let x = Self.nonzero(5003, seed: 1200), dy = Self.nonzero(5003, seed: 1201)
        let y = try forward(x, probability: probability, key: key)
        let dx = try backward(dy, probability: probability, key: key)
        let scale = DropoutMask.scale(probability: probability)
        let dropped = x.indices.filter { y[$0] == 0 }, kept = x.indices.filter { y[$0] != 0 }
        #expect(!dropped.isEmpty && !kept.isEmpty)
        #expect(
            dropped.allSatisfy { dx[$0] == 0 },
            "a unit dropped in the forward pass has a nonzero gradient")
        #expect(
            kept.allSatisfy { dx[$0] == dy[$0] * scale },
            "a kept unit's gradient is not dy / (1 - p)")
    }

    // MARK: Keys and the counter layout

    /// The keep/drop pattern of `count` units at `key`.
    func mask(_ count: Int, probability: Float = 0.5, key: RandomKey) throws -> [Bool] {
        try forward([Float](repeating: 1, count: count), probability: probability, key: key).map {
            $0 != 0
        }
    }

    @Test(arguments: [
        (RandomKey(seed: 1, stream: 0), RandomKey(seed: 2, stream: 0)),
        (RandomKey(seed: 1, stream: 0), RandomKey(seed: 1 + (1 << 32), stream: 0)),
        (RandomKey(seed: 1, stream: 0), RandomKey(seed: 1, stream: 1)),
        (RandomKey(seed: 1, stream: 0), RandomKey(seed: 1, stream: 1 << 32)),
        (RandomKey(seed: 1, stream: 0, offset: 0), RandomKey(seed: 1, stream: 0, offset: 4096)),
        (RandomKey(seed: 1, stream: 0, offset: 0), RandomKey(seed: 1, stream: 0, offset: 1 << 34)),
    ])
    func differentKeysGiveDifferentMasks(first: RandomKey, second: RandomKey) throws {
        let a = try mask(4096, key: first), b = try mask(4096, key: second)
        // Two independent masks at p = 0.5 differ in half the units (standard deviation 32 units).
        let differing = zip(a, b).count(where: { $0 != $1 })
        #expect(
            differing >= 1700 && differing <= 2400,
            "\(first) and \(second) differ in \(differing) of 4096 units")
    }

    @Test func theSameKeyGivesTheSameMask() throws {
        let key = RandomKey(seed: 42, stream: 2, offset: 7)
        #expect(try mask(3000, key: key) == mask(3000, key: key))
    }

    @Test func maskAtOffsetKContinuesTheMaskAtOffsetZero() throws {
        let x = Self.nonzero(256, seed: 1300)
        let whole = try forward(x, probability: 0.4, key: RandomKey(seed: 99, stream: 6, offset: 0))
        for k in [1, 2, 3, 4, 5, 17, 63, 255] {
            let tail = try forward(
                Array(x[k...]), probability: 0.4,
                key: RandomKey(seed: 99, stream: 6, offset: UInt64(k)))
            #expect(tail == Array(whole[k...]), "offset \(k)")
        }
    }

    @Test func maskAgreesWithDropoutMaskKeeps() throws {
        for (key, probability) in [
            (RandomKey(seed: 0, stream: 0), Float(0.5)),
            (RandomKey(seed: 5, stream: 9, offset: 1 << 33), 0.25),
            (RandomKey(seed: .max, stream: .max, offset: 3), 0.75),
        ] {
            let pattern = try mask(2051, probability: probability, key: key)
            let expected = (0..<2051).map {
                DropoutMask.keeps(
                    index: key.offset &+ UInt64($0), seed: key.seed, stream: key.stream,
                    probability: probability)
            }
            #expect(pattern == expected, "key \(key), p = \(probability)")
        }
    }

    // MARK: In place and at offsets

    @Test func forwardAndBackwardInPlaceAtAnOffset() throws {
        let x = Self.nonzero(37, seed: 1400)
        let key = RandomKey(seed: 8, stream: 1, offset: 2), probability: Float = 0.3
        let expectedForward = try forward(x, probability: probability, key: key)
        let expectedBackward = try backward(x, probability: probability, key: key)
        #expect(expectedForward == expectedBackward, "forward and backward are the same map")

        let buffer = try backend.sentinelBuffer(count: 50)
        let values = try backend.place(x, in: buffer, at: 6)
        try backend.dropoutForward(
            input: values, output: values, probability: probability, key: key)
        var all = try backend.download(buffer.view)
        #expect(Array(all[6..<43]) == expectedForward)
        expectSentinelsIntact(all, outside: [values])

        try backend.upload(x, to: values)
        try backend.dropoutBackward(
            outputGradient: values, inputGradient: values, probability: probability, key: key)
        all = try backend.download(buffer.view)
        #expect(Array(all[6..<43]) == expectedBackward)
        expectSentinelsIntact(all, outside: [values])
    }
}
