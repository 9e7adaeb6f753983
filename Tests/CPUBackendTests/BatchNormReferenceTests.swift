#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentCPU
import DescentTestSupport
import Testing

/// Batch norm on the CPU backend: the training forward pass by hand, the PyTorch and Keras
/// running-statistics conventions, inference from the running estimates, argument checks,
/// precision on features with a large mean, and the backward pass against centered finite
/// differences of a scalar loss in Double.
@Suite struct BatchNormReferenceTests {
    let backend = CPUBackend()

    /// What a training-mode forward pass produces.
    struct Forward {
        var y: [Float]
        var mean: [Float]
        var inverseStandardDeviation: [Float]
        var runningMean: [Float]
        var runningVariance: [Float]
    }

    /// Runs the training forward pass on fresh buffers (outputs poisoned with NaN).
    func forward(
        _ x: [Float], _ shape: MatrixShape, gamma: [Float], beta: [Float],
        runningMean: [Float]? = nil, runningVariance: [Float]? = nil,
        _ hyperparameters: BatchNormHyperparameters
    ) throws -> Forward {
        let c = shape.columns
        let output = try backend.poisoned(x.count)
        let saved = NormalizationStatistics(
            mean: try backend.poisoned(c), inverseStandardDeviation: try backend.poisoned(c))
        // PyTorch's and Keras's initial running estimates: mean 0, variance 1.
        let running = RunningStatistics(
            mean: try backend.view(runningMean ?? [Float](repeating: 0, count: c)),
            variance: try backend.view(runningVariance ?? [Float](repeating: 1, count: c)))
        try backend.batchNormForward(
            input: backend.view(x),
            parameters: AffineParameters(gamma: backend.view(gamma), beta: backend.view(beta)),
            output: output, saved: saved, running: running, shape: shape,
            hyperparameters: hyperparameters)
        return Forward(
            y: try backend.download(output), mean: try backend.download(saved.mean),
            inverseStandardDeviation: try backend.download(saved.inverseStandardDeviation),
            runningMean: try backend.download(running.mean),
            runningVariance: try backend.download(running.variance))
    }

    func inference(
        _ x: [Float], _ shape: MatrixShape, gamma: [Float], beta: [Float], runningMean: [Float],
        runningVariance: [Float], epsilon: Float
    ) throws -> [Float] {
        let output = try backend.poisoned(x.count)
        try backend.batchNormInference(
            input: backend.view(x),
            parameters: AffineParameters(gamma: backend.view(gamma), beta: backend.view(beta)),
            running: RunningStatistics(
                mean: backend.view(runningMean), variance: backend.view(runningVariance)),
            output: output, shape: shape, epsilon: epsilon)
        return try backend.download(output)
    }

    /// Column `feature` of a row-major matrix with `columns` columns, in Double.
    static func column<T: BinaryFloatingPoint>(
        _ values: [T], _ feature: Int, columns: Int
    ) -> [Double] {
        stride(from: feature, to: values.count, by: columns).map { Double(values[$0]) }
    }

    /// The mean and the biased and unbiased variances of `values`, in two passes in Double.
    static func moments(_ values: [Double]) -> (mean: Double, biased: Double, unbiased: Double) {
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (mean, squares / n, squares / (n - 1))
    }

    // MARK: Training forward by hand

    /// The [N = 3, C = 2] batch both hand-computed tests use. Feature 0 is 1, 2, 6: mean 3,
    /// deviations -2, -1, 3, squares 4 + 1 + 9 = 14, biased variance 14/3, unbiased 14/2 = 7.
    /// Feature 1 is 10, 20, 60: mean 30, deviations -20, -10, 30, squares 1400, biased variance
    /// 1400/3, unbiased 700.
    static let handX: [Float] = [1, 10, 2, 20, 6, 60]
    static let handShape = MatrixShape(rows: 3, columns: 2)
    static let handGamma: [Float] = [2, -0.5]
    static let handBeta: [Float] = [0.5, 1]

