import Descent
import DescentTestSupport
import Testing

/// The distribution an initializer should draw from, written here from the formulas in `Double`
/// independently of the library.
private enum ExpectedDistribution {
    case uniform(low: Double, high: Double)
    case normal(mean: Double, standardDeviation: Double)

    init(_ initializer: Initializer, fanIn: Int, fanOut: Int) {
        let fanIn = Double(fanIn), fanOut = Double(fanOut)
        func symmetric(_ bound: Double) -> Self { .uniform(low: -bound, high: bound) }
        func centered(_ standardDeviation: Double) -> Self {
            .normal(mean: 0, standardDeviation: standardDeviation)
        }
        switch initializer {
        case .uniform(let low, let high): self = .uniform(low: Double(low), high: Double(high))
        case .normal(let mean, let std):
            self = .normal(mean: Double(mean), standardDeviation: Double(std))
        case .glorotUniform: self = symmetric((6 / (fanIn + fanOut)).squareRoot())
        case .glorotNormal: self = centered((2 / (fanIn + fanOut)).squareRoot())
        case .heUniform: self = symmetric((6 / fanIn).squareRoot())
        case .heNormal: self = centered((2 / fanIn).squareRoot())
        case .lecunUniform: self = symmetric((3 / fanIn).squareRoot())
        case .lecunNormal: self = centered((1 / fanIn).squareRoot())
        case .pytorchLinear: self = symmetric(1 / fanIn.squareRoot())
        case .zeros, .constant: self = .uniform(low: 0, high: 0)
        }
    }

    var mean: Double {
        switch self {
        case .uniform(let low, let high): (low + high) / 2
        case .normal(let mean, _): mean
        }
    }

    var standardDeviation: Double {
        switch self {
        case .uniform(let low, let high): (high - low) / 12.0.squareRoot()
        case .normal(_, let standardDeviation): standardDeviation
        }
    }

    /// The probability of landing within one standard deviation of the mean: `2 / sqrt(12)` for a
    /// uniform distribution, `erf(1 / sqrt 2)` for a normal one.
    var withinOneStandardDeviation: Double {
        switch self {
        case .uniform: 1 / 3.0.squareRoot()
        case .normal: 0.682_689_492_137_085_9
        }
    }

    /// The same distribution in `Float`, each parameter rounded once, as `randomFill` takes it.
    var randomDistribution: RandomDistribution {
        switch self {
        case .uniform(let low, let high): .uniform(low: Float(low), high: Float(high))
        case .normal(let mean, let std): .normal(mean: Float(mean), standardDeviation: Float(std))
        }
    }
}

/// Every initializer that draws random numbers.
private let randomInitializers: [Initializer] = [
    .uniform(low: -0.1, high: 0.1), .uniform(low: 2, high: 5),
    .normal(mean: 0, standardDeviation: 0.02),
    .normal(mean: 3, standardDeviation: 0.5), .glorotUniform, .glorotNormal, .heUniform, .heNormal,
    .lecunUniform,
    .lecunNormal, .pytorchLinear,
]

/// Every initializer.
private let allInitializers: [Initializer] =
    [.zeros, .constant(0.25), .constant(-3)] + randomInitializers

/// The fan-based initializers, which need both fans.
private let fanBasedInitializers: [Initializer] = [
    .glorotUniform, .glorotNormal, .heUniform, .heNormal, .lecunUniform, .lecunNormal,
    .pytorchLinear,
]

/// Records an issue unless `actual` and `expected` hold the same bit patterns, naming how many
/// differ and the first that does.
private func expectBitIdentical(
    _ actual: [Float], _ expected: [Float], _ what: @autoclosure () -> String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let differing = actual.indices.filter {
        $0 >= expected.count || actual[$0].bitPattern != expected[$0].bitPattern
    }
    guard actual.count != expected.count || !differing.isEmpty else { return }
    let first =
        differing.first.map {
            ", first at [\($0)]: \(actual[$0]) vs \($0 < expected.count ? expected[$0] : .nan)"
        } ?? ""
    Issue.record(
        "\(what()): \(differing.count) of \(actual.count) values differ (expected \(expected.count) values)\(first)",
        sourceLocation: sourceLocation)
}

/// The initializers on the CPU reference: the distribution each one draws from, and its errors.
struct InitializerTests {
    /// A 784 x 256 dense layer (MNIST's input width): 200,704 values.
    static let fanIn = 784, fanOut = 256

    func draw(
        _ initializer: Initializer, count: Int, fanIn: Int = fanIn, fanOut: Int = fanOut,
        key: RandomKey
    ) throws
        -> [Float]
    {
        let backend = CPUBackend()
        let view = try backend.poisoned(count)
        try initializer.fill(view, on: backend, fanIn: fanIn, fanOut: fanOut, key: key)
        return try backend.download(view)
    }

