#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentCPU
import DescentTestSupport
import Testing

/// The losses under test: run on the CPU backend, and re-implemented in Double straight from their
/// definitions (the doc comments of `Backend` and `RegressionLoss`, which follow PyTorch). Shared
/// by `LossReferenceTests` and `LossValueReferenceTests`.
enum LossHarness {
    /// A loss and its options. Class weights (cross-entropy) and positive weights (binary
    /// cross-entropy) are drawn for the shape's columns when the flag is set.
    enum Loss: Sendable, CustomStringConvertible {
        case crossEntropy(labelSmoothing: Float, classWeighted: Bool)
        case binaryCrossEntropy(positiveWeighted: Bool)
        case regression(RegressionLoss)

        static let all: [Loss] = [
            .crossEntropy(labelSmoothing: 0, classWeighted: false),
            .crossEntropy(labelSmoothing: 0.1, classWeighted: false),
            .crossEntropy(labelSmoothing: 0, classWeighted: true),
            .crossEntropy(labelSmoothing: 0.25, classWeighted: true),
            .binaryCrossEntropy(positiveWeighted: false),
            .binaryCrossEntropy(positiveWeighted: true),
            .regression(.meanSquaredError), .regression(.meanAbsoluteError),
            .regression(.huber(delta: 1)),
            .regression(.huber(delta: 0.3)), .regression(.rootMeanSquaredError),
        ]

        var description: String {
            switch self {
            case .crossEntropy(let smoothing, let weighted):
                "softmaxCrossEntropy(smoothing \(smoothing)\(weighted ? ", class weights" : ""))"
            case .binaryCrossEntropy(let weighted):
                "binaryCrossEntropy(\(weighted ? "posWeight" : "no posWeight"))"
            case .regression(let loss): "regressionLoss(\(loss))"
            }
        }

        /// The drawn class weights or positive weights for `columns`, or nil.
        func columnWeights(_ columns: Int) -> [Float]? {
            switch self {
            case .crossEntropy(_, true): TestData.uniform(columns, seed: 1201, in: 0.2...2)
            case .binaryCrossEntropy(true): TestData.uniform(columns, seed: 1202, in: 0.25...4)
            default: nil
            }
        }

        /// Inputs and targets for `shape` (for cross-entropy the targets are N class labels, as
        /// floats). Regression errors keep |x| >= 0.1 and 0.05 away from Huber's delta, so that
        /// finite differences never straddle a kink of MAE or Huber.
        func data(_ shape: MatrixShape) -> (input: [Float], targets: [Float]) {
            switch self {
            case .crossEntropy:
                let labels = (0..<shape.rows).map { Float(($0 * 7 + 3) % shape.columns) }
                return (TestData.uniform(shape.count, seed: 1203, in: -4...4), labels)
            case .binaryCrossEntropy:
                let targets = TestData.uniform(shape.count, seed: 1204, in: 0...1).map {
                    $0 < 0.25 ? 0 : $0 > 0.75 ? 1 : $0
                }
                return (TestData.uniform(shape.count, seed: 1205, in: -4...4), targets)
            case .regression(let loss):
                let kink: Float = if case .huber(let delta) = loss { delta } else { 0 }
                let targets = TestData.uniform(shape.count, seed: 1206, in: -2...2)
                let errors = TestData.uniform(shape.count, seed: 1207, in: 0.1...2.5).enumerated()
                    .map { index, magnitude in
                        let safe = abs(magnitude - kink) < 0.05 ? magnitude + 0.1 : magnitude
                        return index % 3 == 1 ? -safe : safe
                    }
                return (zip(targets, errors).map { $0 + $1 }, targets)
            }
        }
    }

    /// What a loss call wrote; the optional outputs are empty when not requested.
    struct Result {
        var loss: Float
        var perSample: [Float]
        var gradient: [Float]
    }

    /// Sample weights with zeros (every third row from the second) and non-integers.
    static func sampleWeights(_ rows: Int) -> [Float] {
        (0..<rows).map { $0 % 3 == 1 ? 0 : 0.5 + 0.5 * Float($0 % 4) }
    }

    /// Runs `loss` on the CPU backend, every operand at an offset inside NaN padding and every
    /// output poisoned with NaN. `columnWeights` are the class weights or positive weights.
    static func run(
        _ loss: Loss, on backend: CPUBackend, input: [Float], targets: [Float], shape: MatrixShape,
        columnWeights: [Float]?, sampleWeights: [Float]?, perSample: Bool = true,
        gradient: Bool = true
    ) throws -> Result {
        let outputs = LossOutputs(
            loss: try backend.poisoned(1),
            perSampleLoss: perSample ? try backend.poisoned(shape.rows) : nil,
            inputGradient: gradient ? try backend.poisoned(shape.count) : nil)
        let x = try backend.paddedView(input)
        let s = try sampleWeights.map { try backend.paddedView($0) }
        let weights = try columnWeights.map { try backend.paddedView($0) }
        switch loss {
        case .crossEntropy(let smoothing, _):
            try backend.softmaxCrossEntropy(
                logits: x, labels: backend.makeBuffer(targets.map { Int32($0) }).view, shape: shape,
                options: CrossEntropyOptions(labelSmoothing: smoothing, classWeights: weights),
                sampleWeights: s,
                outputs: outputs)
        case .binaryCrossEntropy:
            try backend.binaryCrossEntropy(
                logits: x, targets: backend.paddedView(targets), shape: shape,
                positiveWeight: weights, sampleWeights: s,
                outputs: outputs)
        case .regression(let regression):
            try backend.regressionLoss(
                regression, predictions: x, targets: backend.paddedView(targets), shape: shape,
                sampleWeights: s,
                outputs: outputs)
        }
        return Result(
            loss: try backend.download(outputs.loss)[0],
            perSample: try outputs.perSampleLoss.map { try backend.download($0) } ?? [],
            gradient: try outputs.inputGradient.map { try backend.download($0) } ?? [])
    }

