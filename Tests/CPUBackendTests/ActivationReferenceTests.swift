#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentCPU
import DescentTestSupport
import Testing

/// One forward value worked out by hand (in Double, from the definitions in `Activation`).
struct ActivationValue: Sendable, CustomTestStringConvertible {
    let activation: Activation
    let x: Float
    let y: Double
    var testDescription: String { "\(activation)(\(x)) = \(y)" }
}

/// Activation forward values by hand, and every activation's backward pass against centered
/// finite differences of its forward formula in Double.
@Suite struct ActivationReferenceTests {
    let backend = CPUBackend()

    static let seluScaleTimesAlpha = 1.0507009873554804934 * 1.6732632423543772848

    static let handComputed: [ActivationValue] = [
        .init(activation: .identity, x: 2.5, y: 2.5), .init(activation: .identity, x: -3, y: -3),
        .init(activation: .sigmoid, x: 0, y: 0.5),
        .init(activation: .sigmoid, x: 2, y: 0.8807970779778823),
        .init(activation: .sigmoid, x: -2, y: 0.11920292202211755),
        .init(activation: .sigmoid, x: -30, y: 9.357622968840175e-14),
        .init(activation: .sigmoid, x: 100, y: 1),
        .init(activation: .tanh, x: 0.5, y: 0.46211715726000974),
        .init(activation: .tanh, x: -1, y: -0.7615941559557649),
        .init(activation: .tanh, x: 20, y: 1),
        .init(activation: .relu, x: -1, y: 0), .init(activation: .relu, x: 0, y: 0),
        .init(activation: .relu, x: 2.5, y: 2.5),
        .init(activation: .leakyReLU(slope: 0.01), x: -2, y: -0.02),
        .init(activation: .leakyReLU(slope: 0.01), x: 3, y: 3),
        .init(activation: .leakyReLU(slope: 0.2), x: -5, y: -1),
        .init(activation: .leakyReLU(slope: 0), x: -3, y: 0),
        .init(activation: .elu(alpha: 1), x: -1, y: -0.6321205588285577),
        .init(activation: .elu(alpha: 1), x: 2, y: 2),
        .init(activation: .elu(alpha: 1), x: 0, y: 0),
        .init(activation: .elu(alpha: 0.5), x: -2, y: -0.43233235838169365),
        .init(activation: .elu(alpha: 2), x: -30, y: -2),
        .init(activation: .selu, x: 1, y: 1.0507009873554805),
        .init(activation: .selu, x: -1, y: -1.1113307378125625),
        .init(activation: .selu, x: -20, y: -1.758099337223664),
        .init(activation: .selu, x: 0, y: 0),
        .init(activation: .softplus, x: 0, y: 0.6931471805599453),
        .init(activation: .softplus, x: 1, y: 1.3132616875182228),
        .init(activation: .softplus, x: -2, y: 0.1269280110429725),
        .init(activation: .softplus, x: -30, y: 9.357622968839737e-14),
        .init(activation: .softplus, x: 20.5, y: 20.5), .init(activation: .softplus, x: 30, y: 30),
        .init(activation: .gelu, x: 1, y: 0.8411919906082768),
        .init(activation: .gelu, x: -1, y: -0.15880800939172324),
        .init(activation: .gelu, x: 2, y: 1.954597694087775),
        .init(activation: .gelu, x: -3, y: -0.0036373920817729943),
        .init(activation: .gelu, x: 0, y: 0),
    ]

    /// Every activation whose backward pass is checked: the defaults and other parameters.
    static let all: [Activation] =
        Activation.allWithDefaults + [
            .leakyReLU(slope: 0.2), .leakyReLU(slope: -0.3), .elu(alpha: 0.5), .elu(alpha: 2),
        ]

    @Test(arguments: handComputed)
    func forwardMatchesHandComputedValue(_ value: ActivationValue) throws {
        let output = try backend.poisoned(1)
        try backend.activationForward(
            value.activation, input: backend.view([value.x]), output: output)
        expectClose(
            try backend.download(output), [Float(value.y)], .elementwise,
            "\(value.activation)(\(value.x))")
    }

