import Foundation
import Testing

/// `descent search` as a user runs it: a tiny search on the moons, resumed, and bad input.
@Suite struct SearchCommandTests {
    static let tiny = [
        "search", "--dataset", "moons", "--backend", "cpu", "--space",
        "lr=log:1e-3:1e-1,hidden=choice:8|16,8",
        "--strategy", "coarse-to-fine", "--trials", "4", "--stages", "2", "--epochs", "2",
        "--patience", "0",
        "--batch-size", "64", "--dropout", "0", "--ensemble", "2",
    ]

    @Test func aTinySearchRunsResumesAndSaysHowToTrainTheBest() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let resultsPath = directory.appendingPathComponent("results.jsonl").path
        let reportPath = directory.appendingPathComponent("report").path
        let arguments = Self.tiny + ["--results", resultsPath, "--report", reportPath]
        let first = try DescentProcess.run(arguments)
        #expect(first.status == 0, "stderr:\n\(first.standardError)")
        let output = first.standardOutput
        #expect(output.contains("Trial 1/2 of stage 1 (2 epochs)"), "\(output)")
        #expect(output.contains("Stage 2/2 (fine)"))
        #expect(output.contains("4 trials run now, 0 resumed"))
        #expect(output.contains("Best trials by validation val_accuracy"))
        let trainLine = try #require(
            output.split(separator: "\n").first { $0.hasPrefix("  descent train ") })
        #expect(
            trainLine.contains("--dataset moons") && trainLine.contains("--lr ")
                && trainLine.contains("--hidden "))
        #expect(output.contains("Test set (touched once, now, by the ensemble of the best 2"))
        #expect(output.contains("ensemble (mean of the 2 members' probabilities): accuracy"))
        let lines = try String(contentsOfFile: resultsPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5, "a header and one line per trial")
        let header = try #require(
            try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(header["space"] as? String == "lr=log:0.001:0.1,hidden=choice:8|16,8")
        let record = try #require(
            try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect((record["validation_metric"] as? [Double])?.count == 2)
        #expect(
            record["findings"] is [Any] && record["wall_seconds"] is Double && record["seed"] is Int
        )
        #expect(output.contains("Report: \(reportPath)/index.html"))
        let page = try String(contentsOfFile: reportPath + "/index.html", encoding: .utf8)
        #expect(
            page.contains("<svg") && page.contains("lr (log scale)")
                && page.contains("stage 2 (fine)"))
        #expect(page.contains(">warnings</th>") && page.contains("Findings of the best trial"))

        let again = try DescentProcess.run(arguments)
        #expect(again.status == 0, "stderr:\n\(again.standardError)")
        #expect(
            again.standardOutput.contains("0 trials run now, 4 resumed"), "\(again.standardOutput)")
        #expect(again.standardOutput.contains("[resumed from"))

        try lines[0].write(toFile: resultsPath, atomically: true, encoding: .utf8)
        let otherSpace = try DescentProcess.run(
            [
                "search", "--dataset", "moons", "--backend", "cpu", "--space", "lr=log:1e-2:1e-1",
                "--results", resultsPath, "--report", reportPath,
            ])
        #expect(otherSpace.status != 0)
        #expect(
            otherSpace.errorLines.count == 1
                && otherSpace.errorLines[0].contains("another search space"),
            "\(otherSpace.standardError)")
    }

    @Test func jsonPutsOneObjectOnStandardOutput() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = directory.appendingPathComponent("report").path
        let result = try DescentProcess.run([
            "search", "--dataset", "moons", "--backend", "cpu", "--space",
            "lr=log:1e-3:1e-1,optimizer=choice:adam|momentum",
            "--trials", "3", "--epochs", "2", "--hidden", "8", "--batch-size", "128", "--ensemble",
            "2", "--json",
            "--results", directory.appendingPathComponent("r.jsonl").path, "--report", report,
        ])
        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.count == 1, "\(result.standardOutput)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(json["metric"] as? String == "val_accuracy")
        let best = try #require(json["best"] as? [String: Any])
        let configuration = try #require(best["configuration"] as? [String: Any])
        #expect(configuration["lr"] is Double && configuration["optimizer"] is String)
        #expect((best["train_command"] as? String)?.hasPrefix("descent train ") == true)
        let ranking = try #require(json["ranking"] as? [[String: Any]])
        #expect(
            ranking.count == 3 && ranking[0]["rank"] as? Int == 1 && ranking[0]["warnings"] is [Any]
        )
        #expect(json["trials_run"] as? Int == 3)
        #expect(json["ensemble_test_accuracy"] is Double)
        #expect((json["member_test_accuracies"] as? [Double])?.count == 2)
        #expect(json["report"] as? String == report + "/index.html")
        #expect(result.standardError.contains("Trial 1/3"), "progress goes to standard error")
    }

    @Test(arguments: [
        (["--space", "lr=log:0:1e-1"], "cannot include 0"),
        (["--space", "dropout=uniform:0.5:0.1"], "the range is empty"),
        (["--space", "momentum=uniform:0:1"], "unknown hyperparameter 'momentum'"),
        (["--space", "optimizer=choice:adam|adamz"], "unknown optimizer 'adamz'"),
        (["--space", "dropout=uniform:0:1.5"], "dropout must be in [0, 1)"),
        (["--space", "lr=log:1e-3:1e-1", "--strategy", "bayes"], "unknown strategy 'bayes'"),
        (
            ["--space", "lr=log:1e-3:1e-1", "--strategy", "coarse-to-fine", "--shrink", "2"],
            "shrink factor"
        ),
        ([String](), "give the hyperparameters to search with --space"),
        (["--space-file", "/nonexistent/space.json"], "cannot read /nonexistent/space.json"),
    ])
    func badInputIsOneErrorLine(extra: [String], expected: String) throws {
        let result = try DescentProcess.run(
            ["search", "--dataset", "moons", "--backend", "cpu"] + extra)
        #expect(result.status != 0)
        #expect(result.errorLines.count == 1, "\(result.standardError)")
        #expect(result.errorLines.first?.hasPrefix("error: ") == true)
        #expect(result.errorLines.first?.contains(expected) == true, "\(result.standardError)")
    }

    @Test func aSpaceFromAJSONFileRunsAGrid() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let spaceFile = directory.appendingPathComponent("space.json")
        try #"{"lr": {"log": [0.003, 0.03]}, "batch-norm": {"choice": ["on", "off"]}}"#.write(
            to: spaceFile, atomically: true, encoding: .utf8)
        let result = try DescentProcess.run([
            "search", "--dataset", "moons", "--backend", "cpu", "--space-file", spaceFile.path,
            "--strategy", "grid", "--grid-points", "2",
            "--epochs", "1", "--hidden", "8", "--batch-size", "128", "--results",
            directory.appendingPathComponent("r.jsonl").path,
            "--report", directory.appendingPathComponent("report").path,
        ])
        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        #expect(result.standardOutput.contains("4 trials run now"), "\(result.standardOutput)")
        #expect(
            result.standardOutput.contains(
                "Test set (touched once, now, by the best configuration)"))
    }

    /// `--train-subset` cuts every trial's training split, and the command that trains the best
    /// configuration again carries it.
    @Test func aTrainingSubsetAppliesToEveryTrial() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try DescentProcess.run([
            "search", "--dataset", "moons", "--backend", "cpu", "--space", "lr=log:1e-3:1e-1",
            "--trials", "2", "--epochs", "1",
            "--hidden", "8", "--train-subset", "60", "--results",
            directory.appendingPathComponent("r.jsonl").path,
            "--report", directory.appendingPathComponent("report").path,
        ])
        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        #expect(
            result.standardOutput.contains("Data: moons, 60 training"), "\(result.standardOutput)")
        #expect(
            result.standardOutput.contains("--train-subset 60"),
            "the best configuration's command: \(result.standardOutput)")
    }
}
