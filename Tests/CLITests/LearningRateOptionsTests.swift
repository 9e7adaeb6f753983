import DescentTestSupport
import Foundation
import Testing

/// The learning rate on the command line: `--lr` is the one rate, the schedule counts epochs and
/// shapes it, the defaults are the optimizer types'.
@Suite struct LearningRateOptionsTests {
    @Test func aStepScheduleCountsEpochsAndShapesTheGivenRate() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try DescentProcess.run([
            "train", "--dataset", "moons", "--backend", "cpu", "--no-sanity-checks", "--hidden",
            "8", "--batch-size", "100",
            "--optimizer", "sgd", "--lr", "0.1", "--schedule", "step:1,0.5", "--epochs", "3",
            "--patience", "0", "--json",
            "--report", directory.appendingPathComponent("report").path,
        ])
        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))
                as? [String: Any])
        let rates = try #require(object["history"] as? [[String: Any]]).compactMap {
            $0["lr"] as? Double
        }
        #expect(
            rates.map { ($0 * 1e6).rounded() / 1e6 } == [0.1, 0.05, 0.025],
            "halved after each epoch of 21 steps: \(rates)")
    }

    @Test func defaultRatesComeFromTheOptimizerTypes() throws {
        let help = try DescentProcess.run(["train", "--help"]).standardOutput
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(
            help.contains("sgd 0.01") && help.contains("rmsprop 0.01")
                && help.contains("adam 0.001")
                && help.contains("adadelta 1.0"), "\(help)")
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try DescentProcess.run([
            "train", "--dataset", "moons", "--backend", "cpu", "--no-sanity-checks", "--hidden",
            "8", "--optimizer", "rmsprop",
            "--epochs", "1", "--report", directory.appendingPathComponent("report").path,
        ])
        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        #expect(
            result.standardOutput.contains("Optimizer: RMSprop(lr: 0.01,"),
            "RMSprop.defaultLearningRate: \(result.standardOutput)")
    }

    @Test func lrFindRefusesARateOrAScheduleItWouldIgnore() throws {
        for (option, value) in [("--schedule", "step:1,0.5"), ("--lr", "0.1")] {
            let result = try DescentProcess.run([
                "lr-find", "--dataset", "moons", "--backend", "cpu", option, value,
            ])
            #expect(result.status != 0)
            let errors = result.errorLines.filter { $0.hasPrefix("error:") }
            #expect(errors.count == 1 && errors[0].contains(option), "\(result.standardError)")
        }
    }

    @Test func badScheduleTextIsOneErrorLineBeforeAnyWork() throws {
        for schedule in ["cosine:", "step:1,0.5,", "plateau:0.5,2.7", "step:0,0.5", "wavy"] {
            let result = try DescentProcess.run([
                "train", "--dataset", "moons", "--backend", "cpu", "--schedule", schedule,
            ])
            #expect(result.status != 0, "\(schedule)")
            let errors = result.errorLines.filter { $0.hasPrefix("error:") }
            #expect(
                errors.count == 1 && errors[0].contains("schedule"),
                "\(schedule): \(result.standardError)")
            #expect(
                !result.standardOutput.contains("Data:"),
                "refused before loading the data: \(schedule)")
        }
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fractional = try DescentProcess.run([
            "train", "--dataset", "moons", "--backend", "cpu", "--no-sanity-checks", "--hidden",
            "8", "--schedule", "step:1.5,0.5",
            "--epochs", "1", "--report", directory.appendingPathComponent("r").path,
        ])
        #expect(
            fractional.standardOutput.contains("schedule step:1.5,0.5"),
            "a fraction of an epoch is a length too")
    }
}
