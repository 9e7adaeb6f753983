import Descent
import DescentCore
import Foundation
import Testing

/// The results file: an interrupted search resumes without running a trial twice, a partial last
/// line is skipped, and a file of another space, objective or settings is refused.
@Suite struct SearchResumeTests {
    let space: SearchSpace
    let search: HyperparameterSearch
    let directory: URL

    init() throws {
        space = try SearchSpace(parsing: "lr=log:1e-4:1,optimizer=choice:adam|sgd")
        search = try HyperparameterSearch(
            space: space, strategy: .coarseToFine(trials: 12, stages: 3, shrink: 0.4),
            objective: .validationLoss, epochs: 4,
            seed: 9, halving: try SuccessiveHalving(eta: 2, minimumEpochs: 2))
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "descent-search-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func results(_ name: String = "results.jsonl") throws -> SearchResultsFile {
        try SearchResultsFile(
            path: directory.appendingPathComponent(name).path, space: space,
            objective: .validationLoss)
    }

    @Test func anInterruptedSearchResumesWithoutRunningATrialTwice() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let uninterrupted = QuadraticProblem.Runner()
        let whole = try search.run(runner: uninterrupted.run)

        let first = QuadraticProblem.Runner()
        first.failAfter = 7
        #expect(throws: QuadraticProblem.Runner.Interrupted.self) {
            _ = try search.run(results: try results(), runner: first.run)
        }
        #expect(try results().records.count == 7, "every finished trial was written as it ended")

        let second = QuadraticProblem.Runner()
        let resumed = try search.run(results: try results(), runner: second.run)
        #expect(resumed.resumed == 7)
        #expect(
            first.calls.count + second.calls.count == uninterrupted.calls.count,
            "no trial ran twice")
        #expect(
            resumed.records == whole.records,
            "the same trials in the same order as without the interruption")
        #expect(Set(resumed.records.map(\.key)).count == resumed.records.count)

        let third = QuadraticProblem.Runner()
        let again = try search.run(results: try results(), runner: third.run)
        #expect(
            third.calls.isEmpty && again.resumed == whole.records.count,
            "a finished search reruns nothing")
        #expect(again.ranking.map(\.key) == whole.ranking.map(\.key))
    }

    @Test func aRecordReadsBackInTheSpacesOrderAndKinds() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        // JSON writes the real 1.0 as `1` and keeps no key order; the file gives both back.
        let space = try SearchSpace(
            parsing: "optimizer=choice:sgd|adam,lr=log:1e-4:1,width=int:1:8")
        let path = directory.appendingPathComponent("ordered.jsonl").path
        let record = TrialRecord(
            stage: 1, index: 2,
            configuration: TrialConfiguration([
                ("optimizer", .text("sgd")), ("lr", .real(1)), ("width", .integer(3)),
            ]),
            epochs: 4, seed: UInt64.max,
            result: TrialResult(validationMetric: [0.5, .nan], wallSeconds: 1.25))
        try SearchResultsFile(path: path, space: space, objective: .validationLoss).append(record)
        let reopened = try SearchResultsFile(path: path, space: space, objective: .validationLoss)
            .records
        #expect(reopened.count == 1)
        #expect(reopened.first?.key == record.key, "\(reopened.first?.key ?? "none")")
        #expect(
            reopened.first?.configuration == record.configuration
                && reopened.first?.seed == UInt64.max)
        #expect(reopened.first?.result.validationMetric.last?.isNaN == true)

        // A finding this version cannot read is left out, not the record.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(
            contentsOf: Data(
                (#"{"stage":0,"index":0,"epochs":4,"seed":1,"configuration":{"optimizer":"adam","lr":0.5,"width":2},"#
                    + #""validation_metric":[0.25],"wall_seconds":null,"findings":[{"code":"x","severity":"dire"}]}"#
                    + "\n").utf8))
        try handle.close()
        let again = try SearchResultsFile(path: path, space: space, objective: .validationLoss)
            .records
        #expect(
            again.count == 2 && again[1].result.findings.isEmpty
                && again[1].result.wallSeconds.isNaN)
    }

    @Test func aPartialLastLineIsReportedSkippedAndCutOff() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let limited = QuadraticProblem.Runner()
        limited.failAfter = 3
        _ = try? search.run(results: try results(), runner: limited.run)
        let path = directory.appendingPathComponent("results.jsonl").path
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"stage\":0,\"index\":3,\"epo".utf8))
        try handle.close()

        let reopened = try results()
        #expect(reopened.records.count == 3)
        #expect(reopened.warnings.count == 1)
        #expect(
            reopened.warnings.first?.contains("line 5, a partial record") == true,
            "\(reopened.warnings)")
        let rest = QuadraticProblem.Runner()
        let outcome = try search.run(results: reopened, runner: rest.run)
        #expect(outcome.resumed == 3)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(
            lines.count == 1 + outcome.records.count,
            "the partial line is gone; one line per record")
        #expect(try results().warnings.isEmpty)
    }

    /// Killed right after writing the header, before its newline: the rerun finishes the line, and
    /// the runs after it read the file (it once got a NUL and was then refused).
    @Test func aHeaderWithoutItsNewlineIsFinished() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("results.jsonl").path
        _ = try results()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.last == UInt8(ascii: "\n"))
        bytes.removeLast()
        try bytes.write(to: URL(fileURLWithPath: path))

        let first = QuadraticProblem.Runner()
        first.failAfter = 2
        _ = try? search.run(results: try results(), runner: first.run)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains("\0"), "no NUL")
        #expect(try results().records.count == 2)
        let second = QuadraticProblem.Runner()
        #expect(try search.run(results: try results(), runner: second.run).resumed == 2)
    }

    @Test func aResultsFileOfAnotherSpaceIsAnError() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try search.run(results: try results(), runner: QuadraticProblem.Runner().run)
        let other = try SearchSpace(parsing: "lr=log:1e-3:1,optimizer=choice:adam|sgd")
        do {
            _ = try SearchResultsFile(
                path: directory.appendingPathComponent("results.jsonl").path, space: other,
                objective: .validationLoss)
            Issue.record("a file of another space was accepted")
        } catch DescentError.invalidArgument(_, let reason) {
            #expect(reason.contains("another search space"), "\(reason)")
        }
        do {
            _ = try SearchResultsFile(
                path: directory.appendingPathComponent("results.jsonl").path, space: space,
                objective: .validationLoss, settings: "--seed 7")
            Issue.record("a file of other settings was accepted")
        } catch DescentError.invalidArgument(_, let reason) {
            #expect(reason.contains("other settings"), "\(reason)")
        }
        #expect(throws: DescentError.self) {
            _ = try SearchResultsFile(
                path: directory.appendingPathComponent("results.jsonl").path, space: space,
                objective: .validationAccuracy)
        }
        let notResults = directory.appendingPathComponent("notes.txt")
        try "hello\n".write(to: notResults, atomically: true, encoding: .utf8)
        #expect(throws: DescentError.self) { _ = try results("notes.txt") }
    }

    @Test func recordsRoundTripWithTheirFindings() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try results()
        let finding = Finding(
            code: "lr-too-high", severity: .warning, message: "the loss rose", advice: "lower --lr",
            evidence: ["ratio": "3.2"], epoch: 1)
        let record = TrialRecord(
            stage: 1, index: 2,
            configuration: TrialConfiguration([("lr", .real(0.001)), ("optimizer", .text("adam"))]),
            epochs: 3,
            seed: 42,
            result: TrialResult(
                validationMetric: [0.5, .nan, 0.25], wallSeconds: 1.5, findings: [finding]))
        try file.append(record)
        let read = try #require(try results().records.first)
        #expect(read.key == record.key && read.seed == 42 && read.result.findings == [finding])
        #expect(read.result.validationMetric[0] == 0.5 && read.result.validationMetric[1].isNaN)
    }
}
