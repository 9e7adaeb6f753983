import DescentCore
import DescentCPU
import DescentOpenCL
import DescentTestSupport
import Testing

/// Every loss, its mean, per-sample values and input gradient, against the CPU, with and without
/// the optional weights (sample weights include zeros: padding rows).
@Suite(.requiresOpenCL)
struct LossParityTests {
    /// Sample weights with zeros (padding rows) and non-integers.
    static func sampleWeights(_ rows: Int) -> [Float] {
        (0..<rows).map { $0 % 5 == 4 ? 0 : 0.5 + Float($0 % 3) }
    }

    /// `values` (rows x columns) with NaN in the rows of weight 0: padding may hold anything.
    static func poisoningPadding(_ values: [Float], columns: Int) -> [Float] {
        values.enumerated().map { ($0.offset / columns) % 5 == 4 ? .nan : $0.element }
    }

    func outputs<B: Backend>(on backend: B, shape: MatrixShape) throws -> LossOutputs<B.Buffer> {
        LossOutputs(
            loss: try backend.poisoned(1), perSampleLoss: try backend.poisoned(shape.rows),
            inputGradient: try backend.poisoned(shape.count))
    }

    func download<B: Backend>(_ outputs: LossOutputs<B.Buffer>, from backend: B) throws -> [Float] {
        try backend.download(outputs.loss) + backend.download(outputs.perSampleLoss!)
            + backend.download(outputs.inputGradient!)
    }

    func crossEntropy<B: Backend>(
        on backend: B, shape: MatrixShape, smoothing: Float, weighted: Bool
    ) throws -> [Float] {
        let values = TestData.uniform(shape.count, seed: 100, in: -8...8)
        let logits = try backend.paddedView(
            weighted ? Self.poisoningPadding(values, columns: shape.columns) : values)
        let labels = try backend.makeBuffer(
            (0..<shape.rows).map { Int32(($0 * 7 + 3) % shape.columns) }
        ).view
        let options = CrossEntropyOptions(
            labelSmoothing: smoothing,
            classWeights: weighted
                ? try backend.paddedView(TestData.uniform(shape.columns, seed: 101, in: 0.2...2))
                : nil)
        let weights = weighted ? try backend.paddedView(Self.sampleWeights(shape.rows)) : nil
        let out = try outputs(on: backend, shape: shape)
        try backend.softmaxCrossEntropy(
            logits: logits, labels: labels, shape: shape, options: options, sampleWeights: weights,
            outputs: out)
        return try download(out, from: backend)
    }

    @Test(arguments: ParityShapes.batches)
    func crossEntropyMatchesReference(shape: MatrixShape) throws {
        for (smoothing, weighted) in [(Float(0), false), (0.1, true)] {
            let expected = try crossEntropy(
                on: CPUBackend(), shape: shape, smoothing: smoothing, weighted: weighted)
            let actual = try crossEntropy(
                on: try OpenCLTestSupport.makeBackend(), shape: shape, smoothing: smoothing,
                weighted: weighted)
            expectClose(
                actual, expected, .reduction,
                "cross-entropy \(shape) smoothing \(smoothing) weighted \(weighted)")
        }
    }

    func binaryCrossEntropy<B: Backend>(
        on backend: B, shape: MatrixShape, weighted: Bool
    ) throws -> [Float] {
        let logits = try backend.paddedView(TestData.uniform(shape.count, seed: 102, in: -30...30))
        let targets = try backend.paddedView(
            TestData.uniform(shape.count, seed: 103, in: 0...1).map {
                $0 < 0.3 ? 0 : $0 > 0.7 ? 1 : $0
            })
        let positive =
            weighted
            ? try backend.paddedView(TestData.uniform(shape.columns, seed: 104, in: 0.5...4)) : nil
        let weights = weighted ? try backend.paddedView(Self.sampleWeights(shape.rows)) : nil
        let out = try outputs(on: backend, shape: shape)
        try backend.binaryCrossEntropy(
            logits: logits, targets: targets, shape: shape, positiveWeight: positive,
            sampleWeights: weights, outputs: out)
        return try download(out, from: backend)
    }

