#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Descent
import DescentTestSupport
import Testing

/// The per-epoch callbacks: CSV logging and epoch-indexed schedules, on a real short fit.
@Suite struct EpochCallbackTests {
    func trainer() throws -> Trainer<CPUBackend> {
        try Trainer(
            architecture: Sequential(seed: 1) {
                Dense(2, 8, activation: .tanh); Dense(8, 2)
            }, on: CPUBackend(),
            loss: .softmaxCrossEntropy, optimizer: SGD(learningRate: 0.1), maxBatch: 16)
    }

    @Test func csvLoggerWritesAHeaderAndALinePerEpoch() throws {
        var template = Array("/tmp/descent-csv-XXXXXX".utf8CString)
        let directory = String(
            cString: try #require(
                template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }))
        let path = directory + "/log.csv"
        let data = try Dataset.moons(sampleCount: 40, seed: 2)
        _ = try trainer().fit(
            data, validation: data, epochs: 3, batchSize: 16, callbacks: [CSVLogger(path)])
        let file = try #require(fopen(path, "r"))
        var lines: [String] = []
        var buffer = [CChar](repeating: 0, count: 512)
        while fgets(&buffer, 512, file) != nil {
            lines.append(
                String(
                    decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self
                ))
        }
        fclose(file)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("epoch,loss,accuracy,val_loss,val_accuracy,learning_rate"))
        #expect(lines[3].hasPrefix("2,"))
        #expect(lines[1].split(separator: ",").count == 8)
    }

    @Test func learningRateSchedulerSetsTheOneRatePerEpoch() throws {
        let trainer = try trainer()
        let history = try trainer.fit(
            try Dataset.moons(sampleCount: 32, seed: 3), epochs: 3, batchSize: 16,
            callbacks: [LearningRateScheduler { _, rate in rate / 2 }])
        #expect(
            history.epochs.map(\.learningRate).map { ($0 * 1e6).rounded() / 1e6 } == [
                0.1, 0.05, 0.025,
            ])
        #expect(trainer.optimizer.learningRate == 0.0125)
    }

    @Test func reduceLROnPlateauLowersTheRateAfterPatience() throws {
        let trainer = try trainer()
        let callback = ReduceLROnPlateau(
            monitor: "val_loss", reducer: try PlateauReducer(factor: 0.5, patience: 1))
        func record(_ epoch: Int, _ loss: Double) -> EpochRecord {
            EpochRecord(
                epoch: epoch, loss: 1, accuracy: nil, validationLoss: loss, validationAccuracy: nil,
                learningRate: 0.1, seconds: 1, samplesPerSecond: 1)
        }
        for (epoch, loss) in [1.0, 0.9, 0.95, 0.95].enumerated() {
            _ = try callback.epochEnded(record(epoch, loss), trainer: trainer)
        }
        #expect(
            abs(trainer.optimizer.learningRate - 0.05) < 1e-7,
            "two epochs without improvement, patience 1")
    }

    /// Two callbacks that each set the rate between epochs would undo each other: refused.
    @Test func twoRateControllersAreRefused() throws {
        let trainer = try trainer()
        let callbacks: [any Callback] = [
            ReduceLROnPlateau(reducer: try PlateauReducer(patience: 1)),
            LearningRateScheduler { _, _ in 0.1 },
        ]
        let error = #expect(throws: DescentError.self) {
            _ = try trainer.fit(
                try Dataset.moons(sampleCount: 32, seed: 3), epochs: 1, batchSize: 16,
                callbacks: callbacks)
        }
        #expect(
            error.map { "\($0)".contains("ReduceLROnPlateau and LearningRateScheduler") } == true,
            "\(String(describing: error))")
    }

    /// A plateau lowers the one rate under a schedule: every later step of the schedule is lower.
    func checkAPlateauActsUnderTheSchedule<B: Backend>(on backend: B) throws {
        let trainer = try Trainer(
            architecture: Sequential(seed: 1) {
                Dense(2, 8, activation: .tanh); Dense(8, 2)
            }, on: backend,
            loss: .softmaxCrossEntropy, optimizer: SGD(learningRate: 0.1),
            schedule: try StepDecay(every: .epochs(1), gamma: 0.5),
            maxBatch: 16)
        let plateau = ReduceLROnPlateau(
            monitor: "loss", reducer: try PlateauReducer(mode: .max, factor: 0.1, patience: 0))
        let history = try trainer.fit(
            try Dataset.moons(sampleCount: 32, seed: 3), epochs: 3, batchSize: 16,
            callbacks: [plateau])
        // Epoch e's schedule: 0.1 * 0.5^e; the plateau (a falling loss never improves in max
        // mode) cuts the base tenfold after epoch 1 (the first observation only sets the best).
        let rates = history.epochs.map { ($0.learningRate * 1e6).rounded() / 1e6 }
        #expect(rates == [0.1, 0.05, 0.0025], "\(rates)")
    }

    @Test func aPlateauActsUnderTheScheduleOnTheCPU() throws {
        try checkAPlateauActsUnderTheSchedule(on: CPUBackend())
    }

    @Test(.requiresOpenCL) func aPlateauActsUnderTheScheduleOnOpenCL() throws {
        try checkAPlateauActsUnderTheSchedule(on: try OpenCLTestSupport.makeBackend())
    }
}
