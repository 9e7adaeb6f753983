import DescentTestSupport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `descent train` and `descent evaluate` as a user runs them: on small generated CSV files, on
/// both backends, with `--json`, and with bad input.
@Suite(.requiresOpenCL)
struct TrainCommandTests {
    /// Three classes named by text, two informative features and one on another scale.
    static func classificationCSV(in directory: URL) throws -> URL {
        var lines = ["x,y,scale,label"]
        let names = ["red", "green", "blue"]
        var state: UInt64 = 7
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        for index in 0..<300 {
            let label = index % 3
            let angle = Double(label) * 2.1 + uniform() * 0.6
            lines.append(
                "\(cos(angle) * 2 + uniform() * 0.3),\(sin(angle) * 2 + uniform() * 0.3),\(uniform() * 1000),\(names[label])"
            )
        }
        let url = directory.appendingPathComponent("colours.csv")
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// A real-valued target `t = 2a - b + noise`.
    static func regressionCSV(in directory: URL) throws -> URL {
        var lines = ["a,b,t"]
        for index in 0..<200 {
            let a = Double(index % 20) / 10, b = Double(index / 20) / 5
            lines.append("\(a),\(b),\(2 * a - b + 0.01 * Double(index % 7))")
        }
        let url = directory.appendingPathComponent("linear.csv")
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Parses standard output as exactly one JSON object.
    func jsonObject(_ result: DescentProcess.Result) throws -> [String: Any] {
        let lines = result.standardOutput.split(separator: "\n")
        try #require(
            lines.count == 1,
            "stdout must hold only the JSON object, got:\n\(result.standardOutput)")
        let object = try JSONSerialization.jsonObject(with: Data(lines[0].utf8))
        return try #require(object as? [String: Any])
    }

    @Test(arguments: ["cpu", "opencl"])
    func trainsAClassifierFromCSVAndEvaluatesItAgain(backend: String) throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = try Self.classificationCSV(in: directory)
        let report = directory.appendingPathComponent("report")
        let result = try DescentProcess.run([
            "train", "--dataset", "csv:\(csv.path)", "--label-column", "label", "--backend",
            backend,
            "--epochs", "8", "--hidden", "32", "--batch-size", "32", "--lr", "0.01", "--json",
            "--report", report.path,
        ])
        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        let json = try jsonObject(result)
        #expect(json["backend"] as? String == backend)
        #expect((json["device"] as? String)?.isEmpty == false)
        #expect(json["task"] as? String == "3-class classification")
        let epochs = try #require(json["epochs_run"] as? Int)
        #expect((1...8).contains(epochs))
        let accuracy = try #require(json["test_accuracy"] as? Double)
        #expect(accuracy > 0.9, "a well-separated 3-class problem: \(json)")
        #expect(json["test_loss"] is Double)
        #expect(json["train_seconds"] is Double && json["samples_per_second"] is Double)
        #expect(json["findings"] is [Any])
        #expect(json["report"] as? String == report.appendingPathComponent("index.html").path)
        let history = try #require(json["history"] as? [[String: Any]])
        #expect(history.count == epochs)
        for key in ["loss", "accuracy", "val_loss", "val_accuracy", "lr"] {
            #expect(history.allSatisfy { $0[key] is Double }, "history lacks \(key)")
        }
        #expect(
            result.standardError.contains("Epoch 1/8"), "progress goes to stderr in --json mode")

