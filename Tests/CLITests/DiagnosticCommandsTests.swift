import DescentTestSupport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `descent gradcheck` and `descent lr-find` as a user runs them.
@Suite(.requiresOpenCL)
struct DiagnosticCommandsTests {
    @Test func gradcheckPassesForTheDefaultLayersOnEveryBackend() throws {
        let result = try DescentProcess.run([
            "gradcheck", "--dataset", "moons", "--hidden", "8,8", "--activation", "tanh",
        ])
        #expect(
            result.status == 0,
            "stdout:\n\(result.standardOutput)\nstderr:\n\(result.standardError)")
        #expect(result.standardOutput.contains("Gradient check (centered differences"))
        #expect(result.standardOutput.contains("Backend gradients on CPU reference"))
        #expect(
            result.standardOutput.components(separatedBy: "Backend gradients on").count - 1 == 2,
            "CPU and OpenCL")
        #expect(!result.standardOutput.contains("FAIL"))
        #expect(result.standardOutput.contains("Gradients check out."))
    }

    @Test func learningRateFinderSuggestsARateAndDrawsTheCurve() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = directory.appendingPathComponent("lr")
        let result = try DescentProcess.run([
            "lr-find", "--dataset", "moons", "--hidden", "16", "--steps", "120", "--batch-size",
            "32", "--report", report.path,
        ])
        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        #expect(
            result.standardOutput.contains("Suggested learning rate:"), "\(result.standardOutput)")
        let html = try String(
            contentsOf: report.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(XMLParser(data: Data(html.utf8)).parse())
        #expect(html.contains("<svg") && html.contains("Loss against learning rate"))
    }

    @Test func badRangeIsOneErrorLine() throws {
        let result = try DescentProcess.run([
            "lr-find", "--dataset", "moons", "--min", "1", "--max", "0.1",
        ])
        #expect(result.status != 0)
        #expect(
            result.errorLines.filter { $0.hasPrefix("error:") }.count == 1,
            "\(result.standardError)")
    }
}
