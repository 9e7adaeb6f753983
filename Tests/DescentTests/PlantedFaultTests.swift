#if canImport(Glibc)
import Glibc
#endif
import Descent
import Testing

/// The planted-fault suite: each of the notes' ten faults, planted in a small seeded run on the
/// CPU reference, raises its finding, and healthy runs on three data sets raise no warning. The
/// runs go through what `descent train` does: the data checks on the raw features, the monitor,
/// `fit` with validation, and the diagnosis of the finished run.
@Suite struct PlantedFaultTests {
    /// Ten Gaussian blobs in 16 dimensions (class means drawn with standard deviation `spread`
    /// around the origin, unit noise), the samples cycling through the classes: well apart at
    /// 1.5, overlapping at 0.4.
    static func blobs(
        samples: Int = 1000, spread: Float = 1.5, seed: UInt64 = 11
    ) -> (features: [Float], classes: [Int32]) {
        var state = seed
        func gaussian() -> Float {
            func uniform() -> Double {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return (Double(state >> 11) + 0.5) / Double(1 << 53)
            }
            return Float((-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()))
        }
        let means = (0..<10).map { _ in (0..<16).map { _ in spread * gaussian() } }
        var features: [Float] = [], classes: [Int32] = []
        for sample in 0..<samples {
            let label = sample % 10
            features += means[label].map { $0 + gaussian() }
            classes.append(Int32(label))
        }
        return (features, classes)
    }

    /// One run as `descent train` watches it; returns the codes of every finding of warning or
    /// error severity.
    struct Run {
        var features: [Float]
        var featureCount: Int
        var classes: [Int32]
        var classCount: Int
        var architecture: Sequential
        var optimizer: any Optimizer = Adam(learningRate: 0.01)
        var epochs = 10
        var trainSubset: Int? = nil
        var shuffleLabels = false
        var standardize = true

        func codes() throws -> Set<String> {
            var findings = SanityChecks.checkFeatures(features, featureCount: featureCount)
            // A Dataset holds only finite values: non-finite data ends the run at its data check.
            if findings.contains(where: { $0.code == "non-finite-data" }) {
                return Set(findings.map(\.code))
            }
            let all = try Dataset(
                features: features, featureCount: featureCount, classIndices: classes,
                classCount: classCount)
            var (train, validation) = try all.stratifiedSplit(validationFraction: 0.2, seed: 3)
            if let trainSubset { train = try train.subset(count: trainSubset, seed: 4) }
            if shuffleLabels { train = train.shufflingLabels(seed: 5) }
            if standardize {
                let scaler = Standardizer(fittedOn: train)
                train = try scaler.transform(train)
                validation = try scaler.transform(validation)
            }
            let loss: LossFunction = .softmaxCrossEntropy
            findings += SanityChecks.checkClassLabels(train.classIndices!, classCount: classCount)
            let trainer = try Trainer(
                architecture: architecture, on: CPUBackend(), loss: loss, optimizer: optimizer,
                maxBatch: 32)
            let monitor = try TrainingMonitor(trainer: trainer, interval: 10)
            let history = try trainer.fit(
                train, validation: validation, epochs: epochs, batchSize: 32, seed: 6,
                callbacks: [monitor])
            let chance = try SanityChecks.expectedInitialLoss(
                loss, data: train, outputs: classCount
            ).atZeroOutput
            findings +=
                monitor.findings
                + Diagnosis.diagnose(
                    history, monitor: monitor.record, chanceLoss: chance, classCount: classCount)
            return Set(findings.filter { $0.severity != .info }.map(\.code))
        }
    }

    static func mlp(
        _ inputs: Int, _ widths: [Int], _ outputs: Int, activation: Activation = .relu,
        batchNorm: Bool = false,
        bias: Initializer = .zeros, seed: UInt64 = 7
    ) -> Sequential {
        var layers: [any Layer] = []
        var features = inputs
        for width in widths {
            let initializer: Initializer = activation == .relu ? .heUniform : .glorotUniform
            layers.append(Dense(features, width, initializer: initializer, biasInitializer: bias))
            if batchNorm { layers.append(BatchNorm(width)) }
            layers.append(ActivationLayer(activation))
            features = width
        }
        layers.append(Dense(features, outputs))
        return Sequential(seed: seed, layers: layers)
    }