        let html = try String(
            contentsOf: report.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(XMLParser(data: Data(html.utf8)).parse(), "the report is well-formed XHTML")
        #expect(
            html.components(separatedBy: "<svg").count - 1 >= 4,
            "loss, accuracy, learning rate, confusion matrix")
        for text in [
            "Confusion matrix", "red", "green", "blue", "Diagnosis", "Update-to-weight ratio",
        ] {
            #expect(html.contains(text), "the report shows \(text)")
        }
        // The summary says the epochs once; the configuration shows what "auto" resolved to.
        #expect(!html.contains("epochs run"))
        #expect(html.contains("softmaxCrossEntropy (auto)") && html.contains("val_accuracy (auto)"))
        for file in ["history.csv", "history.json"] {
            #expect(
                FileManager.default.fileExists(atPath: report.appendingPathComponent(file).path))
        }
        let weights = report.appendingPathComponent("model.safetensors")
        #expect(FileManager.default.fileExists(atPath: weights.path))
        let evaluation = try DescentProcess.run([
            "evaluate", "--weights", weights.path, "--backend", backend, "--json",
        ])
        #expect(evaluation.status == 0, "stderr:\n\(evaluation.standardError)")
        let reevaluated = try jsonObject(evaluation)
        let again = try #require(reevaluated["test_accuracy"] as? Double)
        #expect(abs(again - accuracy) < 1e-9, "evaluate rebuilds the same test split and weights")
    }

    /// A CSV named by a relative path: the weights store it absolute, so `descent evaluate`
    /// works from another directory.
    @Test func evaluateFindsARelativeCSVFromAnotherDirectory() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try Self.regressionCSV(in: directory)
        let trained = try DescentProcess.run(
            [
                "train", "--dataset", "csv:linear.csv", "--label-column", "t", "--epochs", "2",
                "--hidden", "8", "--backend", "cpu", "--quiet", "--report", "run",
            ], in: directory)
        #expect(trained.status == 0, "\(trained.standardError)")
        let elsewhere = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        let evaluated = try DescentProcess.run(
            [
                "evaluate", "--weights",
                directory.appendingPathComponent("run/model.safetensors").path,
                "--backend", "cpu",
            ], in: elsewhere)
        #expect(evaluated.status == 0, "\(evaluated.standardError)")
    }

    @Test func regressionTargetsTrainALinearOutputWithMSE() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = try Self.regressionCSV(in: directory)
        let result = try DescentProcess.run([
            "train", "--dataset", "csv:\(csv.path)", "--label-column", "t", "--epochs", "30",
            "--hidden", "16",
            "--no-batch-norm", "--dropout", "0", "--lr", "0.01", "--batch-size", "16", "--json",
            "--report", directory.appendingPathComponent("report").path,
        ])
        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        let json = try jsonObject(result)
        #expect(json["task"] as? String == "regression")
        #expect(json["test_accuracy"] is NSNull)
        let r2 = try #require(json["test_r2"] as? Double)
        #expect(r2 > 0.9, "t = 2a - b is easy to fit: \(json)")
    }

    @Test func theFirstTrainingRunOnADeviceTunesTheMatmulAndLaterRunsReuseTheChoice() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = ["DESCENT_KERNEL_CACHE": directory.appendingPathComponent("cache").path]
        let arguments = [
            "train", "--dataset", "moons", "--epochs", "1", "--hidden", "8", "--no-sanity-checks",
        ]
        let first = try DescentProcess.run(arguments, in: directory, environment: cache)
        #expect(first.status == 0, "stderr:\n\(first.standardError)")
        #expect(
            first.standardOutput.contains("Tuned the matmul kernels for this device in"),
            "\(first.standardOutput)")
        let second = try DescentProcess.run(arguments, in: directory, environment: cache)
        #expect(second.status == 0, "stderr:\n\(second.standardError)")
        #expect(
            !second.standardOutput.contains("Tuned the matmul kernels"),
            "the stored choice is reused")
        let devices = try DescentProcess.run(["devices"], environment: cache)
        #expect(
            devices.standardOutput.contains("(tuned on this machine)"), "\(devices.standardOutput)")
        let untuned = try DescentProcess.run(["devices"])
        #expect(
            untuned.standardOutput.contains("DESCENT_KERNEL_CACHE=off turns tuning off"),
            "\(untuned.standardOutput)")
    }

    @Test func generatedTwoClassSetTrainsOneSigmoidOutput() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try DescentProcess.run(
            ["train", "--dataset", "moons", "--epochs", "3", "--hidden", "16", "--quiet"],
            in: directory)
        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        #expect(result.standardOutput.contains("Test loss"))
        #expect(!result.standardOutput.contains("Epoch 1/3"), "--quiet prints only the results")
        #expect(
            FileManager.default.fileExists(
                atPath: directory.appendingPathComponent("descent-report/model.safetensors").path))
        let html = try String(
            contentsOf: directory.appendingPathComponent("descent-report/index.html"),
            encoding: .utf8)
        #expect(html.contains("Decision boundary"), "2-D inputs get their decision boundary drawn")
        #expect(XMLParser(data: Data(html.utf8)).parse())
    }

    @Test(arguments: [
        (
            ["train", "--dataset", "csv:/nonexistent/data.csv", "--label-column", "y"],
            "/nonexistent/data.csv"
        ),
        (["train", "--dataset", "csv:COLOURS", "--label-column", "colour"], "no column 'colour'"),
        (["train", "--dataset", "csv:COLOURS"], "--label-column"),
        (["train", "--dataset", "csv:GARBAGE", "--label-column", "y"], "line 2"),
        (["train", "--dataset", "imagenet"], "unknown data set 'imagenet'"),
        (["train", "--dataset", "moons", "--optimizer", "adamx"], "unknown optimizer 'adamx'"),
        (["train", "--dataset", "moons", "--lr=0"], "--lr must be a positive number"),
        (["train", "--dataset", "moons", "--schedule", "cosine:x"], "'x' is not a number"),
        (["train", "--dataset", "moons", "--device", "99"], "No OpenCL device matches 'index 99'"),
        (["train", "--dataset", "moons", "--loss", "mse"], "does not fit binary classification"),
        (["train", "--dataset", "moons", "--hidden", "16,-3"], "--hidden takes positive widths"),
        (["train", "--dataset", "moons", "--model", "cnn"], "--model cnn needs image data"),
        (["train", "--dataset", "moons", "--layers", "conv:8:3,relu"], "needs images"),
        (["train", "--dataset", "moons", "--layers", "dense:8,pool:2"], "unknown item 'pool:2'"),
        (["train", "--dataset", "moons", "--layers", "conv:8"], "takes 2...4 values"),
        (["train", "--dataset", "moons", "--augment", "crop:2"], "crop and flip need image data"),
        (["train", "--dataset", "moons", "--augment", "rotate"], "unknown item 'rotate'"),
        (
            ["evaluate", "--weights", "/nonexistent/model.safetensors"],
            "/nonexistent/model.safetensors"
        ),
        (["train", "--dataset", "moons", "--report", "COLOURS"], "exists and is not a directory"),
    ])
    func badInputIsOneLineOnStandardErrorAndAFailingStatus(
        arguments: [String], expected: String
    ) throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let colours = try Self.classificationCSV(in: directory)
        let garbage = directory.appendingPathComponent("garbage.csv")
        try "x,y\n1,2,3\n".write(to: garbage, atomically: true, encoding: .utf8)
        let resolved = arguments.map {
            $0.replacingOccurrences(of: "COLOURS", with: colours.path).replacingOccurrences(
                of: "GARBAGE", with: garbage.path)
        }
        let result = try DescentProcess.run(resolved, in: directory)
        #expect(result.status != 0)
        let errors = result.errorLines.filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1, "one error line, got:\n\(result.standardError)")
        #expect(
            errors.first?.contains(expected) == true,
            "expected '\(expected)' in:\n\(result.standardError)")
        #expect(
            !result.standardError.contains("Fatal error")
                && !result.standardError.contains("Stack dump"))
    }
}
