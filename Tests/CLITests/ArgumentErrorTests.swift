import DescentTestSupport
import Foundation
import Testing

/// Mistakes in the arguments themselves: one line on standard error, exit status 1, and a
/// negative number works after a space as with `=`.
@Suite struct ArgumentErrorTests {
    @Test(arguments: [
        (["--lr", "-1"], "--lr must be a positive number, got -1.0"),
        (["--lr=-1"], "--lr must be a positive number, got -1.0"),
        (["--epochs", "-3"], "--epochs must be in 1...100000, got -3"),
        (["--weight-decay", "-1e-3"], "--weight-decay must be 0 or more"),
        (["--seed", "-1"], "'-1' is invalid for '--seed <seed>'"),
        (["--seed", "abc"], "'abc' is invalid for '--seed <seed>'"),
        (["--bogus"], "Unknown option '--bogus'"),
        (["--lr"], "Missing value for '--lr <lr>'"),
    ])
    func oneLineAndStatusOne(arguments: [String], mention: String) throws {
        let result = try DescentProcess.run(
            ["train", "--dataset", "moons", "--backend", "cpu"] + arguments)
        #expect(result.status == 1, "\(arguments): \(result.status)")
        #expect(result.errorLines.count == 1, "\(arguments): \(result.standardError)")
        #expect(
            result.errorLines.first?.hasPrefix("error: descent: ") == true,
            "\(result.standardError)")
        #expect(
            result.errorLines.first?.contains(mention) == true,
            "\(arguments): \(result.standardError)")
    }

    @Test func helpStillPrintsAndSucceeds() throws {
        let result = try DescentProcess.run(["train", "--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("OVERVIEW:"))
    }

    /// An error that quotes its input stays one short line (control characters escaped).
    @Test func aHugeOrMultilineValueIsShortenedAndEscaped() throws {
        let huge = "choice:" + (0..<20_000).map { "v\($0)" }.joined(separator: "|") + "|v1"
        let result = try DescentProcess.run([
            "search", "--dataset", "moons", "--backend", "cpu", "--space", "optimizer=" + huge,
        ])
        #expect(result.status == 1)
        #expect(
            result.errorLines.count == 1 && result.errorLines[0].count <= 600,
            "\(result.standardError.prefix(700))")
        let multiline = try DescentProcess.run([
            "train", "--dataset", "moons", "--backend", "cpu", "--optimizer", "a\nb",
        ])
        #expect(
            multiline.errorLines.count == 1 && multiline.errorLines[0].contains("a\\nb"),
            "\(multiline.standardError)")
    }
}