    /// `gamma (x - mean) istd + beta` of the hand batch with epsilon `eps`.
    static func handOutput(epsilon eps: Double) -> (y: [Float], inverse: [Float]) {
        let istd0 = 1 / (14.0 / 3 + eps).squareRoot(), istd1 = 1 / (1400.0 / 3 + eps).squareRoot()
        let y: [Double] = [
            2 * -2 * istd0 + 0.5, -0.5 * -20 * istd1 + 1,
            2 * -1 * istd0 + 0.5, -0.5 * -10 * istd1 + 1,
            2 * 3 * istd0 + 0.5, -0.5 * 30 * istd1 + 1,
        ]
        return (y.map(Float.init), [Float(istd0), Float(istd1)])
    }

    @Test func trainingForwardByHandWithPyTorchRunningStatistics() throws {
        let result = try forward(
            Self.handX, Self.handShape, gamma: Self.handGamma, beta: Self.handBeta, .pytorch)
        let (y, inverse) = Self.handOutput(epsilon: 1e-5)
        expectClose(result.y, y, .elementwise, "batch norm output by hand")
        expectClose(result.mean, [3, 30], .elementwise, "saved mean")
        expectClose(result.inverseStandardDeviation, inverse, .elementwise, "saved inverse std")
        // running = 0.9 old + 0.1 batch, from mean 0 and variance 1; the variance is the unbiased 7 and 700.
        expectClose(result.runningMean, [0.1 * 3, 0.1 * 30], .elementwise, "PyTorch running mean")
        expectClose(
            result.runningVariance, [0.9 + 0.1 * 7, 0.9 + 0.1 * 700], .elementwise,
            "PyTorch running variance")
    }

    @Test func trainingForwardByHandWithKerasRunningStatistics() throws {
        let result = try forward(
            Self.handX, Self.handShape, gamma: Self.handGamma, beta: Self.handBeta, .keras)
        // Keras's epsilon is 1e-3.
        let (y, inverse) = Self.handOutput(epsilon: 1e-3)
        expectClose(result.y, y, .elementwise, "batch norm output by hand, Keras epsilon")
        expectClose(result.mean, [3, 30], .elementwise, "saved mean")
        expectClose(
            result.inverseStandardDeviation, inverse, .elementwise,
            "saved inverse std, Keras epsilon")
        // running = 0.99 old + 0.01 batch, from mean 0 and variance 1; the variance is the biased 14/3 and 1400/3.
        expectClose(result.runningMean, [0.01 * 3, 0.01 * 30], .elementwise, "Keras running mean")
        expectClose(
            result.runningVariance,
            [Float(0.99 + 0.01 * 14.0 / 3), Float(0.99 + 0.01 * 1400.0 / 3)],
            .elementwise, "Keras running variance")
    }