    @Test(arguments: randomInitializers)
    func sampleMatchesTheFormula(_ initializer: Initializer) throws {
        let count = Self.fanIn * Self.fanOut
        let values = try draw(initializer, count: count, key: RandomKey(seed: 2024, stream: 11))
        let expected = ExpectedDistribution(initializer, fanIn: Self.fanIn, fanOut: Self.fanOut)
        let n = Double(count), sigma = expected.standardDeviation

        let mean = values.reduce(0.0) { $0 + Double($1) } / n
        let variance =
            values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / (n - 1)
        let within = Double(values.count { abs(Double($0) - expected.mean) < sigma }) / n
        let p = expected.withinOneStandardDeviation
        // Five standard errors each: the mean's sigma / sqrt(n), the standard deviation's
        // sigma / sqrt(2n) (normal; a uniform's is smaller), and a proportion's sqrt(p (1 - p) / n).
        #expect(
            abs(mean - expected.mean) <= 5 * sigma / n.squareRoot(),
            "mean \(mean), expected \(expected.mean)")
        #expect(
            abs(variance.squareRoot() - sigma) <= 5 * sigma / (2 * n).squareRoot(),
            "std \(variance.squareRoot()), expected \(sigma)")
        // Tells a normal from a uniform of the same variance (0.683 vs 0.577).
        #expect(
            abs(within - p) <= 5 * (p * (1 - p) / n).squareRoot(),
            "\(within) within one std, expected \(p)")

        if case .uniform(let low, let high) = expected {
            let minimum = Double(values.min()!), maximum = Double(values.max()!)
            #expect(
                minimum >= Double(Float(low)) && maximum < Double(Float(high)),
                "range [\(minimum), \(maximum)]")
            // Missing the last 0.1% of either end by chance has probability e^-200.
            #expect(minimum - low < 1e-3 * (high - low) && high - maximum < 1e-3 * (high - low))
        }
    }

    /// The fan-based bounds are the `Double` formula rounded to `Float` once: each value is the
    /// Philox draw of exactly that distribution.
    @Test(arguments: randomInitializers)
    func drawsExactlyTheRoundedDistribution(_ initializer: Initializer) throws {
        for (fanIn, fanOut) in [(1, 1), (3, 7), (784, 256), (4096, 1000)] {
            let key = RandomKey(seed: 99, stream: 4, offset: 1_000_003)
            let values = try draw(initializer, count: 64, fanIn: fanIn, fanOut: fanOut, key: key)
            let distribution = ExpectedDistribution(initializer, fanIn: fanIn, fanOut: fanOut)
                .randomDistribution
            let reference = (0..<64).map {
                Philox.value(
                    at: key.offset + UInt64($0), seed: key.seed, stream: key.stream,
                    distribution: distribution)
            }
            expectBitIdentical(values, reference, "\(initializer) with fans \(fanIn), \(fanOut)")
        }
    }

    @Test func zerosAndConstantsAreExact() throws {
        let key = RandomKey(seed: 1)
        #expect(
            try draw(.zeros, count: 1001, key: key).allSatisfy {
                $0.bitPattern == Float(0).bitPattern
            })
        #expect(try draw(.constant(0.25), count: 1001, key: key).allSatisfy { $0 == 0.25 })
        #expect(
            try draw(.constant(-3), count: 7, fanIn: 0, fanOut: 0, key: key)
                == [Float](repeating: -3, count: 7))
        // Degenerate distributions are their one value.
        #expect(try draw(.uniform(low: 2, high: 2), count: 33, key: key).allSatisfy { $0 == 2 })
        #expect(
            try draw(.normal(mean: 1.5, standardDeviation: 0), count: 33, key: key).allSatisfy {
                $0 == 1.5
            })
    }

    @Test(arguments: randomInitializers)
    func keysSelectTheValues(_ initializer: Initializer) throws {
        let count = 10_000
        let key = RandomKey(seed: 5, stream: 0)
        let values = try draw(initializer, count: count, key: key)
        expectBitIdentical(
            try draw(initializer, count: count, key: key), values, "the same key twice")
        for other in [RandomKey(seed: 5, stream: 1), RandomKey(seed: 6, stream: 0)] {
            let otherValues = try draw(initializer, count: count, key: other)
            let equal = zip(values, otherValues).count { $0 == $1 }
            #expect(equal < count / 100, "\(equal) of \(count) values equal for \(other)")
        }
    }

    /// One key with consecutive offsets fills an arena in pieces exactly as in one call.
    @Test(arguments: [Initializer.heNormal, .glorotUniform])
    func piecesAtConsecutiveOffsetsMatchOneFill(_ initializer: Initializer) throws {
        let backend = CPUBackend()
        let whole = try backend.poisoned(1000)
        let arena = try backend.makeBuffer(count: 1000)
        let key = RandomKey(seed: 8, stream: 2, offset: 3)
        try initializer.fill(whole, on: backend, fanIn: 30, fanOut: 20, key: key)
        for (start, count) in [(0, 333), (333, 1), (334, 666)] {
            var pieceKey = key
            pieceKey.offset += UInt64(start)
            try initializer.fill(
                try arena.view(offset: start, count: count), on: backend, fanIn: 30, fanOut: 20,
                key: pieceKey)
        }
        expectBitIdentical(
            try backend.download(arena.view), try backend.download(whole),
            "three pieces vs one fill")
    }

    @Test(arguments: fanBasedInitializers)
    func fansBelowOneAreTypedErrors(_ initializer: Initializer) throws {
        for (fanIn, fanOut, named) in [
            (0, 10, "fanIn"), (-3, 10, "fanIn"), (10, 0, "fanOut"), (10, -1, "fanOut"),
        ] {
            let error = try #require(throws: DescentError.self) {
                _ = try draw(
                    initializer, count: 4, fanIn: fanIn, fanOut: fanOut, key: RandomKey(seed: 0))
            }
            guard case .invalidArgument(let operation, let reason) = error else {
                Issue.record("expected invalidArgument, got \(error)")
                continue
            }
            #expect(operation == "Initializer.\(initializer)")
            #expect(reason.contains(named) && reason.contains("\(min(fanIn, fanOut))"), "\(reason)")
        }
    }

    @Test func badParametersAreTypedErrorsThatNameTheValue() throws {
        let backend = CPUBackend()
        let view = try backend.poisoned(8)
        let cases: [(Initializer, String)] = [
            (.uniform(low: 1, high: -1), "[1.0, -1.0)"),
            (.uniform(low: -.infinity, high: 0), "-inf"),
            (.uniform(low: 0, high: .nan), "nan"),
            (.uniform(low: -.greatestFiniteMagnitude, high: .greatestFiniteMagnitude), "width"),
            (.normal(mean: 0, standardDeviation: -0.1), "-0.1"),
            (.normal(mean: 0, standardDeviation: .infinity), "inf"),
            (.normal(mean: .nan, standardDeviation: 1), "nan"),
            (.constant(.nan), "nan"),
            (.constant(-.infinity), "-inf"),
        ]
        for (initializer, named) in cases {
            let error = try #require(throws: DescentError.self) {
                try initializer.fill(
                    view, on: backend, fanIn: 10, fanOut: 10, key: RandomKey(seed: 0))
            }
            guard case .invalidArgument(let operation, let reason) = error else {
                Issue.record("\(initializer): expected invalidArgument, got \(error)")
                continue
            }
            #expect(operation.hasPrefix("Initializer."))
            #expect(reason.contains(named), "\(initializer): \(reason)")
        }
        // Nothing was written.
        #expect(try backend.download(view).allSatisfy { $0.isNaN })

        let labels = try backend.makeBuffer([Int32](repeating: 0, count: 4))
        for initializer in [Initializer.zeros, .heNormal] {
            #expect(
                throws: DescentError.elementTypeMismatch(
                    operation: "Initializer.\(initializer)", expected: .float32, actual: .int32)
            ) {
                try initializer.fill(
                    labels.view, on: backend, fanIn: 4, fanOut: 4, key: RandomKey(seed: 0))
            }
        }
    }

    @Test func descriptionsAndAliases() {
        #expect(Initializer.heNormal.description == "heNormal")
        #expect(Initializer.pytorchLinear.description == "pytorchLinear")
        #expect(Initializer.zeros.description == "zeros")
        #expect(Initializer.constant(0.5).description == "constant(0.5)")
        #expect(Initializer.uniform(low: -0.1, high: 0.1).description == "uniform(-0.1, 0.1)")
        #expect(
            Initializer.normal(mean: 0, standardDeviation: 0.05).description == "normal(0.0, 0.05)")
        #expect(
            Initializer.xavierUniform == .glorotUniform && Initializer.xavierNormal == .glorotNormal
        )
        #expect(Initializer.kaimingUniform == .heUniform && Initializer.kaimingNormal == .heNormal)
    }
}

