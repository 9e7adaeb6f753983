import Descent
@testable import DescentTraining
@testable import DescentWorkshop
import Testing

/// The progress display: plain lines in a log, redrawn lines on a terminal.
@Suite struct ProgressBarTests {
    final class Capture: @unchecked Sendable {
        var text = ""
    }

    func run(interactive: Bool) throws -> String {
        let capture = Capture()
        let trainer = try Trainer(
            architecture: Sequential(seed: 1) {
                Dense(2, 4, activation: .relu); Dense(4, 2)
            }, on: CPUBackend(),
            loss: .softmaxCrossEntropy, optimizer: SGD(learningRate: 0.1), maxBatch: 8)
        let data = try Dataset.moons(sampleCount: 30, seed: 1)
        _ = try trainer.fit(
            data, validation: data, epochs: 2, batchSize: 8,
            callbacks: [ProgressBar(epochs: 2, interactive: interactive) { capture.text += $0 }])
        return capture.text
    }

    @Test func plainOutputIsOneLinePerEpoch() throws {
        let lines = try run(interactive: false).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(
            lines[0].hasPrefix("Epoch 1/2 - ") && lines[0].contains("loss ")
                && lines[0].contains("val_accuracy "))
        #expect(lines[1].hasSuffix("samples/s"))
    }

    @Test func terminalOutputRedrawsInPlace() throws {
        let text = try run(interactive: true)
        #expect(text.contains("\r\u{1B}[2KEpoch 1/2 [") && text.contains("] 4/4 ETA "))
        #expect(text.split(separator: "\n").count == 2)
    }

    @Test func formatting() {
        #expect(ProgressBar.duration(0.44) == "0.4s")
        #expect(ProgressBar.duration(9.96) == "10s")
        #expect(ProgressBar.duration(42.4) == "42s")
        #expect(ProgressBar.duration(187) == "3m07s")
    }
}