    @Test func presetsMatchTheFrameworksDefaults() {
        #expect(
            BatchNormHyperparameters.pytorch.epsilon == 1e-5
                && BatchNormHyperparameters.pytorch.momentum == 0.1)
        #expect(
            BatchNormHyperparameters.keras.epsilon == 1e-3
                && BatchNormHyperparameters.keras.momentum == 0.99)
    }

    @Test func normalizedBatchHasMeanZeroAndUnitVarianceBeforeTheAffineMap() throws {
        let shape = MatrixShape(rows: 17, columns: 4)
        let x = TestData.uniform(shape.count, seed: 101, in: -5...9)
        let result = try forward(
            x, shape, gamma: [1, 1, 1, 1], beta: [0, 0, 0, 0],
            BatchNormHyperparameters(epsilon: 1e-7, momentum: 0.1, convention: .pytorch))
        for feature in 0..<shape.columns {
            let (mean, variance, _) = Self.moments(
                Self.column(result.y, feature, columns: shape.columns))
            #expect(abs(mean) <= 1e-6, "feature \(feature): mean \(mean)")
            #expect(abs(variance - 1) <= 1e-5, "feature \(feature): variance \(variance)")
        }
    }

    // MARK: Running statistics

    /// The running update as each framework documents it, written out rather than through
    /// `newBatchWeight`: PyTorch weighs the new batch by the momentum and takes its unbiased
    /// variance, Keras weighs the old value by the momentum and takes the biased variance.
    static func updated(
        _ old: Double, batchMean: Double, _ hyperparameters: BatchNormHyperparameters
    ) -> Double {
        let momentum = Double(hyperparameters.momentum)
        switch hyperparameters.convention {
        case .pytorch: return (1 - momentum) * old + momentum * batchMean
        case .keras: return momentum * old + (1 - momentum) * batchMean
        }
    }

    @Test(arguments: [
        BatchNormHyperparameters.pytorch, .keras,
        BatchNormHyperparameters(epsilon: 1e-5, momentum: 0.3, convention: .pytorch),
        BatchNormHyperparameters(epsilon: 1e-5, momentum: 0.3, convention: .keras),
    ])
    func runningStatisticsFollowTheConventionOverSeveralSteps(
        hyperparameters: BatchNormHyperparameters
    ) throws {
        let shape = MatrixShape(rows: 7, columns: 3)
        var runningMean: [Float] = [0, 0, 0], runningVariance: [Float] = [1, 1, 1]
        var expectedMean: [Double] = [0, 0, 0], expectedVariance: [Double] = [1, 1, 1]
        for step in 0..<4 {
            let x = TestData.uniform(
                shape.count, seed: 200 + UInt64(step), in: -3...(5 + Float(step)))
            let result = try forward(
                x, shape, gamma: [1, 2, 3], beta: [0, 0, 0], runningMean: runningMean,
                runningVariance: runningVariance, hyperparameters)
            for feature in 0..<shape.columns {
                let moments = Self.moments(Self.column(x, feature, columns: shape.columns))
                let batchVariance =
                    hyperparameters.convention == .pytorch ? moments.unbiased : moments.biased
                expectedMean[feature] = Self.updated(
                    expectedMean[feature], batchMean: moments.mean, hyperparameters)
                expectedVariance[feature] = Self.updated(
                    expectedVariance[feature], batchMean: batchVariance, hyperparameters)
            }
            expectClose(
                result.runningMean, expectedMean.map(Float.init), .reduction,
                "running mean after step \(step), \(hyperparameters.convention) momentum \(hyperparameters.momentum)"
            )
            expectClose(
                result.runningVariance, expectedVariance.map(Float.init), .reduction,
                "running variance after step \(step), \(hyperparameters.convention) momentum \(hyperparameters.momentum)"
            )
            (runningMean, runningVariance) = (result.runningMean, result.runningVariance)
        }
    }

    @Test func momentumAtTheEndsOfItsRange() throws {
        let shape = MatrixShape(rows: 4, columns: 2)
        let x: [Float] = [1, -1, 3, 0, 5, 2, 7, 7]
        // Feature 0: 1, 3, 5, 7: mean 4, squares 9 + 1 + 1 + 9 = 20. Feature 1: -1, 0, 2, 7: mean 2, squares 9 + 4 + 0 + 25 = 38.
        let old: (mean: [Float], variance: [Float]) = ([0.5, -0.5], [2, 3])
        func run(_ momentum: Float, _ convention: BatchNormConvention) throws -> Forward {
            try forward(
                x, shape, gamma: [1, 1], beta: [0, 0], runningMean: old.mean,
                runningVariance: old.variance,
                BatchNormHyperparameters(epsilon: 1e-5, momentum: momentum, convention: convention))
        }
        // The running estimates keep the old values (PyTorch momentum 0, Keras momentum 1)...
        for result in [try run(0, .pytorch), try run(1, .keras)] {
            #expect(result.runningMean == old.mean && result.runningVariance == old.variance)
        }
        // ...or become the batch's (PyTorch momentum 1: unbiased; Keras momentum 0: biased).
        let pytorch = try run(1, .pytorch), keras = try run(0, .keras)
        expectClose(pytorch.runningMean, [4, 2], .elementwise, "PyTorch momentum 1 running mean")
        expectClose(
            pytorch.runningVariance, [20.0 / 3, 38.0 / 3], .elementwise,
            "PyTorch momentum 1 running variance")
        expectClose(keras.runningMean, [4, 2], .elementwise, "Keras momentum 0 running mean")
        expectClose(
            keras.runningVariance, [20.0 / 4, 38.0 / 4], .elementwise,
            "Keras momentum 0 running variance")
    }

    // MARK: Inference

    @Test func inferenceByHandFromTheRunningStatistics() throws {
        let shape = MatrixShape(rows: 2, columns: 2)
        let y = try inference(
            [3, -2, 5, 0], shape, gamma: [2, 3], beta: [0, -1], runningMean: [1, -2],
            runningVariance: [4, 0.25],
            epsilon: 1e-5)
        let istd0 = 1 / (4 + 1e-5).squareRoot(), istd1 = 1 / (0.25 + 1e-5).squareRoot()
        let expected: [Double] = [
            2 * (3 - 1) * istd0, 3 * (-2 + 2) * istd1 - 1, 2 * (5 - 1) * istd0,
            3 * (0 + 2) * istd1 - 1,
        ]
        expectClose(y, expected.map(Float.init), .elementwise, "batch norm inference by hand")
    }

    @Test func inferenceUsesItsEpsilon() throws {
        // Variance 0.75 + epsilon 0.25 = 1: y = x - mean.
        let y = try inference(
            [2, -1, 0.5], MatrixShape(rows: 3, columns: 1), gamma: [1], beta: [0],
            runningMean: [0.5],
            runningVariance: [0.75], epsilon: 0.25)
        #expect(y == [1.5, -1.5, 0])
    }

    @Test func inferenceAcceptsABatchOfOneSample() throws {
        let y = try inference(
            [4, 1], MatrixShape(rows: 1, columns: 2), gamma: [1, 2], beta: [0, 1],
            runningMean: [2, 1],
            runningVariance: [4, 9], epsilon: 1e-5)
        expectClose(
            y, [Float(2 / (4 + 1e-5).squareRoot()), 1], .elementwise, "inference of one sample")
    }

    @Test func inferenceWithTheBatchStatisticsReproducesTheTrainingOutput() throws {
        // Keras momentum 0 makes the running estimates exactly the batch mean and biased variance.
        let shape = MatrixShape(rows: 9, columns: 5)
        let x = TestData.uniform(shape.count, seed: 300, in: -4...6)
        let gamma = TestData.uniform(5, seed: 301, in: 0.5...2),
            beta = TestData.uniform(5, seed: 302)
        let hyperparameters = BatchNormHyperparameters(
            epsilon: 1e-3, momentum: 0, convention: .keras)
        let training = try forward(x, shape, gamma: gamma, beta: beta, hyperparameters)
        let y = try inference(
            x, shape, gamma: gamma, beta: beta, runningMean: training.runningMean,
            runningVariance: training.runningVariance, epsilon: hyperparameters.epsilon)
        expectClose(
            y, training.y, .elementwise, "inference from the batch's statistics vs training")
    }

    // MARK: Arguments

    @Test func aBatchOfOneSampleThrowsInTrainingModeAndWritesNothing() throws {
        let shape = MatrixShape(rows: 1, columns: 3)
        let output = try backend.poisoned(3)
        let saved = NormalizationStatistics(
            mean: try backend.poisoned(3), inverseStandardDeviation: try backend.poisoned(3))
        let running = RunningStatistics(
            mean: try backend.view([0, 0, 0]), variance: try backend.view([1, 1, 1]))
        let error = thrownDescentError {
            try backend.batchNormForward(
                input: backend.view([1, 2, 3]),
                parameters: AffineParameters(
                    gamma: backend.view([1, 1, 1]), beta: backend.view([0, 0, 0])),
                output: output, saved: saved, running: running, shape: shape,
                hyperparameters: .pytorch)
        }
        guard let error else { return }
        guard case .invalidArgument(let operation, _) = error else {
            Issue.record("expected invalidArgument, got \(error)")
            return
        }
        #expect(operation == "batchNormForward")
        // The message says why (one sample has variance 0) and what to do instead.
        let message = error.description
        #expect(message.hasPrefix("batchNormForward"), "\(message)")
        #expect(message.contains("1 sample") && message.contains("variance 0"), "\(message)")
        #expect(message.contains("at least 2") && message.contains("inference"), "\(message)")
        #expect(try backend.download(output).allSatisfy { $0.isNaN }, "the output was written")
        #expect(
            try backend.download(saved.mean).allSatisfy { $0.isNaN }, "the saved mean was written")
        #expect(
            try backend.download(running.mean) == [0, 0, 0]
                && backend.download(running.variance) == [1, 1, 1])
    }

    @Test(arguments: [
        (Float(0), Float(0.1)), (-1e-5, 0.1), (.nan, 0.1), (.infinity, 0.1),
        (1e-5, -0.1), (1e-5, 1.1), (1e-5, .nan), (1e-5, .infinity), (1e-5, -.infinity),
    ])
    func badEpsilonOrMomentumThrows(epsilon: Float, momentum: Float) throws {
        let shape = MatrixShape(rows: 2, columns: 2)
        for convention in [BatchNormConvention.pytorch, .keras] {
            let running = RunningStatistics(
                mean: try backend.view([0, 0]), variance: try backend.view([1, 1]))
            expectInvalidArgument("batchNormForward") {
                try backend.batchNormForward(
                    input: backend.view([1, 2, 3, 4]),
                    parameters: AffineParameters(
                        gamma: backend.view([1, 1]), beta: backend.view([0, 0])),
                    output: backend.poisoned(4),
                    saved: NormalizationStatistics(
                        mean: backend.poisoned(2), inverseStandardDeviation: backend.poisoned(2)),
                    running: running, shape: shape,
                    hyperparameters: BatchNormHyperparameters(
                        epsilon: epsilon, momentum: momentum, convention: convention))
            }
            #expect(
                try backend.download(running.mean) == [0, 0]
                    && backend.download(running.variance) == [1, 1])
        }
    }

    @Test(arguments: [Float(0), -1e-3, .nan, .infinity])
    func inferenceWithABadEpsilonThrows(epsilon: Float) throws {
        expectInvalidArgument("batchNormInference") {
            _ = try inference(
                [1, 2], MatrixShape(rows: 1, columns: 2), gamma: [1, 1], beta: [0, 0],
                runningMean: [0, 0],
                runningVariance: [1, 1], epsilon: epsilon)
        }
    }

    /// Given the batch's own sums (what backward computes), the input gradient from sums is
    /// backward's, bit for bit: synchronized batch norm passes the sums over every rank instead.
    @Test func theInputGradientFromTheBatchsOwnSumsIsBackwards() throws {
        let shape = ChannelShape(batch: 3, channels: 2, spatial: 5)
        let x = try backend.view(TestData.uniform(shape.count, seed: 80, in: -2...2))
        let dy = try backend.view(TestData.uniform(shape.count, seed: 81))
        let gamma = try backend.view([0.7, 1.3])
        let saved = NormalizationStatistics(
            mean: try backend.view([0.1, -0.2]),
            inverseStandardDeviation: try backend.view([1.5, 0.8]))
        let sums = AffineParameters(gamma: try backend.poisoned(2), beta: try backend.poisoned(2))
        let dx = try backend.poisoned(shape.count)
        try backend.batchNormBackward(
            input: x, outputGradient: dy, gamma: gamma, saved: saved, inputGradient: dx,
            parameterGradients: sums, shape: shape)
        let fromSums = try backend.poisoned(shape.count)
        try backend.batchNormInputGradient(
            input: x, outputGradient: dy, gamma: gamma, saved: saved, sums: sums,
            inputGradient: fromSums, shape: shape)
        #expect(try backend.download(fromSums) == backend.download(dx))
    }

    // MARK: Precision

    /// `count` standard normal samples in Double (Box-Muller on the test's own generator).
    static func standardNormals(_ count: Int, seed: UInt64) -> [Double] {
        var data = TestData(seed: seed)
        return (0..<count).map { _ in
            let u1 = (Double(data.next() >> 11) + 1) * 0x1p-53,
                u2 = Double(data.next() >> 11) * 0x1p-53
            return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        }
    }

    /// Features around 1e4 and -1e4 with standard deviation 1: `E[x^2] - E[x]^2` in float32
    /// would subtract two numbers near 1e8 whose ulp is 8, leaving nothing of the variance 1.
    @Test func largeMeansKeepTheVarianceAccurate() throws {
        let n = 1000, means: [Double] = [10_000, -10_000]
        let shape = MatrixShape(rows: n, columns: 2)
        let noise = Self.standardNormals(shape.count, seed: 400)
        let x = noise.indices.map { Float(means[$0 % 2] + noise[$0]) }
        let epsilon: Float = 1e-5
        // PyTorch momentum 1: the running variance becomes the batch's unbiased variance.
        let result = try forward(
            x, shape, gamma: [1, 1], beta: [0, 0],
            BatchNormHyperparameters(epsilon: epsilon, momentum: 1, convention: .pytorch))

        for feature in 0..<2 {
            let reference = Self.moments(Self.column(x, feature, columns: 2))
            let savedInverse = Double(result.inverseStandardDeviation[feature])
            let variance = 1 / (savedInverse * savedInverse) - Double(epsilon)
            #expect(
                abs(variance - reference.biased) <= 1e-3 * reference.biased,
                "feature \(feature): variance \(variance), two-pass Double \(reference.biased)")
            let running = Double(result.runningVariance[feature])
            #expect(
                abs(running - reference.unbiased) <= 1e-3 * reference.unbiased,
                "feature \(feature): running variance \(running), two-pass Double \(reference.unbiased)"
            )
            #expect(
                abs(Double(result.mean[feature]) - reference.mean) <= 1e-6 * abs(reference.mean),
                "feature \(feature): mean \(result.mean[feature]), Double \(reference.mean)")

            // The normalized feature has mean ~0 and standard deviation ~1. A float32 mean of 1000
            // values near 1e4 may be off by a few ulp of their sum (ulp 1 near 1e7), i.e. ~0.003 here,
            // which shifts every output by as much: allow 1e-2 on the mean, 1e-3 on the std.
            let output = Self.moments(Self.column(result.y, feature, columns: 2))
            #expect(abs(output.mean) <= 1e-2, "feature \(feature): output mean \(output.mean)")
            #expect(
                abs(output.biased.squareRoot() - 1) <= 1e-3,
                "feature \(feature): output std \(output.biased.squareRoot())")
        }

        // The test can tell: the one-pass formula in float32 misses the variance entirely.
        let column = x.indices.filter { $0 % 2 == 0 }.map { x[$0] }
        let meanOfSquares = column.reduce(Float(0)) { $0 + $1 * $1 } / Float(n)
        let mean = column.reduce(Float(0), +) / Float(n)
        let naive = Double(meanOfSquares - mean * mean)
        #expect(
            abs(naive - Self.moments(column.map(Double.init)).biased) > 0.5,
            "naive float32 variance \(naive)")
    }

    // MARK: Backward

    /// `L = sum w * y` for training-mode batch norm computed in Double: the batch mean and biased
    /// variance are recomputed from `x`, so the finite differences see their dependence on it.
    static func loss(
        _ x: [Double], gamma: [Double], beta: [Double], weights w: [Float], shape: MatrixShape,
        epsilon: Double
    ) -> Double {
        let (n, c) = (shape.rows, shape.columns)
        var total = 0.0
        for feature in 0..<c {
            let values = column(x, feature, columns: c)
            let (mean, variance, _) = moments(values)
            let inverse = 1 / (variance + epsilon).squareRoot()
            for row in 0..<n {
                total +=
                    Double(w[row * c + feature])
                    * (gamma[feature] * (values[row] - mean) * inverse + beta[feature])
            }
        }
        return total
    }

    /// The backward pass's dx, dgamma and dbeta for `dy`, after a forward pass on `x`.
    func backward(
        _ x: [Float], _ shape: MatrixShape, gamma: [Float], beta: [Float], dy: [Float],
        _ hyperparameters: BatchNormHyperparameters = .pytorch
    ) throws -> (dx: [Float], dGamma: [Float], dBeta: [Float]) {
        let c = shape.columns
        let input = try backend.view(x), gammaView = try backend.view(gamma)
        let saved = NormalizationStatistics(
            mean: try backend.poisoned(c), inverseStandardDeviation: try backend.poisoned(c))
        try backend.batchNormForward(
            input: input, parameters: AffineParameters(gamma: gammaView, beta: backend.view(beta)),
            output: backend.poisoned(x.count), saved: saved,
            running: RunningStatistics(
                mean: backend.view([Float](repeating: 0, count: c)),
                variance: backend.view([Float](repeating: 1, count: c))),
            shape: shape, hyperparameters: hyperparameters)
        let dx = try backend.poisoned(x.count)
        let gradients = AffineParameters(
            gamma: try backend.poisoned(c), beta: try backend.poisoned(c))
        try backend.batchNormBackward(
            input: input, outputGradient: backend.view(dy), gamma: gammaView, saved: saved,
            inputGradient: dx,
            parameterGradients: gradients, shape: shape)
        return (
            try backend.download(dx), try backend.download(gradients.gamma),
            try backend.download(gradients.beta)
        )
    }

    @Test(arguments: [
        MatrixShape(rows: 2, columns: 1), MatrixShape(rows: 7, columns: 3),
        MatrixShape(rows: 33, columns: 5),
    ])
    func backwardMatchesFiniteDifferencesOfAWeightedSum(shape: MatrixShape) throws {
        let epsilon = Double(BatchNormHyperparameters.pytorch.epsilon)
        try expectNormalizationGradientsMatchFiniteDifferences(
            "batch norm", shape: shape, seed: 500,
            backward: { try backward($0, shape, gamma: $1, beta: $2, dy: $3) },
            loss: {
                Self.loss($0, gamma: $1, beta: $2, weights: $3, shape: shape, epsilon: epsilon)
            })
    }

    @Test func backwardOfAConstantOutputGradientIsZeroForTheInput() throws {
        // y's mean over the batch is beta whatever x is, so a gradient constant over the batch has no effect on x.
        let shape = MatrixShape(rows: 6, columns: 2)
        let (dx, dGamma, dBeta) = try backward(
            TestData.uniform(12, seed: 510, in: -3...3), shape, gamma: [1.5, -2], beta: [0, 1],
            dy: [Float](repeating: 0.5, count: 6).flatMap { [$0, -1] })
        expectClose(dx, [Float](repeating: 0, count: 12), .elementwise, "dx of a constant gradient")
        expectClose(
            dGamma, [0, 0], .elementwise, "dgamma of a constant gradient (sum of xhat is 0)")
        expectClose(dBeta, [3, -6], .elementwise, "dbeta of a constant gradient")
    }

    // MARK: In place and at offsets

    @Test func forwardInPlaceAndAtOffsetsMatchesSeparateBuffers() throws {
        let shape = MatrixShape(rows: 4, columns: 3)
        let x = TestData.uniform(shape.count, seed: 600, in: -3...3)
        let gamma: [Float] = [1, -2, 0.5], beta: [Float] = [0, 1, -1]
        let runningMean: [Float] = [0.5, 0, -0.5], runningVariance: [Float] = [1, 2, 3]
        let separate = try forward(
            x, shape, gamma: gamma, beta: beta, runningMean: runningMean,
            runningVariance: runningVariance, .pytorch)

        // Every operand in one buffer, separated by sentinels; the output is the input.
        let buffer = try backend.sentinelBuffer(count: 48)
        let values = try backend.place(x, in: buffer, at: 2)
        let gammaView = try backend.place(gamma, in: buffer, at: 17),
            betaView = try backend.place(beta, in: buffer, at: 22)
        let saved = NormalizationStatistics(
            mean: try backend.place([.nan, .nan, .nan], in: buffer, at: 27),
            inverseStandardDeviation: try backend.place([.nan, .nan, .nan], in: buffer, at: 32))
        let running = RunningStatistics(
            mean: try backend.place(runningMean, in: buffer, at: 37),
            variance: try backend.place(runningVariance, in: buffer, at: 42))
        try backend.batchNormForward(
            input: values, parameters: AffineParameters(gamma: gammaView, beta: betaView),
            output: values, saved: saved,
            running: running, shape: shape, hyperparameters: .pytorch)

        #expect(try backend.download(values) == separate.y)
        #expect(try backend.download(saved.mean) == separate.mean)
        #expect(
            try backend.download(saved.inverseStandardDeviation)
                == separate.inverseStandardDeviation)
        #expect(try backend.download(running.mean) == separate.runningMean)
        #expect(try backend.download(running.variance) == separate.runningVariance)
        expectSentinelsIntact(
            try backend.download(buffer.view),
            outside: [
                values, gammaView, betaView, saved.mean, saved.inverseStandardDeviation,
                running.mean, running.variance,
            ])
    }

    @Test func inferenceInPlaceMatchesSeparateBuffers() throws {
        let shape = MatrixShape(rows: 5, columns: 2)
        let x = TestData.uniform(shape.count, seed: 610, in: -3...3)
        let arguments: (gamma: [Float], beta: [Float], mean: [Float], variance: [Float]) = (
            [2, -1], [0.5, 0], [1, -1], [0.5, 4]
        )
        let separate = try inference(
            x, shape, gamma: arguments.gamma, beta: arguments.beta, runningMean: arguments.mean,
            runningVariance: arguments.variance, epsilon: 1e-5)
        let buffer = try backend.sentinelBuffer(count: 16)
        let values = try backend.place(x, in: buffer, at: 3)
        try backend.batchNormInference(
            input: values,
            parameters: AffineParameters(
                gamma: backend.view(arguments.gamma), beta: backend.view(arguments.beta)),
            running: RunningStatistics(
                mean: backend.view(arguments.mean), variance: backend.view(arguments.variance)),
            output: values, shape: shape, epsilon: 1e-5)
        let all = try backend.download(buffer.view)
        #expect(Array(all[3..<13]) == separate)
        expectSentinelsIntact(all, outside: [values])
    }

    @Test func backwardInPlaceOverTheOutputGradientMatchesSeparateBuffers() throws {
        let shape = MatrixShape(rows: 7, columns: 3)
        let x = TestData.uniform(shape.count, seed: 620, in: -2...2),
            dy = TestData.uniform(shape.count, seed: 621)
        let gamma: [Float] = [0.5, 2, -1]
        let separate = try backward(x, shape, gamma: gamma, beta: [0, 0, 0], dy: dy)

        let input = try backend.view(x), gammaView = try backend.view(gamma)
        let saved = NormalizationStatistics(
            mean: try backend.poisoned(3), inverseStandardDeviation: try backend.poisoned(3))
        try backend.batchNormForward(
            input: input,
            parameters: AffineParameters(gamma: gammaView, beta: backend.view([0, 0, 0])),
            output: backend.poisoned(shape.count), saved: saved,
            running: RunningStatistics(
                mean: backend.view([0, 0, 0]), variance: backend.view([1, 1, 1])),
            shape: shape, hyperparameters: .pytorch)
        let buffer = try backend.sentinelBuffer(count: 40)
        let gradient = try backend.place(dy, in: buffer, at: 4)
        let parameterGradients = AffineParameters(
            gamma: try backend.place([.nan, .nan, .nan], in: buffer, at: 28),
            beta: try backend.place([.nan, .nan, .nan], in: buffer, at: 33))
        try backend.batchNormBackward(
            input: input, outputGradient: gradient, gamma: gammaView, saved: saved,
            inputGradient: gradient,
            parameterGradients: parameterGradients, shape: shape)
        #expect(try backend.download(gradient) == separate.dx)
        #expect(try backend.download(parameterGradients.gamma) == separate.dGamma)
        #expect(try backend.download(parameterGradients.beta) == separate.dBeta)
        expectSentinelsIntact(
            try backend.download(buffer.view),
            outside: [gradient, parameterGradients.gamma, parameterGradients.beta])
    }
}
