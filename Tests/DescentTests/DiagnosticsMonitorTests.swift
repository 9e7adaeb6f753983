import Descent
import DescentTestSupport
import Testing

/// `TrainingMonitor` on tiny training runs: what it measures, what it raises, and that a
/// non-finite value stops training with finite weights.
@Suite struct DiagnosticsMonitorTests {
    static func run<B: Backend>(
        _ architecture: Sequential, on backend: B,
        optimizer: any Optimizer = SGD(learningRate: 0.1), interval: Int = 5,
        epochs: Int = 2
    ) throws -> (TrainingMonitor<B>, History, [Finding]) {
        let data = try Dataset.moons(sampleCount: 100, noise: 0.1, seed: 1)
        let trainer = try Trainer(
            architecture: architecture, on: backend, loss: .softmaxCrossEntropy,
            optimizer: optimizer, maxBatch: 10)
        var raised: [Finding] = []
        let monitor = try TrainingMonitor(trainer: trainer, interval: interval) {
            raised.append($0)
        }
        let history = try trainer.fit(
            data, epochs: epochs, batchSize: 10, seed: 2, callbacks: [monitor])
        return (monitor, history, raised)
    }

    @Test func aHealthyRunIsMeasuredEveryIntervalSteps() throws {
        let (monitor, history, raised) = try Self.run(
            Sequential(seed: 3) {
                Dense(2, 16, activation: .relu, initializer: .heUniform);
                Dense(16, 8, activation: .tanh); Dense(8, 2)
            },
            on: CPUBackend())
        #expect(raised.isEmpty, "\(raised.map(\.line))")
        #expect(history.stopReason == nil)
        #expect(monitor.record.snapshots.map(\.step) == [1, 5, 10, 15, 20])
        let last = try #require(monitor.record.snapshots.last)
        #expect(
            last.layers.map(\.name) == [
                "layer 0 Dense(2, 16, relu)", "layer 1 Dense(16, 8, tanh)", "layer 2 Dense(8, 2)",
            ])
        #expect(
            last.layers[0].deadFraction != nil && last.layers[1].saturatedFraction != nil
                && last.layers[2].deadFraction == nil)
        #expect(last.parameters.count == 6)
        #expect(
            last.parameters.allSatisfy {
                $0.gradientNorm > 0 && $0.updateRatio > 0 && $0.updateRatio < 1
            })
        #expect(last.loss > 0 && last.loss < 1)
        // SGD: the update is exactly lr * gradient.
        #expect(
            abs(last.parameters[0].updateNorm - 0.1 * last.parameters[0].gradientNorm) < 1e-4
                * last.parameters[0].updateNorm)
    }

    @Test func aHugeNegativeBiasKillsTheReLUs() throws {
        let (monitor, _, raised) = try Self.run(
            Sequential(seed: 4) {
                Dense(2, 16, activation: .relu, biasInitializer: .constant(-100)); Dense(16, 2)
            }, on: CPUBackend())
        #expect(raised.map(\.code).contains("dead-relu"))
        #expect(monitor.record.snapshots.first?.layers[0].deadFraction == 1)
        #expect(raised.filter { $0.code == "dead-relu" }.count == 1, "raised once per layer")
    }

    @Test func zeroInitializationIsSymmetric() throws {
        let (monitor, _, raised) = try Self.run(
            Sequential(seed: 5) {
                Dense(2, 8, activation: .tanh, initializer: .zeros, biasInitializer: .zeros)
                Dense(8, 2, initializer: .zeros, biasInitializer: .zeros)
            }, on: CPUBackend())
        #expect(raised.filter { $0.code == "symmetric-weights" }.count == 2)
        #expect(
            monitor.record.initialParameters.map(\.identicalUnits) == [true, false, true, false])
    }

    /// A long run's record stays bounded: thinned to every other snapshot past the limit, the
    /// first and the newest kept.
    @Test func theRecordStaysWithinItsLimit() throws {
        let data = try Dataset.moons(sampleCount: 100, noise: 0.1, seed: 1)
        let trainer = try Trainer(
            architecture: Sequential(seed: 3) {
                Dense(2, 8, activation: .relu); Dense(8, 2)
            }, on: CPUBackend(),
            loss: .softmaxCrossEntropy, optimizer: SGD(learningRate: 0.1), maxBatch: 10)
        let monitor = try TrainingMonitor(trainer: trainer, interval: 1, snapshotLimit: 8)
        final class Sizes: Callback {
            let monitor: TrainingMonitor<CPUBackend>
            var seen: [Int] = []
            init(_ monitor: TrainingMonitor<CPUBackend>) { self.monitor = monitor }
            func batchEnded(batch: Int, of batchCount: Int, epoch: Int, samplesDone: Int) {
                seen.append(monitor.record.snapshots.count)
            }
            func epochEnded<B: Backend>(
                _ record: EpochRecord, trainer: Trainer<B>
            ) throws -> CallbackAction { .proceed }
        }
        let watcher = Sizes(monitor)
        _ = try trainer.fit(data, epochs: 6, batchSize: 10, callbacks: [monitor, watcher])
        let sizes = watcher.seen
        #expect(sizes.count == 60 && sizes.max()! <= 8, "\(sizes)")
        let steps = monitor.record.snapshots.map(\.step)
        #expect(steps.first == 1 && steps.last == 60, "\(steps)")
        // Evenly spread over the whole run (the newest aside), not crowded at its end.
        let kept = Array(steps.dropLast())
        #expect(Set(zip(kept, kept.dropFirst()).map { $1 - $0 }).count == 1, "\(steps)")
        #expect(kept.count >= 4, "\(steps)")
        #expect(throws: DescentError.self) {
            _ = try TrainingMonitor(trainer: trainer, snapshotLimit: 1)
        }
    }

    /// 100,000 monitored steps at the default limit: the record never holds more than the
    /// limit, keeps the first and the newest, and stays evenly spread (a whole `descent train`
    /// of 100,000 steps with `--monitor-every 1` peaks at the same memory as one of 10,000).
    @Test func aHundredThousandStepsStayWithinTheDefaultLimit() {
        let limit = TrainingMonitor<CPUBackend>.defaultSnapshotLimit
        var record = MonitorRecord(interval: 1)
        var largest = 0
        for step in 1...100_000 {
            record.append(
                MonitorSnapshot(
                    step: step, epoch: step / 263, loss: 1, layers: [], parameters: [],
                    nonFinite: nil),
                keepingAtMost: limit)
            largest = max(largest, record.snapshots.count)
        }
        let steps = record.snapshots.map(\.step)
        #expect(largest <= limit && steps.count > limit / 2, "\(largest), \(steps.count)")
        #expect(steps.first == 1 && steps.last == 100_000)
        let kept = Array(steps.dropLast())
        #expect(Set(zip(kept, kept.dropFirst()).map { $1 - $0 }).count == 1)
    }

    @Test func largeWeightsSaturateTanh() throws {
        let (_, _, raised) = try Self.run(
            Sequential(seed: 6) {
                Dense(
                    2, 8, activation: .tanh, initializer: .normal(mean: 0, standardDeviation: 30));
                Dense(8, 2)
            },
            on: CPUBackend())
        #expect(raised.map(\.code).contains("saturated-activations"))
    }

    @Test func aNonFiniteValueStopsTrainingWithFiniteWeights() throws {
        let data = try Dataset(
            features: DiagnosticsData.features(samples: 40, features: 2), featureCount: 2,
            targets: DiagnosticsData.features(samples: 40, features: 1, scale: 3))
        let trainer = try Trainer(
            architecture: Sequential(seed: 7) {
                Dense(2, 8, activation: .relu); Dense(8, 1)
            }, on: CPUBackend(),
            loss: .regression(.meanSquaredError), optimizer: SGD(learningRate: 1e18), maxBatch: 10)
        let monitor = try TrainingMonitor(trainer: trainer, interval: 1)
        let history = try trainer.fit(data, epochs: 5, batchSize: 10, callbacks: [monitor])
        let fatal = try #require(monitor.fatal)
        #expect(fatal.severity == .error && fatal.code == "non-finite-loss")
        #expect(history.epochs.count == 1)
        #expect(history.stopReason?.contains("restored") == true)
        #expect(try trainer.backend.download(trainer.model.parameters.view).allSatisfy(\.isFinite))
    }
}