    @Test(arguments: ParityShapes.batches)
    func binaryCrossEntropyMatchesReference(shape: MatrixShape) throws {
        for weighted in [false, true] {
            let expected = try binaryCrossEntropy(
                on: CPUBackend(), shape: shape, weighted: weighted)
            let actual = try binaryCrossEntropy(
                on: try OpenCLTestSupport.makeBackend(), shape: shape, weighted: weighted)
            expectClose(
                actual, expected, .reduction, "binary cross-entropy \(shape) weighted \(weighted)")
        }
    }

    static let regressionLosses: [RegressionLoss] = [
        .meanSquaredError, .meanAbsoluteError, .huber(delta: 1), .huber(delta: 0.3),
        .rootMeanSquaredError,
    ]

    func regression<B: Backend>(
        on backend: B, _ loss: RegressionLoss, shape: MatrixShape, weighted: Bool
    ) throws -> [Float] {
        let values = TestData.uniform(shape.count, seed: 105, in: -3...3)
        let predictions = try backend.paddedView(
            weighted ? Self.poisoningPadding(values, columns: shape.columns) : values)
        let targets = try backend.paddedView(TestData.uniform(shape.count, seed: 106, in: -3...3))
        let weights = weighted ? try backend.paddedView(Self.sampleWeights(shape.rows)) : nil
        let out = try outputs(on: backend, shape: shape)
        try backend.regressionLoss(
            loss, predictions: predictions, targets: targets, shape: shape, sampleWeights: weights,
            outputs: out)
        return try download(out, from: backend)
    }

    @Test(arguments: regressionLosses)
    func regressionMatchesReference(loss: RegressionLoss) throws {
        for shape in ParityShapes.batches {
            for weighted in [false, true] {
                let expected = try regression(
                    on: CPUBackend(), loss, shape: shape, weighted: weighted)
                let actual = try regression(
                    on: try OpenCLTestSupport.makeBackend(), loss, shape: shape, weighted: weighted)
                expectClose(actual, expected, .reduction, "\(loss) \(shape) weighted \(weighted)")
            }
        }
    }

    @Test func onlyTheMeanIsRequired() throws {
        let shape = MatrixShape(rows: 7, columns: 3)
        func run<B: Backend>(_ backend: B) throws -> [Float] {
            let logits = try backend.paddedView(TestData.uniform(shape.count, seed: 107))
            let labels = try backend.makeBuffer([Int32]([0, 1, 2, 0, 1, 2, 0])).view
            let loss = try backend.poisoned(1)
            try backend.softmaxCrossEntropy(
                logits: logits, labels: labels, shape: shape, options: CrossEntropyOptions(),
                sampleWeights: nil,
                outputs: LossOutputs(loss: loss))
            let mse = try backend.poisoned(1)
            try backend.regressionLoss(
                .meanSquaredError, predictions: logits, targets: logits, shape: shape,
                sampleWeights: nil,
                outputs: LossOutputs(loss: mse))
            return try backend.download(loss) + backend.download(mse)
        }
        let expected = try run(CPUBackend())
        #expect(expected[1] == 0)
        expectClose(
            try run(try OpenCLTestSupport.makeBackend()), expected, .reduction, "mean-only losses")
    }

    @Test func invalidLabelIsReportedAlike() throws {
        let shape = MatrixShape(rows: 6, columns: 4)
        func attempt<B: Backend>(_ backend: B) throws -> String {
            let logits = try backend.paddedView(TestData.uniform(shape.count, seed: 108))
            let labels = try backend.makeBuffer([Int32]([0, 3, 4, 1, -1, 9])).view
            let loss = try backend.poisoned(1)
            do {
                try backend.softmaxCrossEntropy(
                    logits: logits, labels: labels, shape: shape, options: CrossEntropyOptions(),
                    sampleWeights: nil,
                    outputs: LossOutputs(loss: loss))
                _ = try backend.download(loss)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        let expected = try attempt(CPUBackend())
        #expect(expected.contains("label 4 of sample 2 is outside [0, 4)"))
        let backend = try OpenCLTestSupport.makeBackend()
        #expect(try attempt(backend) == expected)
        // The error is reported once; the backend goes on working.
        let fine = try backend.makeBuffer([Float]([1, 2]))
        #expect(try backend.download(fine.view) == [1, 2])
    }
}