/// The same key gives bit-identical initial weights on the CPU reference and on OpenCL.
@Suite(.requiresOpenCL)
struct InitializerParityTests {
    @Test(arguments: allInitializers)
    func openCLMatchesCPUBitForBit(_ initializer: Initializer) throws {
        let (fanIn, fanOut) = (257, 389)
        let count = fanIn * fanOut
        let key = RandomKey(seed: 0xDE5C_E17, stream: 3, offset: 5)
        let cpu = CPUBackend()
        let reference = try cpu.poisoned(count)
        try initializer.fill(reference, on: cpu, fanIn: fanIn, fanOut: fanOut, key: key)

        let backend = try OpenCLTestSupport.makeBackend()
        let padding = 3
        let buffer = try backend.makeBuffer(count: count + 2 * padding)
        try backend.fill(buffer.view, with: .nan)
        let view = try buffer.view(offset: padding, count: count)
        try initializer.fill(view, on: backend, fanIn: fanIn, fanOut: fanOut, key: key)

        let all = try backend.download(buffer.view)
        expectBitIdentical(
            Array(all[padding..<padding + count]), try cpu.download(reference), "OpenCL vs CPU")
        #expect(
            (all[..<padding] + all[(padding + count)...]).allSatisfy { $0.isNaN },
            "wrote outside the view")
    }
}
