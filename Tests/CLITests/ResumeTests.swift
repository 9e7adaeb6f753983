#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentTestSupport
import Foundation
import Testing

/// `descent train --resume`: a run killed with SIGKILL in its third epoch and resumed ends with
/// the same weights, byte for byte, as the same seeded run left alone.
@Suite struct ResumeTests {
    static let arguments = [
        "train", "--dataset", "spirals", "--epochs", "6", "--seed", "7", "--hidden", "64,64",
        "--batch-size", "16", "--backend", "cpu", "--quiet", "--no-sanity-checks",
    ]

    /// The tensor bytes of a safetensors file (what follows its header).
    static func tensorData(_ url: URL) throws -> Data {
        let bytes = try Data(contentsOf: url)
        let length = bytes.prefix(8).enumerated().reduce(0) {
            $0 | Int($1.element) << (8 * $1.offset)
        }
        return bytes.dropFirst(8 + length)
    }

    /// The epochs a resume checkpoint says are done, nil while there is none (or it is being replaced).
    static func epochsDone(_ url: URL) -> Int? {
        guard let bytes = try? Data(contentsOf: url), bytes.count > 8 else { return nil }
        let length = bytes.prefix(8).enumerated().reduce(0) {
            $0 | Int($1.element) << (8 * $1.offset)
        }
        guard bytes.count >= 8 + length,
            let header = try? JSONSerialization.jsonObject(with: bytes.dropFirst(8).prefix(length))
                as? [String: Any],
            let metadata = header["__metadata__"] as? [String: String],
            let state = metadata["descent.training_state"].flatMap({
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            })
        else { return nil }
        return state["epochsDone"] as? Int
    }

    @Test func aKilledRunResumesToTheSameWeights() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let whole = try DescentProcess.run(Self.arguments + ["--report", "whole"], in: directory)
        try #require(whole.status == 0, "\(whole.standardError)")
        #expect(
            !FileManager.default.fileExists(
                atPath: directory.appendingPathComponent("whole/resume.safetensors").path),
            "a finished run leaves no checkpoint")

        let process = Process()
        process.executableURL = DescentProcess.executable
        process.arguments = Self.arguments + ["--report", "killed"]
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["DESCENT_KERNEL_CACHE": "off"]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let checkpoint = directory.appendingPathComponent("killed/resume.safetensors")
        var done: Int? = nil
        for _ in 0..<2000 where process.isRunning {
            done = Self.epochsDone(checkpoint)
            if let done, done >= 2 { break }
            usleep(10_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let killedAfter = try #require(done, "the run never wrote a checkpoint")
        try #require(killedAfter < 6, "the run ended before it was killed")

        let resumed = try DescentProcess.run(
            ["train", "--resume", "killed", "--backend", "cpu"], in: directory)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardOutput.contains("Resuming after epoch \(killedAfter) of 6"))
        #expect(
            try Self.tensorData(directory.appendingPathComponent("killed/model.safetensors"))
                == Self.tensorData(directory.appendingPathComponent("whole/model.safetensors")),
            "killed after \(killedAfter) epochs and resumed")
        let history = try String(
            contentsOf: directory.appendingPathComponent("killed/history.csv"), encoding: .utf8)
        #expect(history.split(separator: "\n").count == 7, "the report's history has every epoch")

        let again = try DescentProcess.run(["train", "--resume", "killed"], in: directory)
        #expect(again.status == 1 && again.errorLines.count == 1, "\(again.standardError)")
        #expect(again.standardError.contains("there is no run to resume"))
    }
}
