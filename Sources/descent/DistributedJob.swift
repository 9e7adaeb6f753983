import ArgumentParser
import Descent

/// The job a command runs in: one process, or one rank of a data-parallel job started by
/// `mpirun` (`DistributedLaunch`). Rank 0 prints and writes; the other ranks compute in silence.
struct DistributedJob {
    let communicator: any Communicator

    /// Joins the job this process was started in.
    /// - Throws: `DescentError.distributedRuntimeUnavailable` under `mpirun` without a usable
    ///   Open MPI.
    static func join() throws -> DistributedJob {
        DistributedJob(communicator: try DistributedLaunch.communicator())
    }

    var isDistributed: Bool { communicator.isDistributed }
    /// Whether this process prints and writes files: rank 0, or the only process.
    var isRoot: Bool { communicator.isRoot }
    /// This process's local rank, for picking one of several devices; nil in one process.
    var localRank: Int? { isDistributed ? communicator.localRank : nil }

    /// "rank 0 of 2 (Open MPI, libmpi.so.40)".
    var description: String {
        let library = (communicator as? MPICommunicator).map { " (Open MPI, \($0.libraryPath))" }
        return "rank \(communicator.rank) of \(communicator.size)\(library ?? "")"
    }

    /// Refuses ranks started with different options: every rank must run the same command.
    /// - Throws: `DescentError.ranksDisagree` listing each rank's arguments.
    func requireSameCommand(_ arguments: [String]) throws {
        guard isDistributed else { return }
        let all = try communicator.allgather(arguments.joined(separator: "\u{1F}")).map {
            $0.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        }
        guard Set(all).count > 1 else { return }
        throw DescentError.ranksDisagree(
            what: "the command's options", values: Self.differences(all))
    }

    /// Each rank's options where the ranks' argument lists differ ("--seed 8"), the whole list
    /// when they differ in length.
    static func differences(_ all: [[String]]) -> [String] {
        let count = all.map(\.count).max() ?? 0
        guard all.allSatisfy({ $0.count == count }) else {
            return all.map { $0.joined(separator: " ") }
        }
        let differing = (0..<count).filter { index in Set(all.map { $0[index] }).count > 1 }
        return all.map { arguments in
            differing.map { index in
                let option = arguments[..<index].last { $0.hasPrefix("--") }
                let value = arguments[index]
                return value.hasPrefix("--") || option == nil ? value : "\(option!) \(value)"
            }.joined(separator: " ")
        }
    }

    /// Runs a command's body on this rank. In one process, as `reportingFailures`. In a
    /// distributed job, a failure on any rank prints one line naming the rank (rank 0 alone when
    /// the ranks disagree, which every rank finds) and ends the whole job at once, so that no
    /// rank waits for it; a body that finishes leaves MPI cleanly.
    func run(_ body: () throws -> Void) throws {
        guard isDistributed else {
            try reportingFailures(body)
            // `mpirun -np 1`: a job of one, which still leaves MPI cleanly.
            (communicator as? MPICommunicator)?.finalize()
            return
        }
        do {
            try body()
        } catch {
            var saidByRoot = false
            if case DescentError.ranksDisagree = error { saidByRoot = true }
            if !(error is ExitCode), isRoot || !saidByRoot {
                StandardError.line(errorLine("error: \(description): \(error)"))
            }
            communicator.abort(code: 1)
        }
        (communicator as? MPICommunicator)?.finalize()
    }
}