    static func blobsRun(_ architecture: Sequential, spread: Float = 1.5) -> Run {
        let (features, classes) = blobs(spread: spread)
        return Run(
            features: features, featureCount: 16, classes: classes, classCount: 10,
            architecture: architecture)
    }

    /// The ten faults of the notes, each with the finding that must report it.
    static var faults: [(name: String, expected: String, run: Run)] {
        let healthy = mlp(16, [32], 10)
        var tooHigh = blobsRun(healthy), tooLow = blobsRun(healthy)
        tooHigh.optimizer = SGD(learningRate: 0.1 * 100)
        tooLow.optimizer = SGD(learningRate: 0.1 / 1000)
        var zeros = blobsRun(
            Sequential(seed: 7) {
                Dense(16, 32, initializer: .zeros, biasInitializer: .zeros); ReLU()
                Dense(32, 10, initializer: .zeros, biasInitializer: .zeros)
            })
        zeros.epochs = 3
        var deepSigmoid = blobsRun(
            mlp(16, Array(repeating: 32, count: 10), 10, activation: .sigmoid))
        deepSigmoid.optimizer = SGD(learningRate: 0.1)
        deepSigmoid.epochs = 2
        var scaled = blobsRun(healthy)
        scaled.features = scaled.features.map { $0 * 1000 }
        scaled.standardize = false
        scaled.epochs = 2
        var withNaN = blobsRun(healthy)
        withNaN.features[123] = .nan
        var shuffled = blobsRun(mlp(16, [64], 10))
        shuffled.shuffleLabels = true
        shuffled.epochs = 15
        var small = blobsRun(mlp(16, [64, 64], 10), spread: 0.4)
        small.trainSubset = 200
        small.epochs = 40
        var bottleneck = blobsRun(mlp(16, [1], 10))
        var dead = blobsRun(mlp(16, [32], 10, bias: .constant(-100)))
        dead.epochs = 2
        bottleneck.epochs = 10
        return [
            ("learning rate 100x too high", "lr-too-high", tooHigh),
            ("learning rate 1000x too low", "lr-too-low", tooLow),
            ("zero initialization", "symmetric-weights", zeros),
            ("10-layer sigmoid without batch norm", "vanishing-gradients", deepSigmoid),
            ("inputs scaled by 1e3, not standardized", "unnormalized-inputs", scaled),
            ("NaN in the data", "non-finite-data", withNaN),
            ("shuffled labels", "validation-at-chance", shuffled),
            ("a large model on 200 samples for many epochs", "overfitting", small),
            ("a one-unit hidden layer", "underfitting", bottleneck),
            ("ReLUs pushed dead by a large negative bias", "dead-relu", dead),
        ]
    }

    /// Three healthy runs: blobs, three-armed spirals and two moons.
    static var healthyRuns: [(name: String, run: Run)] {
        let spirals = try! Dataset.spirals(sampleCount: 600, classes: 3, noise: 0.05, seed: 8)
        let moons = try! Dataset.moons(sampleCount: 600, noise: 0.1, seed: 9)
        var spiralRun = Run(
            features: spirals.features, featureCount: 2, classes: spirals.classIndices!,
            classCount: 3,
            architecture: mlp(2, [64, 64], 3, batchNorm: true))
        spiralRun.epochs = 30
        return [
            ("blobs", blobsRun(mlp(16, [32], 10))),
            ("spirals", spiralRun),
            (
                "moons",
                Run(
                    features: moons.features, featureCount: 2, classes: moons.classIndices!,
                    classCount: 2,
                    architecture: mlp(2, [32], 2))
            ),
        ]
    }

    @Test func everyPlantedFaultIsDetectedAndHealthyRunsRaiseNoAlarm() throws {
        var detected = 0, falseAlarms = 0
        for (name, expected, run) in Self.faults {
            let codes = try run.codes()
            print("planted fault '\(name)': \(codes.sorted())")
            #expect(
                codes.contains(expected), "\(name): expected \(expected), got \(codes.sorted())")
            if codes.contains(expected) { detected += 1 }
        }
        for (name, run) in Self.healthyRuns {
            let codes = try run.codes()
            print("healthy run '\(name)': \(codes.sorted())")
            #expect(codes.isEmpty, "\(name): \(codes.sorted())")
            if !codes.isEmpty { falseAlarms += 1 }
        }
        print(
            "planted faults: \(detected)/\(Self.faults.count) detected, \(falseAlarms) false alarms on \(Self.healthyRuns.count) healthy runs"
        )
    }
}
