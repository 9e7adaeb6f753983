#if canImport(Glibc)
import Glibc
#endif
import Descent
import DescentTestSupport
import Testing

/// Small deterministic data sets for the diagnostics tests.
enum DiagnosticsData {
    /// `samples x features` values spread over about [-1.5, 1.5], with labels cycling through the classes.
    static func features(samples: Int, features: Int, scale: Float = 1.5) -> [Float] {
        (0..<samples * features).map { Float(sin(Double($0) * 1.7 + 0.3)) * scale }
    }

    static func classification(
        samples: Int = 6, features: Int = 3, classes: Int = 3
    ) throws -> Dataset {
        try Dataset(
            features: Self.features(samples: samples, features: features), featureCount: features,
            classIndices: (0..<samples).map { Int32($0 % classes) }, classCount: classes)
    }

    static func targets(
        samples: Int = 6, features: Int = 3, width: Int, unitInterval: Bool
    ) throws -> Dataset {
        let targets = (0..<samples * width).map { i -> Float in
            let value = Float(cos(Double(i) * 0.9))
            return unitInterval ? (value + 1) / 2 : value * 2
        }
        return try Dataset(
            features: Self.features(samples: samples, features: features), featureCount: features,
            targets: targets, targetWidth: width)
    }
}

/// A dense layer whose backend backward pass doubles its weight gradient: a bug the comparison
/// with the double-precision reference must catch. Its reference is the correct one.
struct DoubledGradientDense: ReferenceLayer {
    let dense: Dense

    func outputShape(for inputShape: SampleShape) throws -> SampleShape {
        try dense.outputShape(for: inputShape)
    }
    func parameters(for inputShape: SampleShape) -> [ParameterSpec] {
        dense.parameters(for: inputShape)
    }
    func makeRuntime<B: Backend>(_ context: LayerContext<B>) throws -> any LayerRuntime<B> {
        DoubledGradientRuntime(inner: try dense.makeRuntime(context), context: context)
    }
    var description: String { "DoubledGradientDense(\(dense.inputs), \(dense.outputs))" }

    func referenceForward(
        _ input: ReferenceMatrix, parameters: [[Double]], kinks: inout [Double]
    ) throws -> ReferenceMatrix {
        try dense.referenceForward(input, parameters: parameters, kinks: &kinks)
    }

    func referenceBackward(
        _ input: ReferenceMatrix, parameters: [[Double]], outputGradient: ReferenceMatrix
    ) throws -> (input: ReferenceMatrix, parameters: [[Double]]) {
        try dense.referenceBackward(input, parameters: parameters, outputGradient: outputGradient)
    }
}

final class DoubledGradientRuntime<B: Backend>: LayerRuntime {
    let inner: any LayerRuntime<B>
    let context: LayerContext<B>

    init(inner: any LayerRuntime<B>, context: LayerContext<B>) {
        self.inner = inner
        self.context = context
    }

    func forward(
        _ input: B.View, batch: Int, training: Bool, position: DrawPosition
    ) throws -> B.View {
        try inner.forward(input, batch: batch, training: training, position: position)
    }

    func backward(_ outputGradient: B.View, batch: Int) throws -> B.View {
        let dx = try inner.backward(outputGradient, batch: batch)
        try context.backend.scale(context.gradients[0], by: 2, output: context.gradients[0])
        return dx
    }
}

/// A tanh whose double-precision backward forgets the derivative: the numeric check must catch it.
struct TanhWithoutDerivative: ReferenceLayer {
    func outputShape(for inputShape: SampleShape) throws -> SampleShape { inputShape }
    func parameters(for inputShape: SampleShape) -> [ParameterSpec] { [] }
    func makeRuntime<B: Backend>(_ context: LayerContext<B>) throws -> any LayerRuntime<B> {
        try ActivationLayer(.tanh).makeRuntime(context)
    }
    var description: String { "TanhWithoutDerivative" }

    func referenceForward(
        _ input: ReferenceMatrix, parameters: [[Double]], kinks: inout [Double]
    ) throws -> ReferenceMatrix {
        ReferenceMatrix(
            rows: input.rows, columns: input.columns, values: input.values.map { tanh($0) })
    }

    func referenceBackward(
        _ input: ReferenceMatrix, parameters: [[Double]], outputGradient: ReferenceMatrix
    ) throws -> (input: ReferenceMatrix, parameters: [[Double]]) {
        (outputGradient, [])
    }
}

@Suite struct DiagnosticsGradientCheckTests {
    @Test(arguments: Activation.allWithDefaults)
    func correctMLPPasses(activation: Activation) throws {
        let architecture = Sequential(seed: 1) {
            Dense(3, 5, activation: activation); Dense(5, 3)
        }
        let check = GradientCheck(
            architecture, inputShape: .features(3), loss: .softmaxCrossEntropy)
        let data = try DiagnosticsData.classification()
        let report = try check.run(data)
        #expect(report.passed, "\(report.lines.joined(separator: "\n"))")
        #expect(report.tensors.map(\.name).last == "input")
        #expect(report.tensors.count == 5)
        if !activation.hasKink {
            #expect(report.worstBand == .happy, "\(report.lines.joined(separator: "\n"))")
        }
        let cpu = try check.compare(on: CPUBackend(), data: data)
        #expect(cpu.passed, "\(cpu.lines.joined(separator: "\n"))")
    }

