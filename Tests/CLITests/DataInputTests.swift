import DescentTestSupport
import Foundation
import Testing

/// Data that must not be silently reinterpreted by `descent train`.
@Suite struct DataInputTests {
    func csv(_ text: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent("data.csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func oneClassIsAnError() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try csv(
            "a,b,label\n" + (0..<60).map { "\($0),\($0 % 7),yes" }.joined(separator: "\n"),
            in: directory)
        let result = try DescentProcess.run([
            "train", "--dataset", "csv:\(path)", "--label-column", "label", "--backend", "cpu",
        ])
        #expect(result.status == 1)
        let errors = result.errorLines.filter { $0.hasPrefix("error:") }
        #expect(
            errors.count == 1 && errors[0].contains("one class ('yes')")
                && errors[0].contains("--label-column label"),
            "\(result.standardError)")
    }

    @Test func integerLabelsWrittenAsFloatsAreClasses() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rows = (0..<90).map { "\(Double($0 % 3) * 2 + 0.1 * Double($0 % 5)),\($0 % 3).0" }
        let path = try csv("x,label\n" + rows.joined(separator: "\n"), in: directory)
        let result = try DescentProcess.run([
            "train", "--dataset", "csv:\(path)", "--label-column", "label", "--backend", "cpu",
            "--epochs", "1", "--hidden", "4",
            "--no-sanity-checks", "--json", "--report",
            directory.appendingPathComponent("report").path,
        ])
        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        let object =
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))
            as? [String: Any]
        #expect(object?["task"] as? String == "3-class classification", "\(result.standardOutput)")
    }
}