    /// Each sample's loss and the weighted mean, in Double:
    /// - cross-entropy (PyTorch `CrossEntropyLoss`, soft target `q = (1 - eps) onehot(y) + eps / C`):
    ///   `l_i = -sum_c w_c q_c log softmax(z_i)_c`, mean `sum s_i l_i / sum s_i w_(y_i)`;
    /// - binary cross-entropy (PyTorch `BCEWithLogitsLoss`):
    ///   `-[p t log sigmoid(z) + (1 - t) log(1 - sigmoid(z))]` averaged over D, mean `sum s_i l_i / sum s_i`;
    /// - regression: the element's loss averaged over D; RMSE is the root of the weighted mean of the
    ///   samples' MSEs, and each sample's value the root of its own MSE.
    /// The mean is 0 when its denominator is.
    static func reference(
        _ loss: Loss, input: [Double], targets: [Float], shape: MatrixShape,
        columnWeights: [Float]?, sampleWeights: [Float]?
    ) -> (mean: Double, perSample: [Double]) {
        let (n, d) = (shape.rows, shape.columns)
        let w = columnWeights?.map(Double.init) ?? [Double](repeating: 1, count: d)
        var losses = [Double](), normalizers = [Double]()
        for row in 0..<n {
            let z = Array(input[(row * d)..<((row + 1) * d)])
            switch loss {
            case .crossEntropy(let smoothing, _):
                let label = Int(targets[row]), eps = Double(smoothing), largest = z.max()!
                let logSumExp = largest + log(z.reduce(0) { $0 + exp($1 - largest) })
                let q = (0..<d).map { (1 - eps) * ($0 == label ? 1 : 0) + eps / Double(d) }
                losses.append(-(0..<d).reduce(0) { $0 + w[$1] * q[$1] * (z[$1] - logSumExp) })
                normalizers.append(w[label])
            case .binaryCrossEntropy:
                let t = targets[(row * d)..<((row + 1) * d)].map(Double.init)
                let terms = (0..<d).map { c in
                    let logSigmoid = -log1p(exp(-z[c])), logOneMinusSigmoid = -log1p(exp(z[c]))
                    return -(w[c] * t[c] * logSigmoid + (1 - t[c]) * logOneMinusSigmoid)
                }
                losses.append(terms.reduce(0, +) / Double(d))
                normalizers.append(1)
            case .regression(let regression):
                let t = targets[(row * d)..<((row + 1) * d)].map(Double.init)
                let terms = (0..<d).map { c -> Double in
                    let x = z[c] - t[c]
                    switch regression {
                    case .meanSquaredError, .rootMeanSquaredError: return x * x
                    case .meanAbsoluteError: return abs(x)
                    case .huber(let delta):
                        let delta = Double(delta)
                        return abs(x) < delta ? 0.5 * x * x : delta * (abs(x) - 0.5 * delta)
                    }
                }
                losses.append(terms.reduce(0, +) / Double(d))
                normalizers.append(1)
            }
        }
        let s = sampleWeights?.map(Double.init) ?? [Double](repeating: 1, count: n)
        let denominator = (0..<n).reduce(0) { $0 + s[$1] * normalizers[$1] }
        let mean =
            denominator == 0 ? 0 : (0..<n).reduce(0) { $0 + s[$1] * losses[$1] } / denominator
        if case .regression(.rootMeanSquaredError) = loss {
            return (mean.squareRoot(), losses.map { $0.squareRoot() })
        }
        return (mean, losses)
    }
}

/// Every loss against its Double reference and finite differences, with and without sample, class
/// and positive weights; sample-weight padding; per-sample values; optional outputs.
@Suite struct LossReferenceTests {
    typealias Loss = LossHarness.Loss
    let backend = CPUBackend()

    static let shapes = [
        MatrixShape(rows: 1, columns: 1), MatrixShape(rows: 2, columns: 3),
        MatrixShape(rows: 7, columns: 10),
        MatrixShape(rows: 5, columns: 1),
    ]