@Suite(.requiresOpenCL) struct DiagnosticsMonitorOpenCLTests {
    @Test func deadReLUsAndSaturationOnOpenCL() throws {
        let backend = try OpenCLTestSupport.makeBackend()
        let (monitor, _, raised) = try DiagnosticsMonitorTests.run(
            Sequential(seed: 8) {
                Dense(2, 16, activation: .relu, biasInitializer: .constant(-100))
                Dense(
                    16, 8, activation: .tanh, initializer: .normal(mean: 0, standardDeviation: 30));
                Dense(8, 2)
            }, on: backend)
        #expect(raised.map(\.code).contains("dead-relu"))
        #expect(monitor.record.snapshots.first?.layers[0].deadFraction == 1)
        let (cpu, _, _) = try DiagnosticsMonitorTests.run(
            Sequential(seed: 9) {
                Dense(2, 16, activation: .relu); Dense(16, 8, activation: .sigmoid); Dense(8, 2)
            }, on: CPUBackend())
        let (gpu, _, _) = try DiagnosticsMonitorTests.run(
            Sequential(seed: 9) {
                Dense(2, 16, activation: .relu); Dense(16, 8, activation: .sigmoid); Dense(8, 2)
            }, on: backend)
        for (c, g) in zip(cpu.record.snapshots, gpu.record.snapshots) {
            #expect(abs(c.loss - g.loss) < 1e-4)
            #expect(
                zip(c.parameters, g.parameters).allSatisfy {
                    abs($0.gradientNorm - $1.gradientNorm) <= 1e-3 * $0.gradientNorm + 1e-6
                })
            #expect(
                zip(c.layers, g.layers).allSatisfy {
                    $0.deadFraction == $1.deadFraction
                        && abs(($0.saturatedFraction ?? 0) - ($1.saturatedFraction ?? 0)) < 0.02
                })
        }
    }
}
