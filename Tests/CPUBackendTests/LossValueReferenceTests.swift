#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentCPU
import DescentTestSupport
import Testing

/// The losses of the CPU backend against values by hand (PyTorch's formulas): ln C for uniform
/// logits, label smoothing, class weights and positive weights, stability at huge logits, Huber's
/// two pieces and its continuity, MAE at 0, and RMSE as the root of the batch's MSE; and the
/// errors: labels outside the classes, label smoothing, Huber's delta, shapes and overlaps.
@Suite struct LossValueReferenceTests {
    typealias Result = LossHarness.Result
    let backend = CPUBackend()

    func crossEntropy(
        _ logits: [Float], labels: [Int32], classes: Int, smoothing: Float = 0,
        classWeights: [Float]? = nil,
        sampleWeights: [Float]? = nil
    ) throws -> Result {
        try LossHarness.run(
            .crossEntropy(labelSmoothing: smoothing, classWeighted: classWeights != nil),
            on: backend, input: logits,
            targets: labels.map(Float.init),
            shape: MatrixShape(rows: labels.count, columns: classes),
            columnWeights: classWeights, sampleWeights: sampleWeights)
    }

    func binary(
        _ logits: [Float], targets: [Float], shape: MatrixShape, positiveWeight: [Float]? = nil
    ) throws -> Result {
        try LossHarness.run(
            .binaryCrossEntropy(positiveWeighted: positiveWeight != nil), on: backend,
            input: logits, targets: targets,
            shape: shape, columnWeights: positiveWeight, sampleWeights: nil)
    }

    /// `loss` of predictions equal to `errors` against targets of 0.
    func regression(
        _ loss: RegressionLoss, errors: [Float], shape: MatrixShape, sampleWeights: [Float]? = nil
    ) throws -> Result {
        try LossHarness.run(
            .regression(loss), on: backend, input: errors,
            targets: [Float](repeating: 0, count: errors.count), shape: shape,
            columnWeights: nil, sampleWeights: sampleWeights)
    }

    /// `-log softmax(z)_c` for every c, in Double.
    static func negativeLogSoftmax(_ z: [Double]) -> [Double] {
        let logSumExp = log(z.reduce(0) { $0 + exp($1) })
        return z.map { logSumExp - $0 }
    }

    // MARK: Softmax cross-entropy

    /// Equal logits give p = 1 / C, so -log p_y = ln C for every sample and for the mean, with
    /// or without class weights (each sample's loss is then w_y ln C, the mean still ln C).
    @Test(arguments: [1, 2, 4, 10])
    func uniformLogitsGiveTheLogOfTheClassCount(classes: Int) throws {
        let logits =
            [Float](repeating: 0, count: classes) + [Float](repeating: 2.5, count: classes)
            + [Float](repeating: -7, count: classes)
        let labels = (0..<3).map { Int32(($0 * 2 + 1) % classes) }
        let lnC = Float(log(Double(classes)))
        let result = try crossEntropy(logits, labels: labels, classes: classes)
        expectClose([result.loss], [lnC], .elementwise, "mean over \(classes) classes")
        expectClose(
            result.perSample, [lnC, lnC, lnC], .elementwise, "per-sample over \(classes) classes")
        // p - onehot(y), over N = 3.
        let gradient = (0..<(3 * classes)).map {
            (1 / Float(classes) - ($0 % classes == Int(labels[$0 / classes]) ? 1 : 0)) / 3
        }
        expectClose(result.gradient, gradient, .elementwise, "gradient over \(classes) classes")

        let weights = TestData.uniform(classes, seed: 1220, in: 0.2...3)
        let weighted = try crossEntropy(
            logits, labels: labels, classes: classes, classWeights: weights)
        expectClose(
            [weighted.loss], [lnC], .elementwise, "class-weighted mean over \(classes) classes")
        expectClose(
            weighted.perSample, labels.map { weights[Int($0)] * lnC }, .elementwise,
            "class-weighted per-sample")
    }

