import DescentTestSupport
import Foundation
import Testing

/// The flags that plant the notes' faults from the command line, each reported by its finding,
/// and a diverging run that ends in a diagnosis with exit status 0. On the CPU reference: the
/// findings are the diagnosis's, the same on every backend.
@Suite struct PlantedFaultFlagsTests {
    /// `descent train` on a generated data set with small, quick settings and `--json`.
    /// - Parameter report: where the report goes (a temporary directory, removed, by default).
    func train(
        _ arguments: [String], dataset: String = "spirals", report: URL? = nil
    ) throws -> (result: DescentProcess.Result, codes: [String]) {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try DescentProcess.run(
            [
                "train", "--dataset", dataset, "--backend", "cpu", "--no-sanity-checks", "--hidden",
                "32", "--batch-size", "64",
                "--json", "--report", (report ?? directory.appendingPathComponent("report")).path,
            ] + arguments)
        let line = try #require(
            result.standardOutput.split(separator: "\n").last, "stderr:\n\(result.standardError)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let findings = try #require(object["findings"] as? [[String: Any]])
        return (result, findings.compactMap { $0["code"] as? String })
    }

    @Test func aDivergingRunExitsZeroWithItsDiagnosisAndFiniteWeights() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = directory.appendingPathComponent("report")
        let (result, codes) = try train(
            ["--optimizer", "sgd", "--lr", "1e30", "--no-batch-norm", "--epochs", "3"],
            report: report)
        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        #expect(codes.contains("non-finite-loss"), "\(codes)")
        #expect(
            !codes.contains("underfitting") && !codes.contains("lr-too-low"),
            "no advice to raise the rate: \(codes)")
        let evaluated = try DescentProcess.run([
            "evaluate", "--weights", report.appendingPathComponent("model.safetensors").path,
            "--backend", "cpu", "--json",
        ])
        let evaluation =
            try JSONSerialization.jsonObject(with: Data(evaluated.standardOutput.utf8))
            as? [String: Any]
        #expect(
            (evaluation?["test_loss"] as? Double)?.isFinite == true,
            "the saved weights are finite: \(evaluated.standardOutput)")
    }

    /// The issue's own command, on Fashion-MNIST through OpenCL, where the NaN comes at step 100:
    /// exit 0, non-finite-loss beside lr-too-high, a report, and weights that evaluate finite.
    @Test(.requiresOpenCL) func sgdAtLearningRate50OnFashionMNISTIsADiagnosis() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = directory.appendingPathComponent("report")
        let result = try DescentProcess.run([
            "train", "--optimizer", "sgd", "--lr", "50", "--epochs", "2", "--no-sanity-checks",
            "--backend", "opencl", "--json",
            "--report", report.path,
        ])
        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))
                as? [String: Any])
        let codes = try #require(object["findings"] as? [[String: Any]]).compactMap {
            $0["code"] as? String
        }
        #expect(codes.contains("non-finite-loss") && codes.contains("lr-too-high"), "\(codes)")
        #expect(
            FileManager.default.fileExists(atPath: report.appendingPathComponent("index.html").path)
        )
        let evaluated = try DescentProcess.run([
            "evaluate", "--weights", report.appendingPathComponent("model.safetensors").path,
            "--backend", "opencl", "--json",
        ])
        let evaluation =
            try JSONSerialization.jsonObject(with: Data(evaluated.standardOutput.utf8))
            as? [String: Any]
        #expect(
            (evaluation?["test_loss"] as? Double)?.isFinite == true,
            "the saved weights are finite: \(evaluated.standardOutput)")
    }

    @Test func zeroAndConstantInitializationArePlantedAsSymmetricWeights() throws {
        for initializer in ["zeros", "constant:0.1"] {
            let (result, codes) = try train(["--init", initializer, "--epochs", "2"])
            #expect(result.status == 0, "stderr:\n\(result.standardError)")
            #expect(codes.contains("symmetric-weights"), "--init \(initializer): \(codes)")
        }
        let (_, healthy) = try train(["--init", "he-normal", "--epochs", "2"])
        #expect(!healthy.contains("symmetric-weights"))
    }

    @Test func rawFeaturesArePlantedAsUnnormalizedInputs() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = try TrainCommandTests.classificationCSV(in: directory)
        let arguments = ["--label-column", "label", "--epochs", "2"]
        let (raw, codes) = try train(arguments + ["--no-standardize"], dataset: "csv:\(csv.path)")
        #expect(raw.status == 0, "stderr:\n\(raw.standardError)")
        #expect(codes.contains("unnormalized-inputs"), "\(codes)")
        let (_, standardized) = try train(arguments, dataset: "csv:\(csv.path)")
        #expect(!standardized.contains("unnormalized-inputs"), "\(standardized)")
    }

    /// Ten well-separated Gaussian blobs in 8 dimensions, 600 rows, the label last.
    static func blobsCSV(in directory: URL) throws -> URL {
        var state: UInt64 = 3
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        func gaussian() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()) }
        let means = (0..<10).map { _ in (0..<8).map { _ in 2 * gaussian() } }
        var lines = [(0..<8).map { "f\($0)" }.joined(separator: ",") + ",label"]
        for row in 0..<600 {
            lines.append(
                means[row % 10].map { String($0 + gaussian()) }.joined(separator: ",")
                    + ",\(row % 10)")
        }
        let url = directory.appendingPathComponent("blobs.csv")
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func shuffledLabelsArePlantedAsValidationAtChance() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = try Self.blobsCSV(in: directory)
        let arguments = [
            "--label-column", "label", "--epochs", "10", "--patience", "0", "--lr", "0.01",
        ]
        let (result, codes) = try train(
            arguments + ["--shuffle-labels"], dataset: "csv:\(csv.path)")
        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        #expect(codes.contains("validation-at-chance"), "\(codes)")
        let (_, healthy) = try train(arguments, dataset: "csv:\(csv.path)")
        #expect(!healthy.contains("validation-at-chance"), "\(healthy)")
    }

    @Test func aTrainingSubsetIsStratifiedAndEvaluateRebuildsIt() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = directory.appendingPathComponent("report")
        let trained = try DescentProcess.run([
            "train", "--dataset", "moons", "--backend", "cpu", "--train-subset", "40",
            "--no-standardize", "--hidden", "8",
            "--epochs", "2", "--json", "--report", report.path,
        ])
        #expect(trained.status == 0, "stderr:\n\(trained.standardError)")
        #expect(
            trained.standardError.contains("Data: moons, 40 training"), "\(trained.standardError)")
        let evaluated = try DescentProcess.run([
            "evaluate", "--weights", report.appendingPathComponent("model.safetensors").path,
            "--backend", "cpu", "--json",
        ])
        #expect(evaluated.status == 0, "stderr:\n\(evaluated.standardError)")
        func testAccuracy(_ result: DescentProcess.Result) throws -> Double? {
            let object =
                try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))
                as? [String: Any]
            return object?["test_accuracy"] as? Double
        }
        let accuracy = try #require(try testAccuracy(trained))
        #expect(
            try testAccuracy(evaluated) == accuracy, "evaluate rebuilds the unstandardized features"
        )
    }

    @Test func badPlantingValuesAreOneErrorLine() throws {
        let cases: [([String], String)] = [
            (["--init", "constant"], "constant:V"), (["--init", "normal:0"], "normal:MEAN,STD"),
            (["--init", "zeros:1"], "no numbers"),
            (["--init", "xavier"], "unknown --init"), (["--train-subset", "0"], "--train-subset"),
            (["--train-subset", "1"], "at least 2"),
        ]
        for (arguments, mention) in cases {
            let result = try DescentProcess.run(
                ["train", "--dataset", "moons", "--backend", "cpu", "--epochs", "1"] + arguments)
            #expect(result.status != 0, "\(arguments)")
            let errors = result.errorLines.filter { $0.hasPrefix("error:") }
            #expect(
                errors.count == 1 && errors[0].contains(mention),
                "\(arguments): \(result.standardError)")
        }
    }
}
