import DescentTestSupport
import Foundation
import Testing

/// The learning rate on the command line: `--lr` is the one rate, the schedule counts epochs and
/// shapes it, the defaults are the optimizer types'.
@Suite struct LearningRateOptionsTests {
    @Test func aStepScheduleCountsEpochsAndShapesTheGivenRate() throws {
        let result = try DescentProcess.run([
            "train", "--dataset", "moons", "--backend", "cpu", "--no-sanity-checks", "--hidden", "8", "--batch-size", "100",
            "--optimizer", "sgd", "--lr", "0.1", "--schedule", "step:1,0.5", "--epochs", "3", "--patience", "0", "--json",
            "--report", try DescentProcess.temporaryDirectory().appendingPathComponent("report").path,
        ])
        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let rates = try #require(object["history"] as? [[String: Any]]).compactMap { $0["lr"] as? Double }
        #expect(rates.map { ($0 * 1e6).rounded() / 1e6 } == [0.1, 0.05, 0.025], "halved after each epoch of 21 steps: \(rates)")
    }

    @Test func defaultRatesComeFromTheOptimizerTypes() throws {
        let help = try DescentProcess.run(["train", "--help"]).standardOutput
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("sgd 0.01") && help.contains("rmsprop 0.01") && help.contains("adam 0.001")
            && help.contains("adadelta 1.0"), "\(help)")
        let result = try DescentProcess.run([
            "train", "--dataset", "moons", "--backend", "cpu", "--no-sanity-checks", "--hidden", "8", "--optimizer", "rmsprop",
            "--epochs", "1", "--report", try DescentProcess.temporaryDirectory().appendingPathComponent("report").path,
        ])
        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        #expect(result.standardOutput.contains("Optimizer: RMSprop(lr: 0.01,"), "RMSprop.defaultLearningRate: \(result.standardOutput)")
    }

    @Test func lrFindRefusesAScheduleItWouldIgnore() throws {
        let result = try DescentProcess.run(["lr-find", "--dataset", "moons", "--backend", "cpu", "--schedule", "step:1,0.5"])
        #expect(result.status != 0)
        let errors = result.errorLines.filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1 && errors[0].contains("--schedule"), "\(result.standardError)")
    }
}
