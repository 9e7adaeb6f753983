#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Descent
@testable import DescentTraining
@testable import DescentWorkshop
import Foundation
import Testing

/// History as CSV and JSON, and the report directory on disk.
@Suite struct ReportExportTests {
    func temporaryDirectory() throws -> String {
        var template = Array("/tmp/descent-report-XXXXXX".utf8CString)
        return String(
            cString: try #require(
                template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }))
    }

    @Test func csvHasTheLoggerColumnsAndEmptyFieldsForNil() {
        let lines = ReportPageTests.history().csvText.split(
            separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 6 && lines.last == "")
        #expect(
            lines[0]
                == "epoch,loss,accuracy,val_loss,val_accuracy,learning_rate,seconds,samples_per_second"
        )
        #expect(lines[1] == "0,1.0,0.5,1.2,,0.001,2.5,24000.0")
        #expect(lines[3].split(separator: ",", omittingEmptySubsequences: false)[3] == "nan")
        #expect(
            lines.dropLast().allSatisfy {
                $0.split(separator: ",", omittingEmptySubsequences: false).count == 8
            })
    }

    @Test func jsonParsesWithNullForMissingAndNonFiniteValues() throws {
        let history = ReportPageTests.history()
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(history.jsonText.utf8)) as? [String: Any])
        let epochs = try #require(object["epochs"] as? [[String: Any]])
        #expect(epochs.count == 4)
        #expect(
            Set(epochs[0].keys) == [
                "epoch", "loss", "accuracy", "val_loss", "val_accuracy", "learning_rate", "seconds",
                "samples_per_second",
            ])
        #expect(epochs[0]["val_accuracy"] is NSNull, "nil")
        #expect(epochs[2]["val_loss"] is NSNull, "NaN")
        #expect((epochs[1]["loss"] as? Double) == 0.5 && (epochs[3]["epoch"] as? Int) == 3)
        #expect((object["stop_reason"] as? String) == history.stopReason)
        let empty = try #require(
            try JSONSerialization.jsonObject(with: Data(History().jsonText.utf8)) as? [String: Any])
        #expect((empty["epochs"] as? [Any])?.isEmpty == true && empty["stop_reason"] is NSNull)
    }

    @Test func writingCreatesTheDirectoryAndItsThreeFiles() throws {
        let directory = try temporaryDirectory() + "/runs/first"
        let report = try ReportPageTests.fullReport()
        try report.write(to: directory)
        let html = try String(contentsOfFile: directory + "/index.html", encoding: .utf8)
        #expect(html == report.html())
        #expect(
            try String(contentsOfFile: directory + "/history.csv", encoding: .utf8)
                == ReportPageTests.history().csvText)
        #expect(
            try String(contentsOfFile: directory + "/history.json", encoding: .utf8)
                == ReportPageTests.history().jsonText)
        try report.write(to: directory + "/")
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(
            entries == ["history.csv", "history.json", "index.html"],
            "no temporary files left behind")
    }

    @Test func aFileInThePlaceOfTheDirectoryThrows() throws {
        let blocker = try temporaryDirectory() + "/report"
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8)))
        for path in [blocker, blocker + "/nested"] {
            let error = try #require(throws: DescentError.self) {
                try TrainingReport().write(to: path)
            }
            #expect(error.description.contains("not a directory"), "\(error)")
        }
        #expect(throws: DescentError.self) {
            try ReportDirectory.write([("a/b", "")], to: blocker + "-other")
        }
    }
}