    @Test func aConfidentCorrectPredictionCostsAlmostNothing() throws {
        // -log p_y = log(1 + e^-30 + e^-35) ~ 1e-13 and log(1 + 2 e^-25) ~ 3e-11; a wrong label costs 35.
        let result = try crossEntropy(
            [30, 0, -5, 0, 25, 0, 30, 0, -5], labels: [0, 1, 2], classes: 3)
        #expect(
            result.perSample[0] >= 0 && result.perSample[0] < 1e-6 && result.perSample[1] >= 0
                && result.perSample[1] < 1e-6)
        expectClose([result.perSample[2]], [35], .elementwise, "a confident wrong prediction")
        #expect(result.gradient[0..<6].allSatisfy { abs($0) < 1e-6 }, "\(result.gradient)")
    }

    @Test func labelSmoothingByHand() throws {
        // z = [1, 2, 3], y = 0, eps = 0.1, C = 3: with L = log(e + e^2 + e^3), -log p = L - z, and
        // PyTorch's 0.9 (L - 1) + 0.1 / 3 ((L - 1) + (L - 2) + (L - 3)) = L - 1.1 (~2.3076).
        let lse = log(exp(1.0) + exp(2) + exp(3))
        let result = try crossEntropy([1, 2, 3], labels: [0], classes: 3, smoothing: 0.1)
        expectClose(
            [result.loss, result.perSample[0]], [Float(lse - 1.1), Float(lse - 1.1)], .elementwise,
            "smoothed loss")
        // The gradient is p - q with the smoothed target q = [0.9 + 0.1 / 3, 0.1 / 3, 0.1 / 3].
        let p = [1.0, 2, 3].map { exp($0 - lse) }, q = [0.9 + 0.1 / 3, 0.1 / 3, 0.1 / 3]
        expectClose(
            result.gradient, zip(p, q).map { Float($0 - $1) }, .elementwise, "smoothed gradient")
        // eps = 1: the mean of -log p over the classes, L - 2.
        let uniform = try crossEntropy([1, 2, 3], labels: [0], classes: 3, smoothing: 1)
        expectClose([uniform.loss], [Float(lse - 2)], .elementwise, "loss with eps = 1")
    }

    @Test func classWeightsDivideByTheTrueClassesWeights() throws {
        // PyTorch CrossEntropyLoss(weight = w): sum_i w_y_i nll_i / sum_i w_y_i, not / N.
        let logits: [Float] = [1, 2, 3, 1, 2, 3, 0, 0.5, -1], w: [Float] = [1, 2, 0.5]
        let nll = [0, 1, 2].map {
            Self.negativeLogSoftmax(logits[($0 * 3)..<($0 * 3 + 3)].map(Double.init))[$0]
        }
        let perSample = [1 * nll[0], 2 * nll[1], 0.5 * nll[2]]
        let result = try crossEntropy(logits, labels: [0, 1, 2], classes: 3, classWeights: w)
        expectClose(
            [result.loss], [Float(perSample.reduce(0, +) / 3.5)], .elementwise,
            "class-weighted mean")
        expectClose(
            result.perSample, perSample.map(Float.init), .elementwise,
            "class-weighted per-sample (reduction 'none')")
        // With sample weights s = [2, 0, 1]: (2 * 1 nll_0 + 1 * 0.5 nll_2) / (2 * 1 + 1 * 0.5).
        let sampled = try crossEntropy(
            logits, labels: [0, 1, 2], classes: 3, classWeights: w, sampleWeights: [2, 0, 1])
        expectClose(
            [sampled.loss], [Float((2 * nll[0] + 0.5 * nll[2]) / 2.5)], .elementwise,
            "class- and sample-weighted mean")
        // With smoothing 0.1, the smoothed term is divided by sum w_y too: one sample of label 1 (w = 2).
        let all = Self.negativeLogSoftmax([1, 2, 3])
        let smoothed = 0.9 * 2 * all[1] + 0.1 / 3 * (1 * all[0] + 2 * all[1] + 0.5 * all[2])
        let one = try crossEntropy(
            [1, 2, 3], labels: [1], classes: 3, smoothing: 0.1, classWeights: w)
        expectClose(
            [one.loss, one.perSample[0]], [Float(smoothed / 2), Float(smoothed)], .elementwise,
            "smoothed and class-weighted")
    }

    @Test func hugeLogitsAreStable() throws {
        // [1000, -1000]: p = [1, 0] (e^-2000 underflows); label 0 costs 0, label 1 costs 2000.
        let result = try crossEntropy([1000, -1000, 1000, -1000], labels: [0, 1], classes: 2)
        expectClose(
            [result.loss] + result.perSample, [1000, 0, 2000], .elementwise, "loss of +-1000")
        expectClose(result.gradient, [0, 0, 0.5, -0.5], .elementwise, "gradient of +-1000")
        for logits: [Float] in [
            [1000, 1000, 1000], [-1000, -1000, -1000], [1000, -1000, 0], [-1000, 1000, -1000],
        ] {
            let smoothed = try crossEntropy(
                logits, labels: [0], classes: 3, smoothing: 0.1, classWeights: [1, 2, 3])
            #expect(
                ([smoothed.loss] + smoothed.perSample + smoothed.gradient).allSatisfy {
                    $0.isFinite
                }, "\(logits): \(smoothed)")
        }
    }

    /// `-log p_y` must be formed as `(max - z_y) + log sum`, not `(max + log sum) - z_y`, which
    /// rounds `max + log sum` to the ulp of the largest logit (an error of ~6e-5 at 1000, ~1 at
    /// 1e7). As with PyTorch's `log_softmax`, equal logits give ln C at any scale.
    @Test(arguments: [Float(1000), 1e5, -1e5])
    func largeEqualLogitsGiveTheLogOfTheClassCount(scale: Float) throws {
        let result = try crossEntropy(
            [scale, scale, scale, scale, scale, scale], labels: [2, 0], classes: 3)
        expectClose(
            [result.loss] + result.perSample, [Float](repeating: Float(log(3.0)), count: 3),
            .elementwise,
            "ln 3 at logits \(scale)")
    }

    // MARK: Binary cross-entropy

    @Test func binaryCrossEntropyAtZeroIsLogTwo() throws {
        // sigmoid(0) = 1/2: the loss is ln 2 whatever the target; the gradient (1 - t) - 1/2, over D = 3.
        let result = try binary(
            [0, 0, 0], targets: [0, 0.3, 1], shape: MatrixShape(rows: 1, columns: 3))
        expectClose(
            [result.loss] + result.perSample, [Float(log(2.0)), Float(log(2.0))], .elementwise,
            "BCE at z = 0")
        expectClose(
            result.gradient, [0.5 / 3, 0.2 / 3, -0.5 / 3], .elementwise, "BCE gradient at z = 0")
    }

    @Test func binaryCrossEntropyOfHugeLogitsIsFinite() throws {
        // Right at |z| = 100 costs ~e^-100, wrong costs 100 (200 with posWeight 2 on a positive).
        let result = try binary(
            [100, -100, 100, -100], targets: [1, 0, 0, 1], shape: MatrixShape(rows: 1, columns: 4))
        expectClose([result.loss], [50], .elementwise, "BCE of +-100")
        expectClose(result.gradient, [0, 0, 0.25, -0.25], .elementwise, "BCE gradient of +-100")
        let weighted = try binary(
            [100, -100, 100, -100], targets: [1, 0, 0, 1], shape: MatrixShape(rows: 1, columns: 4),
            positiveWeight: [2, 2, 2, 2])
        expectClose([weighted.loss], [75], .elementwise, "BCE of +-100 with posWeight 2")
        #expect(weighted.gradient.allSatisfy { $0.isFinite })
    }

    @Test func positiveWeightScalesThePositiveTerm() throws {
        // PyTorch BCEWithLogitsLoss(pos_weight = p): -[p t log sigmoid(z) + (1 - t) log(1 - sigmoid(z))],
        // with -log sigmoid(z) = log(1 + e^-z) and -log(1 - sigmoid(z)) = log(1 + e^z).
        let z = [0.5, -1.0], t = [1.0, 0.25], p = [3.0, 0.5]
        let terms = (0..<2).map { (d: Int) -> Double in
            p[d] * t[d] * log1p(exp(-z[d])) + (1 - t[d]) * log1p(exp(z[d]))
        }
        // Gradient (1 - t) - (1 + (p - 1) t) sigmoid(-z), over D = 2.
        let gradient = (0..<2).map { (d: Int) -> Double in
            let logWeight: Double = 1 + (p[d] - 1) * t[d]
            return ((1 - t[d]) - logWeight / (1 + exp(z[d]))) / 2
        }
        let result = try binary(
            z.map(Float.init), targets: t.map(Float.init), shape: MatrixShape(rows: 1, columns: 2),
            positiveWeight: p.map(Float.init))
        expectClose(
            [result.loss], [Float((terms[0] + terms[1]) / 2)], .elementwise, "BCE with posWeight")
        expectClose(
            result.gradient, gradient.map(Float.init), .elementwise, "BCE gradient with posWeight")
        // A negative target (t = 0) is untouched by the positive weight.
        let shape = MatrixShape(rows: 1, columns: 1)
        #expect(
            try binary([0.7], targets: [0], shape: shape, positiveWeight: [5]).loss
                == binary([0.7], targets: [0], shape: shape).loss)
    }

    // MARK: Regression

    @Test func meanSquaredAndAbsoluteErrorsByHand() throws {
        let shape = MatrixShape(rows: 2, columns: 2)
        // x = [1, -2 | 3, 0]: MSE rows (1 + 4) / 2, 9 / 2; the gradient 2x / (N D).
        let mse = try regression(.meanSquaredError, errors: [1, -2, 3, 0], shape: shape)
        expectClose([mse.loss] + mse.perSample, [3.5, 2.5, 4.5], .elementwise, "MSE")
        expectClose(mse.gradient, [0.5, -1, 1.5, 0], .elementwise, "MSE gradient")
        // x = [1, -2 | 0, 0.5]: MAE rows 1.5, 0.25; the gradient sign(x) / (N D), 0 at x = 0.
        let mae = try regression(.meanAbsoluteError, errors: [1, -2, 0, 0.5], shape: shape)
        expectClose([mae.loss] + mae.perSample, [0.875, 1.5, 0.25], .elementwise, "MAE")
        #expect(mae.gradient == [0.25, -0.25, 0, 0.25])
        #expect(
            try regression(.meanAbsoluteError, errors: [0], shape: MatrixShape(rows: 1, columns: 1))
                .gradient == [0])
    }

    @Test(arguments: [Float(1), 0.7, 2])
    func huberIsQuadraticInsideLinearOutsideAndContinuous(delta: Float) throws {
        // x^2 / 2 for |x| < delta, delta (|x| - delta / 2) beyond; per sample (D = 1).
        let errors: [Float] = [delta / 2, -delta / 4, 3 * delta, -2.5 * delta]
        let result = try regression(
            .huber(delta: delta), errors: errors, shape: MatrixShape(rows: 4, columns: 1))
        let d = Double(delta)
        let expected = [d * d / 8, d * d / 32, d * 2.5 * d, d * 2 * d].map(Float.init)
        expectClose(result.perSample, expected, .elementwise, "Huber(\(delta)) by hand")
        expectClose(
            result.gradient, [delta / 2, -delta / 4, delta, -delta].map { $0 / 4 }, .elementwise,
            "Huber gradient")
        // At |x| = delta both pieces give delta^2 / 2, with slope delta: just below and above agree.
        let edges: [Float] = [delta.nextDown, delta, delta.nextUp, -delta.nextDown, -delta.nextUp]
        let edge = try regression(
            .huber(delta: delta), errors: edges, shape: MatrixShape(rows: 5, columns: 1))
        let half = delta * delta / 2  // ~1e-6 relative: a few ulp of the two pieces at delta^2 / 2
        #expect(
            edge.perSample.allSatisfy { abs($0 - half) <= 1e-6 * max(1, half) },
            "Huber(\(delta)) around delta: \(edge.perSample)")
        #expect(
            edge.gradient.allSatisfy { abs(abs($0) - delta / 5) <= 1e-6 },
            "Huber(\(delta)) slope around delta: \(edge.gradient)")
    }

    @Test func rootMeanSquaredErrorIsTheRootOfTheBatchMean() throws {
        // x = [3, 4 | 0, 0]: MSE rows 12.5, 0; the batch MSE 6.25, so RMSE 2.5, not the mean of the
        // rows' roots (sqrt 12.5 / 2). The gradient x / (RMSE N D) = [3, 4, 0, 0] / 10.
        let result = try regression(
            .rootMeanSquaredError, errors: [3, 4, 0, 0], shape: MatrixShape(rows: 2, columns: 2))
        expectClose(
            [result.loss] + result.perSample, [2.5, Float(12.5.squareRoot()), 0], .elementwise,
            "RMSE")
        expectClose(result.gradient, [0.3, 0.4, 0, 0], .elementwise, "RMSE gradient")
        // Weighted, s = [1, 3]: the root of (12.5 + 0) / 4.
        let weighted = try regression(
            .rootMeanSquaredError, errors: [3, 4, 0, 0], shape: MatrixShape(rows: 2, columns: 2),
            sampleWeights: [1, 3])
        expectClose([weighted.loss], [Float(3.125.squareRoot())], .elementwise, "weighted RMSE")
        // At a loss of 0 the gradient is 0, not NaN (the root's slope 1 / (2 sqrt 0) is taken as 0).
        let zero = try regression(
            .rootMeanSquaredError, errors: [0, 0, 0, 0, 0, 0],
            shape: MatrixShape(rows: 2, columns: 3))
        #expect(
            zero.loss == 0 && zero.perSample == [0, 0]
                && zero.gradient == [Float](repeating: 0, count: 6))
    }

    // MARK: Errors

    /// Checks that `body` throws `invalidArgument` (or `shapeMismatch`) from an operation whose name
    /// starts with `operation`, and returns the error.
    @discardableResult
    func expectLossError(
        shape: Bool = false, _ operation: String, _ what: String,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws -> Void
    ) -> DescentError? {
        guard let error = thrownDescentError(sourceLocation: sourceLocation, body) else {
            return nil
        }
        switch error {
        case .shapeMismatch(let thrown, _, _) where shape && thrown.hasPrefix(operation):
            return error
        case .invalidArgument(let thrown, _) where !shape && thrown.hasPrefix(operation):
            return error
        default:
            Issue.record(
                "\(what): expected \(shape ? "shapeMismatch" : "invalidArgument") from \(operation), got \(error)",
                sourceLocation: sourceLocation)
            return nil
        }
    }

    @Test func aLabelOutsideTheClassesThrowsNamingItAndWritesNothing() throws {
        let shape = MatrixShape(rows: 4, columns: 4)
        let logits = try backend.view(TestData.uniform(shape.count, seed: 1210))
        for (labels, message) in [
            ([0, 1, 4, 5], "label 4 of sample 2 is outside [0, 4)"),
            ([3, -1, 7, 0], "label -1 of sample 1 is outside [0, 4)"),
            ([0, 1, 2, Int32.min], "label -2147483648 of sample 3 is outside [0, 4)"),
        ] as [([Int32], String)] {
            let outputs = try backend.sentinelBuffer(count: 1 + shape.rows + shape.count)
            let error = expectLossError("softmaxCrossEntropy", "labels \(labels)") {
                try backend.softmaxCrossEntropy(
                    logits: logits, labels: backend.makeBuffer(labels).view, shape: shape,
                    options: CrossEntropyOptions(),
                    sampleWeights: backend.view([1, 1, 1, 1]),
                    outputs: LossOutputs(
                        loss: outputs.view(offset: 0, count: 1),
                        perSampleLoss: outputs.view(offset: 1, count: shape.rows),
                        inputGradient: outputs.view(offset: 1 + shape.rows, count: shape.count)))
            }
            if let error { #expect(error.description.contains(message), "\(error)") }
            #expect(
                try backend.download(outputs.view).allSatisfy { $0 == sentinel },
                "labels \(labels) wrote an output")
        }
    }

    @Test func labelSmoothingOutsideTheUnitIntervalThrows() throws {
        let shape = MatrixShape(rows: 2, columns: 3)
        let logits = try backend.view(TestData.uniform(shape.count, seed: 1211)),
            labels = try backend.makeBuffer([Int32(0), 2]).view
        func crossEntropy(_ smoothing: Float) throws {
            try backend.softmaxCrossEntropy(
                logits: logits, labels: labels, shape: shape,
                options: CrossEntropyOptions(labelSmoothing: smoothing),
                sampleWeights: nil, outputs: LossOutputs(loss: backend.poisoned(1)))
        }
        for smoothing: Float in [-0.1, 1.1, -.infinity, .infinity, .nan] {
            expectLossError("softmaxCrossEntropy", "label smoothing \(smoothing)") {
                try crossEntropy(smoothing)
            }
        }
        for smoothing: Float in [0, 0.5, 1] { try crossEntropy(smoothing) }
    }

    @Test func hubersDeltaMustBePositiveAndFinite() throws {
        let x = try backend.view([1, 2]), t = try backend.view([0, 0])
        for delta: Float in [0, -0.0, -1, .infinity, .nan] {
            expectLossError("regressionLoss", "Huber delta \(delta)") {
                try backend.regressionLoss(
                    .huber(delta: delta), predictions: x, targets: t,
                    shape: MatrixShape(rows: 1, columns: 2),
                    sampleWeights: nil, outputs: LossOutputs(loss: backend.poisoned(1)))
            }
        }
    }

    @Test func mismatchedShapesThrow() throws {
        let shape = MatrixShape(rows: 3, columns: 4)
        func floats(_ count: Int) throws -> CPUView {
            try backend.view([Float](repeating: 0.5, count: count))
        }
        func outputs(
            loss: Int = 1, perSample: Int = 3, gradient: Int = 12
        ) throws -> LossOutputs<CPUBuffer> {
            LossOutputs(
                loss: try floats(loss), perSampleLoss: try floats(perSample),
                inputGradient: try floats(gradient))
        }
        func crossEntropy(
            logits: Int = 12, labels: Int = 3, classes: Int = 4, samples: Int = 3,
            into: LossOutputs<CPUBuffer>? = nil
        ) throws {
            try backend.softmaxCrossEntropy(
                logits: floats(logits),
                labels: backend.makeBuffer([Int32](repeating: 1, count: labels)).view, shape: shape,
                options: CrossEntropyOptions(classWeights: floats(classes)),
                sampleWeights: floats(samples),
                outputs: into ?? outputs())
        }
        let ce = "softmaxCrossEntropy"
        expectLossError(shape: true, ce, "11 logits") { try crossEntropy(logits: 11) }
        expectLossError(shape: true, ce, "4 labels") { try crossEntropy(labels: 4) }
        expectLossError(shape: true, ce, "3 class weights") { try crossEntropy(classes: 3) }
        expectLossError(shape: true, ce, "2 sample weights") { try crossEntropy(samples: 2) }
        expectLossError(shape: true, ce, "2 loss elements") {
            try crossEntropy(into: outputs(loss: 2))
        }
        expectLossError(shape: true, ce, "4 per-sample losses") {
            try crossEntropy(into: outputs(perSample: 4))
        }
        expectLossError(shape: true, ce, "13 gradient elements") {
            try crossEntropy(into: outputs(gradient: 13))
        }
        try crossEntropy()
        let floatLabels = thrownDescentError {
            try backend.softmaxCrossEntropy(
                logits: floats(12), labels: floats(3), shape: shape, options: CrossEntropyOptions(),
                sampleWeights: nil,
                outputs: outputs())
        }
        #expect(
            floatLabels == .elementTypeMismatch(operation: ce, expected: .int32, actual: .float32))

        func binary(targets: Int = 12, positive: Int = 4) throws {
            try backend.binaryCrossEntropy(
                logits: floats(12), targets: floats(targets), shape: shape,
                positiveWeight: floats(positive),
                sampleWeights: nil, outputs: outputs())
        }
        expectLossError(shape: true, "binaryCrossEntropy", "11 targets") { try binary(targets: 11) }
        expectLossError(shape: true, "binaryCrossEntropy", "3 positive weights") {
            try binary(positive: 3)
        }
        try binary()

        for loss: RegressionLoss in [
            .meanSquaredError, .meanAbsoluteError, .huber(delta: 1), .rootMeanSquaredError,
        ] {
            func regression(predictions: Int = 12, targets: Int = 12) throws {
                try backend.regressionLoss(
                    loss, predictions: floats(predictions), targets: floats(targets), shape: shape,
                    sampleWeights: floats(3),
                    outputs: outputs())
            }
            expectLossError(shape: true, "regressionLoss", "\(loss) with 13 targets") {
                try regression(targets: 13)
            }
            expectLossError(shape: true, "regressionLoss", "\(loss) with 4 predictions") {
                try regression(predictions: 4)
            }
            try regression()
        }
    }

    /// An output over another operand or output would silently give wrong values (the gradient
    /// would read the per-sample losses as weights), so it is rejected.
    @Test func outputsOverlappingOtherOperandsAreRejected() throws {
        let shape = MatrixShape(rows: 3, columns: 2)
        let x = try backend.view([1, 1, 2, 2, 3, 3]), t = try backend.view([0, 0, 0, 0, 0, 0])
        let weights = try backend.view([1, 1, 1])
        expectLossError("regressionLoss", "per-sample loss over the sample weights") {
            try backend.regressionLoss(
                .meanSquaredError, predictions: x, targets: t, shape: shape, sampleWeights: weights,
                outputs: LossOutputs(
                    loss: backend.poisoned(1), perSampleLoss: weights,
                    inputGradient: backend.poisoned(6)))
        }
        let perSample = try backend.poisoned(3)
        expectLossError("regressionLoss", "loss over the first per-sample loss") {
            try backend.regressionLoss(
                .meanSquaredError, predictions: x, targets: t, shape: shape, sampleWeights: nil,
                outputs: LossOutputs(
                    loss: perSample.buffer.view(offset: 0, count: 1), perSampleLoss: perSample))
        }
    }
}
