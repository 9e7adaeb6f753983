import DescentTestSupport
import Foundation
import Testing

/// The bad-input corpus: generated mistakes across every command (numbers out of range, huge
/// counts that would trap or run away, text where numbers go, files that are missing, empty,
/// binary, truncated or of another kind). Each must end with exit status 1 and one short line on
/// standard error: no crash, no usage dump, no runaway.
@Suite struct BadInputCorpusTests {
    struct Case: CustomStringConvertible {
        let arguments: [String]
        var description: String { arguments.joined(separator: " ") }
    }

    /// Files with something wrong in them, in `directory`.
    static func badFiles(in directory: URL) throws -> [String: String] {
        func file(_ name: String, _ bytes: [UInt8]) throws -> String {
            let url = directory.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            return url.path
        }
        var state: UInt64 = 11
        let random = (0..<4096).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        let png: [UInt8] =
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(random.prefix(200))
        let csv =
            "a,b,label\n" + (0..<50).map { "\($0),\($0 % 3),\($0 % 2)" }.joined(separator: "\n")
        return [
            "empty.csv": try file("empty.csv", []),
            "random.csv": try file("random.csv", random),
            "header-only.csv": try file("header-only.csv", Array("a,b,label\n".utf8)),
            "ragged.csv": try file("ragged.csv", Array("a,b,label\n1,2,x\n3,y\n".utf8)),
            "one-class.csv": try file(
                "one-class.csv",
                Array(("a,label\n" + (0..<20).map { "\($0),x" }.joined(separator: "\n")).utf8)),
            "good.csv": try file("good.csv", Array(csv.utf8)),
            "png.safetensors": try file("png.safetensors", png),
            "empty.safetensors": try file("empty.safetensors", []),
            "random.safetensors": try file("random.safetensors", random),
            "text.json": try file("text.json", Array("not json at all".utf8)),
            "directory": directory.path,
            "missing": directory.appendingPathComponent("missing.csv").path,
        ]
    }

    /// The backend of the cases where it matters: the CPU reference, or OpenCL on each leg of the
    /// device matrix (`DESCENT_CORPUS_BACKEND=opencl`).
    static var backend: String {
        ProcessInfo.processInfo.environment["DESCENT_CORPUS_BACKEND"] ?? "cpu"
    }