    func run(
        _ loss: Loss, _ data: (input: [Float], targets: [Float]), _ shape: MatrixShape,
        sampleWeights: [Float]?,
        perSample: Bool = true, gradient: Bool = true
    ) throws -> LossHarness.Result {
        try LossHarness.run(
            loss, on: backend, input: data.input, targets: data.targets, shape: shape,
            columnWeights: loss.columnWeights(shape.columns), sampleWeights: sampleWeights,
            perSample: perSample,
            gradient: gradient)
    }

    @Test(arguments: Loss.all, shapes)
    func matchesDoubleReferenceAndFiniteDifferences(loss: Loss, shape: MatrixShape) throws {
        let data = loss.data(shape), weights = loss.columnWeights(shape.columns)
        for sampleWeights in [nil, LossHarness.sampleWeights(shape.rows)] as [[Float]?] {
            let what = "\(loss) \(shape) sample weights \(sampleWeights.map { "\($0)" } ?? "nil")"
            let result = try run(loss, data, shape, sampleWeights: sampleWeights)
            func reference(_ input: [Double]) -> (mean: Double, perSample: [Double]) {
                LossHarness.reference(
                    loss, input: input, targets: data.targets, shape: shape, columnWeights: weights,
                    sampleWeights: sampleWeights)
            }
            let expected = reference(data.input.map(Double.init))
            expectClose([result.loss], [Float(expected.mean)], .reduction, "mean of \(what)")
            expectClose(
                result.perSample, expected.perSample.map(Float.init), .reduction,
                "per-sample losses of \(what)")
            let numeric = numericGradient(at: data.input.map(Double.init)) { reference($0).mean }
            expectClose(
                result.gradient, numeric, .finiteDifference,
                "input gradient of \(what) vs finite differences")
        }
    }

    /// Rows of weight 0 appended to a batch change neither its mean nor its real rows' gradient,
    /// bit for bit, and get a gradient of exactly 0 (the last partial batch of an epoch).
    @Test(arguments: Loss.all)
    func zeroWeightPaddingRowsChangeNothing(loss: Loss) throws {
        let real = MatrixShape(rows: 5, columns: 4), padded = MatrixShape(rows: 8, columns: 4)
        let data = loss.data(padded)
        let targetsPerRow = data.targets.count / padded.rows
        let realData = (
            Array(data.input.prefix(real.count)),
            Array(data.targets.prefix(real.rows * targetsPerRow))
        )
        for realWeights in [nil, [0.5, 1, 2, 1.5, 1]] as [[Float]?] {
            let unpadded = try run(loss, realData, real, sampleWeights: realWeights)
            let result = try run(
                loss, data, padded, sampleWeights: (realWeights ?? [1, 1, 1, 1, 1]) + [0, 0, 0])
            let what = "\(loss), real rows weighted \(realWeights.map { "\($0)" } ?? "nil")"
            #expect(result.loss == unpadded.loss, "mean loss of \(what)")
            #expect(
                Array(result.gradient.prefix(real.count)) == unpadded.gradient,
                "real rows' gradient of \(what)")
            #expect(
                result.gradient.suffix(padded.count - real.count).allSatisfy { $0 == 0 },
                "padding rows' gradient of \(what)")
            #expect(
                Array(result.perSample.prefix(real.rows)) == unpadded.perSample,
                "real rows' losses of \(what)")
        }
    }

    /// Per-sample losses ignore sample weights (cross-entropy's are class-weighted, as PyTorch's
    /// reduction 'none'; see the Double reference), and weights that are all 0 give a mean of 0
    /// and a gradient of 0, not NaN.
    @Test(arguments: Loss.all)
    func perSampleLossesIgnoreSampleWeightsAndZeroWeightsGiveZero(loss: Loss) throws {
        let shape = MatrixShape(rows: 3, columns: 4)
        let data = loss.data(shape)
        let unweighted = try run(loss, data, shape, sampleWeights: nil)
        let weighted = try run(loss, data, shape, sampleWeights: [2, 0, 0.25])
        let zero = try run(loss, data, shape, sampleWeights: [0, 0, 0])
        #expect(
            weighted.perSample == unweighted.perSample && zero.perSample == unweighted.perSample)
        #expect(zero.loss == 0)
        #expect(zero.gradient == [Float](repeating: 0, count: shape.count))
    }

    /// Only the mean is required; every combination of optional outputs gives the same values.
    @Test(arguments: Loss.all)
    func optionalOutputsMayBeLeftOut(loss: Loss) throws {
        let shape = MatrixShape(rows: 4, columns: 3)
        let data = loss.data(shape), weights = LossHarness.sampleWeights(shape.rows)
        let all = try run(loss, data, shape, sampleWeights: weights)
        #expect(
            try run(loss, data, shape, sampleWeights: weights, perSample: false, gradient: false)
                .loss == all.loss)
        let perSampleOnly = try run(loss, data, shape, sampleWeights: weights, gradient: false)
        #expect(perSampleOnly.loss == all.loss && perSampleOnly.perSample == all.perSample)
        let gradientOnly = try run(loss, data, shape, sampleWeights: weights, perSample: false)
        #expect(gradientOnly.loss == all.loss && gradientOnly.gradient == all.gradient)
    }
}