    @Test(arguments: [
        LossFunction.softmaxCrossEntropy(labelSmoothing: 0.1), .binaryCrossEntropy,
        .regression(.meanSquaredError),
        .regression(.meanAbsoluteError), .regression(.huber(delta: 0.5)),
        .regression(.rootMeanSquaredError),
    ])
    func normalizationLayersAndEveryLossPass(loss: LossFunction) throws {
        let architecture = Sequential(seed: 2) {
            Dense(3, 6); BatchNorm(6); Tanh(); Dropout(0.5)
            Dense(6, 4); LayerNorm(4); GELU(); GaussianNoise(0.3)
            Dense(4, 3)
        }
        let data =
            loss.takesClasses
            ? try DiagnosticsData.classification()
            : try DiagnosticsData.targets(width: 3, unitInterval: loss == .binaryCrossEntropy)
        let check = GradientCheck(
            architecture, inputShape: .features(3), loss: loss, sampleCount: 5)
        let report = try check.run(data)
        #expect(report.passed, "\(report.lines.joined(separator: "\n"))")
        #expect(report.mode.contains("training mode"))
        let cpu = try check.compare(on: CPUBackend(), data: data)
        #expect(cpu.passed, "\(cpu.lines.joined(separator: "\n"))")
    }

    @Test func brokenReferenceBackwardIsCaught() throws {
        let architecture = Sequential(seed: 3) {
            Dense(3, 4); TanhWithoutDerivative(); Dense(4, 3)
        }
        let report = try GradientCheck(
            architecture, inputShape: .features(3), loss: .softmaxCrossEntropy
        )
        .run(try DiagnosticsData.classification())
        #expect(!report.passed)
        #expect(report.tensors[0].band == .probablyWrong, "\(report.lines.joined(separator: "\n"))")
        #expect(report.tensors[2].passed, "the layer after the bug is still right")
        #expect(
            report.findings.contains {
                $0.code == "gradient-check-failed"
                    && $0.evidence["tensor"] == "layer 0 Dense(3, 4) weight"
            })
    }

    @Test func brokenBackendBackwardIsCaught() throws {
        let architecture = Sequential(seed: 4) {
            DoubledGradientDense(dense: Dense(3, 4, activation: .tanh)); Dense(4, 3)
        }
        let check = GradientCheck(
            architecture, inputShape: .features(3), loss: .softmaxCrossEntropy)
        let data = try DiagnosticsData.classification()
        #expect(try check.run(data).passed, "the reference itself is right")
        let report = try check.compare(on: CPUBackend(), data: data)
        #expect(
            report.tensors.map(\.passed) == [false, true, true, true],
            "\(report.lines.joined(separator: "\n"))")
        let worst = try #require(report.tensors[0].worst)
        #expect(abs(worst.analytic - 2 * worst.numeric) <= 1e-5 * abs(worst.numeric) + 1e-7)
        #expect(report.findings.map(\.code) == ["backend-gradient-mismatch"])
    }

    @Test func reluNearItsKinkIsFlaggedNotFailed() throws {
        // Every hidden pre-activation is 1 * 3e-6 + 0: a step of 1e-5 on a bias or on the input
        // moves it across 0.
        let architecture = Sequential(seed: 5) {
            Dense(1, 3, activation: .relu, initializer: .constant(1), biasInitializer: .zeros)
            Dense(3, 2, initializer: .glorotUniform)
        }
        let data = try Dataset(
            features: [3e-6, 3e-6], featureCount: 1, classIndices: [0, 1], classCount: 2)
        let report = try GradientCheck(
            architecture, inputShape: .features(1), loss: .softmaxCrossEntropy
        )
        .run(data)
        let bias = try #require(report.tensors.first { $0.name.hasSuffix("relu) bias") })
        #expect(bias.kinkCrossings.count == 3, "\(report.lines.joined(separator: "\n"))")
        #expect(bias.kinkCrossings.allSatisfy { $0.band >= .uncomfortable })
        #expect(bias.line.contains("crossed a kink"))
        #expect(report.tensors.last?.kinkCrossings.count == 2)
        #expect(report.passed)
    }

    @Test func bandsFollowTheNotes() {
        #expect(GradientErrorBand(relativeError: 1e-9) == .happy)
        #expect(GradientErrorBand(relativeError: 1e-6) == .okayWithKinks)
        #expect(GradientErrorBand(relativeError: 1e-3) == .uncomfortable)
        #expect(GradientErrorBand(relativeError: 0.5) == .probablyWrong)
        #expect(GradientErrorBand(relativeError: .nan) == .probablyWrong)
        #expect(gradientRelativeError(0, 0) == 0)
        #expect(gradientRelativeError(1, 3) == 2.0 / 3.0)
    }
}

@Suite(.requiresOpenCL) struct DiagnosticsGradientCheckOpenCLTests {
    @Test func openCLGradientsMatchTheReference() throws {
        let backend = try OpenCLTestSupport.makeBackend()
        let architecture = Sequential(seed: 6) {
            Dense(3, 6, activation: .relu); BatchNorm(6); Dense(6, 4); LayerNorm(4); Tanh();
            Dense(4, 3)
        }
        let check = GradientCheck(
            architecture, inputShape: .features(3), loss: .softmaxCrossEntropy(labelSmoothing: 0.1),
            sampleCount: 6)
        let report = try check.compare(on: backend, data: try DiagnosticsData.classification())
        #expect(report.passed, "\(report.lines.joined(separator: "\n"))")

        let broken = Sequential(seed: 7) {
            Dense(3, 4, activation: .tanh); DoubledGradientDense(dense: Dense(4, 3))
        }
        let brokenReport = try GradientCheck(
            broken, inputShape: .features(3), loss: .softmaxCrossEntropy
        )
        .compare(on: backend, data: try DiagnosticsData.classification())
        #expect(
            brokenReport.tensors.map(\.passed) == [true, true, false, true],
            "\(brokenReport.lines.joined(separator: "\n"))")
    }
}