    static func cases(files: [String: String]) -> [Case] {
        var cases: [Case] = []
        let backend = Self.backend
        let train = ["train", "--dataset", "moons", "--backend", backend]
        let numericOptions: [(String, [String])] = [
            ("--epochs", ["0", "-3", "9223372036854775807", "x", "1.5"]),
            ("--batch-size", ["0", "-1", "9223372036854775807", "abc"]),
            ("--lr", ["0", "-1", "nan", "inf", "1e39", "x"]),
            ("--weight-decay", ["-1", "nan", "inf"]),
            ("--patience", ["-1", "x"]),
            ("--dropout", ["1", "-0.1", "nan"]),
            ("--seed", ["-1", "18446744073709551616", "x"]),
            ("--monitor-every", ["-1", "x"]),
            ("--train-subset", ["0", "-5", "9223372036854775807"]),
            (
                "--hidden",
                ["0", "-4", "9223372036854775807", "1000000,1000000", "a,b", ",", "64,,32"]
            ),
            (
                "--schedule",
                [
                    "wavy", "cosine:", "cosine:1e300", "step:0,0.5", "step:1", "plateau:0.5,1e300",
                    "exponential:-1", "step:1,0.5,",
                ]
            ),
            (
                "--init",
                ["xavier", "constant", "normal:0", "uniform:1,0", "normal:0,-1", "zeros:1"]
            ),
            ("--optimizer", ["adamz", ""]),
            ("--activation", ["swish"]),
            ("--loss", ["hinge", "mse"]),
            ("--task", ["ranking", "regression"]),
            ("--monitor", ["val_f1"]),
            ("--device", ["9999"]),
            ("--backend", ["tpu"]),
        ]
        for (option, values) in numericOptions {
            for value in values { cases.append(Case(arguments: train + [option, value])) }
        }
        cases.append(Case(arguments: train + ["--bogus"]))
        cases.append(Case(arguments: train + ["--lr"]))
        for dataset in [
            "nope", "csv:", "csv:\(files["missing"]!)", "csv:\(files["directory"]!)",
            "csv:\(files["empty.csv"]!)",
            "csv:\(files["random.csv"]!)", "csv:\(files["header-only.csv"]!)",
            "csv:\(files["ragged.csv"]!)",
            "csv:\(files["one-class.csv"]!)",
        ] {
            cases.append(
                Case(arguments: [
                    "train", "--dataset", dataset, "--label-column", "label", "--backend", backend,
                ]))
        }
        cases.append(
            Case(arguments: [
                "train", "--dataset", "csv:\(files["good.csv"]!)", "--backend", backend,
            ]))
        cases.append(
            Case(arguments: [
                "train", "--dataset", "csv:\(files["good.csv"]!)", "--label-column", "nope",
                "--backend", backend,
            ]))
        for weights in [
            "missing", "empty.safetensors", "png.safetensors", "random.safetensors", "directory",
            "good.csv",
        ] {
            cases.append(
                Case(arguments: ["evaluate", "--weights", files[weights]!, "--backend", backend]))
            cases.append(
                Case(arguments: [
                    "predict", "--weights", files[weights]!, "--input", files["good.csv"]!,
                    "--backend", backend,
                ]))
            cases.append(Case(arguments: ["export", "--weights", files[weights]!]))
        }
        for directory in ["missing", "directory", "good.csv"] {
            cases.append(
                Case(arguments: ["train", "--resume", files[directory]!, "--backend", backend]))
        }
        let search = ["search", "--dataset", "moons", "--backend", backend, "--epochs", "1"]
        for space in [
            "", "lr", "lr=log:0:1", "lr=log:1e-300:1e300", "lr=uniform:1:0",
            "patience=int:0:9223372036854775807",
            "batch-size=int:-9223372036854775808:9223372036854775807", "dropout=uniform:0:1.5",
            "momentum=uniform:0:1",
            "optimizer=choice:", "optimizer=choice:adam|adam", "hidden=choice:64|x", "lr=log:1e-3",
        ] {
            cases.append(Case(arguments: search + ["--space", space]))
        }
        for extra in [
            ["--trials", "1000000000000"], ["--trials", "0"],
            ["--strategy", "grid", "--grid-points", "100000"],
            ["--strategy", "bayes"], ["--shrink", "2", "--strategy", "coarse-to-fine"],
            ["--ensemble", "0"],
            ["--halving", "1"], ["--budget-minutes", "-1"], ["--top", "0"], ["--metric", "f1"],
        ] {
            cases.append(
                Case(
                    arguments: search + ["--space", "lr=log:1e-3:1e-1,dropout=uniform:0:0.5"]
                        + extra))
        }
        cases.append(Case(arguments: search + ["--space-file", files["text.json"]!]))
        cases.append(Case(arguments: search + ["--space-file", files["missing"]!]))
        let lrFind = ["lr-find", "--dataset", "moons", "--backend", backend]
        for extra in [
            ["--steps", "1000000000000000000"], ["--steps", "1"], ["--min", "1", "--max", "0.1"],
            ["--min", "0"],
            ["--schedule", "step:1,0.5"], ["--lr", "0.1"],
        ] {
            cases.append(Case(arguments: lrFind + extra))
        }
        for extra in [["--hidden", "x"], ["--activation", "swish"], ["--dataset", "nope"]] {
            cases.append(Case(arguments: ["gradcheck", "--backend", backend] + extra))
        }
        cases.append(Case(arguments: ["devices", "--bogus"]))
        cases.append(Case(arguments: ["nonsense"]))
        return cases
    }

    @Test func everyBadInputIsOneLineAndStatusOne() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try Self.badFiles(in: directory)
        let cases = Self.cases(files: files)
        var clean = 0, failures: [String] = []
        for bad in cases {
            let report = directory.appendingPathComponent("report").path
            let arguments =
                bad.arguments
                + (["train", "search", "lr-find"].contains(bad.arguments[0])
                    ? ["--report", report] : [])
            let result = try DescentProcess.run(arguments, in: directory, timeout: 60)
            let lines = result.errorLines
            let ok =
                result.status == 1 && lines.count == 1 && lines[0].hasPrefix("error:")
                && lines[0].count <= 400
            if ok {
                clean += 1
            } else {
                failures.append(
                    "\(bad) -> status \(result.status), stderr: \(result.standardError.prefix(300))"
                )
            }
        }
        print(
            "bad-input corpus (\(Self.backend)): \(clean)/\(cases.count) ended in one error line with status 1"
        )
        #expect(cases.count >= 100)
        #expect(failures.isEmpty, "\(failures.count) cases:\n\(failures.joined(separator: "\n"))")
    }
}