    @Test func handComputedTableCoversEveryDefaultActivation() {
        for activation in Activation.allWithDefaults {
            #expect(
                Self.handComputed.contains { $0.activation == activation },
                "\(activation) has no hand-computed value")
        }
    }

    @Test func exactValuesWhereTheDefinitionGivesThem() throws {
        func forward(_ activation: Activation, _ x: Float) throws -> Float {
            let output = try backend.poisoned(1)
            try backend.activationForward(activation, input: backend.view([x]), output: output)
            return try backend.download(output)[0]
        }
        #expect(try forward(.sigmoid, 0) == 0.5)
        #expect(try forward(.relu, -1) == 0)
        #expect(
            try forward(.softplus, 20.5) == 20.5, "softplus returns x itself above the threshold 20"
        )
        #expect(try forward(.softplus, 1e30) == 1e30)
        #expect(try forward(.gelu, 0) == 0)
        #expect(try forward(.selu, 2) == 2 * Activation.seluScale)
    }

    @Test func seluConstantsAreThoseOfKlambauerEtAl() {
        #expect(Activation.seluScale == Float(1.0507009873554804934193349852946))
        #expect(Activation.seluAlpha == Float(1.6732632423543772848170429916717))
        // Its negative saturation is -scale * alpha.
        #expect(abs(ActivationMath.forward(.selu, -50.0) + Self.seluScaleTimesAlpha) < 1e-7)
    }

    /// A NaN stays NaN through every activation (relu's `x <= 0 ? 0 : x`, not `max(0, x)`), so a
    /// divergence is seen downstream; -0 still gives +0 through relu.
    @Test(arguments: all)
    func aNaNStaysNaN(_ activation: Activation) throws {
        let output = try backend.poisoned(2)
        try backend.activationForward(
            activation, input: try backend.view([.nan, -0.0]), output: output)
        let values = try backend.download(output)
        #expect(values[0].isNaN, "\(activation)(NaN) = \(values[0])")
        if activation == .relu { #expect(values[1] == 0 && values[1].sign == .plus) }
    }

    @Test(arguments: all)
    func forwardInPlaceEqualsOutOfPlace(_ activation: Activation) throws {
        let x = TestData.uniform(33, seed: 5, in: -6...6)
        let output = try backend.poisoned(33)
        try backend.activationForward(activation, input: backend.view(x), output: output)
        let inPlace = try backend.view(x)
        try backend.activationForward(activation, input: inPlace, output: inPlace)
        #expect(try backend.download(inPlace) == backend.download(output))
    }

    // MARK: Backward against finite differences

    /// Inputs away from the kink at 0 of relu, leakyReLU, elu and selu.
    static let points: [Float] =
        [0.3, -0.3, 1.7, -1.7, 4, -4, 0.05, -0.05, 6, -6]
        + TestData.uniform(64, seed: 3, in: -6...6).filter { abs($0) > 0.01 }

    /// `f'(x)` by a centered difference of the forward formula in Double, step relative to |x|.
    static func finiteDifference(_ activation: Activation, at x: Double) -> Double {
        centeredDifference(at: x, step: 1e-5 * max(1, abs(x))) {
            ActivationMath.forward(activation, $0)
        }
    }

    @Test(arguments: all)
    func backwardMatchesFiniteDifferences(_ activation: Activation) throws {
        let x = Self.points
        let dy = TestData.uniform(x.count, seed: 4, in: -2...2)
        let input = try backend.view(x), output = try backend.poisoned(x.count)
        try backend.activationForward(activation, input: input, output: output)
        let dx = try backend.poisoned(x.count)
        try backend.activationBackward(
            activation, input: input, output: output, outputGradient: backend.view(dy),
            inputGradient: dx)
        let expected = x.indices.map {
            Float(Self.finiteDifference(activation, at: Double(x[$0])) * Double(dy[$0]))
        }
        expectClose(
            try backend.download(dx), expected, .finiteDifference,
            "\(activation) backward vs finite differences")
    }

    @Test(arguments: all)
    func doubleDerivativeMatchesFiniteDifferencesTightly(_ activation: Activation) {
        for point in Self.points {
            let x = Double(point)
            let derivative = ActivationMath.derivative(
                activation, x: x, y: ActivationMath.forward(activation, x))
            let numeric = Self.finiteDifference(activation, at: x)
            #expect(
                abs(derivative - numeric) <= 1e-9 + 1e-8 * abs(numeric),
                "\(activation)'(\(x)) = \(derivative), finite difference \(numeric)")
        }
    }

    @Test(arguments: all)
    func backwardInPlaceOverTheOutputGradient(_ activation: Activation) throws {
        let x = TestData.uniform(17, seed: 6, in: -3...3), dy = TestData.uniform(17, seed: 7)
        let input = try backend.view(x), output = try backend.poisoned(17)
        try backend.activationForward(activation, input: input, output: output)
        let separate = try backend.poisoned(17)
        try backend.activationBackward(
            activation, input: input, output: output, outputGradient: backend.view(dy),
            inputGradient: separate)
        let gradient = try backend.view(dy)
        try backend.activationBackward(
            activation, input: input, output: output, outputGradient: gradient,
            inputGradient: gradient)
        #expect(try backend.download(gradient) == backend.download(separate))
    }

    /// At the kink, the derivative follows PyTorch: the x <= 0 branch.
    @Test(arguments: [
        (Activation.relu, Float(0)), (.leakyReLU(slope: 0.01), 0.01), (.leakyReLU(slope: 0.2), 0.2),
        (.elu(alpha: 1), 1), (.elu(alpha: 0.5), 0.5),
        (.selu, Activation.seluScale * Activation.seluAlpha),
    ])
    func derivativeAtZeroFollowsPyTorch(activation: Activation, expected: Float) throws {
        let input = try backend.view([0]), output = try backend.poisoned(1)
        try backend.activationForward(activation, input: input, output: output)
        let dx = try backend.poisoned(1)
        try backend.activationBackward(
            activation, input: input, output: output, outputGradient: backend.view([1]),
            inputGradient: dx)
        expectClose(try backend.download(dx), [expected], .elementwise, "\(activation)'(0)")
    }

    @Test(arguments: all)
    func extremeInputsGiveFiniteValuesAndGradients(_ activation: Activation) throws {
        let x: [Float] = [-1e4, -100, -30, 30, 100, 1e4]
        let input = try backend.view(x), output = try backend.poisoned(x.count)
        try backend.activationForward(activation, input: input, output: output)
        let dx = try backend.poisoned(x.count)
        try backend.activationBackward(
            activation, input: input, output: output,
            outputGradient: backend.view([Float](repeating: 1, count: x.count)),
            inputGradient: dx)
        #expect(try backend.download(output).allSatisfy { $0.isFinite })
        #expect(try backend.download(dx).allSatisfy { $0.isFinite })
    }

    @Test func saturatedDerivativesTakeTheirLimits() throws {
        let x: [Float] = [40, -40]
        for (activation, limits) in [
            (Activation.sigmoid, [Float(0), 0]), (.tanh, [0, 0]), (.softplus, [1, 0]),
            (.gelu, [1, 0]), (.elu(alpha: 1), [1, 0]), (.selu, [Activation.seluScale, 0]),
        ] {
            let input = try backend.view(x), output = try backend.poisoned(2),
                dx = try backend.poisoned(2)
            try backend.activationForward(activation, input: input, output: output)
            try backend.activationBackward(
                activation, input: input, output: output, outputGradient: backend.view([1, 1]),
                inputGradient: dx)
            expectClose(try backend.download(dx), limits, .elementwise, "\(activation)' at ±40")
        }
    }
}
