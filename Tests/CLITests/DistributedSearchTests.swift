import Foundation
import Testing

/// `mpirun -np 2 descent search`: the ranks share the trials out, successive halving's rungs
/// stay in step, rank 0 writes the results, which are those of the same search in one process,
/// and a rerun resumes every trial from them.
@Suite(.serialized) struct DistributedSearchTests {
    /// Each trial of a results file as "stage/index epochs configuration -> metric", sorted (the
    /// wall times differ from run to run).
    static func trials(_ url: URL) throws -> [String] {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst()
        return try lines.map { line in
            let record = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let configuration = try #require(record["configuration"] as? [String: Any])
            let settings = configuration.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            func field(_ name: String) -> String { record[name].map { "\($0)" } ?? "missing" }
            return "\(field("stage"))/\(field("index")) \(field("epochs")) "
                + "\(settings.joined(separator: " ")) -> \(field("validation_metric"))"
        }.sorted()
    }

    @Test func twoRanksRunTheSearchOfOneProcessAndResumeIt() throws {
        try DistributedTrainingTests.requireMPI()
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let search = [
            "search", "--dataset", "spirals", "--space", "lr=log:1e-3:1e-1,hidden=choice:16|32",
            "--trials", "5", "--halving", "2", "--epochs", "4", "--seed", "3", "--backend", "cpu",
        ]
        let alone = try DescentProcess.run(
            search + ["--results", "alone.jsonl", "--report", "alone"], in: directory)
        try #require(alone.status == 0, "\(alone.standardError)")
        let job = try DescentProcess.run(
            search + ["--results", "job.jsonl", "--report", "job"], in: directory, timeout: 300,
            launcher: DistributedTrainingTests.mpirun(ranks: 2))
        try #require(job.status == 0, "\(job.standardOutput)\n\(job.standardError)")
        #expect(job.standardOutput.contains("Distributed: rank 0 of 2"))
        let expected = try Self.trials(directory.appendingPathComponent("alone.jsonl"))
        // 5 trials of 1 epoch, the best 2 of 2, the best of 4 epochs.
        #expect(expected.count == 8)
        #expect(try Self.trials(directory.appendingPathComponent("job.jsonl")) == expected)
        // One test line, from rank 0.
        #expect(job.standardOutput.components(separatedBy: "Test set (touched once").count == 2)

        let rerun = try DescentProcess.run(
            search + ["--results", "job.jsonl", "--report", "job"], in: directory, timeout: 300,
            launcher: DistributedTrainingTests.mpirun(ranks: 2))
        try #require(rerun.status == 0, "\(rerun.standardOutput)\n\(rerun.standardError)")
        #expect(
            rerun.standardOutput.contains("0 trials run now, 8 resumed"), "\(rerun.standardOutput)")
        #expect(try Self.trials(directory.appendingPathComponent("job.jsonl")) == expected)
    }
}
