#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch
import Foundation
import Testing

/// `descent train` under `mpirun` (Open MPI, which `.ci/run` installs): data-parallel training
/// ends with the parameters one process reaches on the same global batches, the same on every
/// rank; a killed rank ends the job; ranks started differently are refused.
@Suite(.serialized) struct DistributedTrainingTests {
    /// `mpirun` for `ranks` ranks on this machine: as root, more ranks than cores, shared memory
    /// only (no network interfaces, no kernel copy help, as in a container).
    static func mpirun(ranks: Int) -> [String] {
        [
            "mpirun", "--allow-run-as-root", "--oversubscribe", "--mca", "btl", "self,vader",
            "--mca", "btl_vader_single_copy_mechanism", "none", "-np", String(ranks),
        ]
    }

    /// Fails, saying how to install it, when Open MPI's `mpirun` is not on the path.
    static func requireMPI() throws {
        let found = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].contains {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        try #require(
            found,
            "Open MPI is needed for the distributed tests: apt-get install openmpi-bin (scripts/install-deps.sh --tests)"
        )
    }

    /// Each tensor of a safetensors file, by name.
    static func tensors(_ url: URL) throws -> [String: [Float]] {
        let bytes = try Data(contentsOf: url)
        let length = bytes.prefix(8).enumerated().reduce(0) {
            $0 | Int($1.element) << (8 * $1.offset)
        }
        let header = try #require(
            try JSONSerialization.jsonObject(with: bytes.dropFirst(8).prefix(length))
                as? [String: Any])
        let data = bytes.dropFirst(8 + length)
        var tensors: [String: [Float]] = [:]
        for (name, entry) in header where name != "__metadata__" {
            let offsets = try #require((entry as? [String: Any])?["data_offsets"] as? [Int])
            let slice = data.dropFirst(offsets[0]).prefix(offsets[1] - offsets[0])
            tensors[name] = slice.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        }
        return tensors
    }

    /// The largest relative difference between the same parameters of two weight files,
    /// `||a - b|| / ||a||` per tensor (a tensor's relative error, which an element near zero,
    /// where Adam's normalized step turns rounding into a full step, does not dominate); batch
    /// norm's running statistics, estimates that are not trained and whose means sit near zero,
    /// count element by element, relative to their value or 1, whichever is larger.
    static func largestRelativeDifference(_ a: URL, _ b: URL) throws -> Float {
        let first = try tensors(a), second = try tensors(b)
        try #require(Set(first.keys) == Set(second.keys) && !first.isEmpty)
        var largest: Float = 0
        for (name, values) in first {
            let other = try #require(second[name])
            try #require(values.count == other.count)
            if name.contains("running_") {
                largest = max(
                    largest, zip(values, other).map { abs($0 - $1) / max(abs($0), 1) }.max() ?? 0)
                continue
            }
            let difference = zip(values, other).reduce(Float(0)) {
                $0 + ($1.0 - $1.1) * ($1.0 - $1.1)
            }
            let norm = values.reduce(Float(0)) { $0 + $1 * $1 }
            largest = max(largest, (difference / max(norm, .leastNormalMagnitude)).squareRoot())
        }
        return largest
    }

    /// Trains `arguments` in one process and on `ranks` ranks; returns the largest relative
    /// difference of the parameters and the distributed run's output.
    static func compare(ranks: Int, _ arguments: [String]) throws -> (Float, DescentProcess.Result)
    {
        try requireMPI()
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let alone = try DescentProcess.run(arguments + ["--report", "alone"], in: directory)
        try #require(alone.status == 0, "\(alone.standardError)")
        let job = try DescentProcess.run(
            arguments + ["--report", "job"], in: directory, timeout: 300,
            launcher: mpirun(ranks: ranks))
        try #require(job.status == 0, "\(job.standardOutput)\n\(job.standardError)")
        let difference = try largestRelativeDifference(
            directory.appendingPathComponent("alone/model.safetensors"),
            directory.appendingPathComponent("job/model.safetensors"))
        return (difference, job)
    }

    /// Spirals (2,100 training samples), one epoch.
    static let spirals = [
        "train", "--dataset", "spirals", "--seed", "7", "--epochs", "1", "--no-sanity-checks",
        "--monitor-every", "0",
    ]

    @Test func twoRanksReachOneProcesssParametersWithSGD() throws {
        // Batches of 105: 20 steps.
        let (difference, job) = try Self.compare(
            ranks: 2,
            Self.spirals + [
                "--no-batch-norm", "--batch-size", "105", "--optimizer", "sgd", "--dropout", "0",
                "--backend", "cpu",
            ])
        #expect(difference <= 1e-5, "largest relative difference \(difference)")
        #expect(job.standardOutput.contains("Distributed: rank 0 of 2"))
        #expect(job.standardOutput.contains("Parameters identical on all 2 ranks"))
        // Rank 0 alone prints the results.
        #expect(job.standardOutput.components(separatedBy: "Test loss").count == 2)
    }

    @Test func twoRanksReachOneProcesssParametersWithAdamAndDropoutOnOpenCL() throws {
        // Adam, and dropout whose masks follow each sample to whichever rank takes it.
        let (difference, job) = try Self.compare(
            ranks: 2, Self.spirals + ["--no-batch-norm", "--batch-size", "105", "--dropout", "0.3"])
        #expect(difference <= 1e-4, "largest relative difference \(difference)")
        #expect(job.standardOutput.contains("Parameters identical on all 2 ranks"))
    }

    @Test func twoRanksWithSynchronizedBatchNormReachOneProcesssParameters() throws {
        // Batch norm over the global batch: its statistics and sums cross the ranks at each layer.
        let (difference, job) = try Self.compare(
            ranks: 2,
            Self.spirals + ["--batch-size", "105", "--optimizer", "sgd", "--dropout", "0"])
        #expect(difference <= 1e-5, "largest relative difference \(difference)")
        #expect(job.standardOutput.contains("Parameters identical on all 2 ranks"))
    }

    @Test func threeRanksShareAnUnevenLastBatch() throws {
        // 2,100 = 16 x 131 + 4: the last batch of 4 goes to two ranks in pairs, the third sits
        // it out (joining synchronized batch norm with nothing); the others split 44/44/43.
        let (difference, job) = try Self.compare(
            ranks: 3,
            Self.spirals + [
                "--batch-size", "131", "--optimizer", "sgd", "--dropout", "0", "--backend", "cpu",
            ])
        #expect(difference <= 1e-5, "largest relative difference \(difference)")
        #expect(job.standardOutput.contains("Parameters identical on all 3 ranks"))
    }

    @Test func twoRanksTrainAConvolutionalNetworkWithAugmentationAsOneProcess() throws {
        // Convolution, batch norm over channels (synchronized), pooling, and crops and flips
        // drawn where one process draws them for each sample.
        let (difference, job) = try Self.compare(
            ranks: 2,
            [
                "train", "--dataset", "fashion-mnist", "--train-subset", "640", "--seed", "7",
                "--epochs", "1", "--batch-size", "64", "--optimizer", "sgd", "--lr", "0.05",
                "--layers", "conv:4:3,bn,relu,maxpool:2,flatten,dense:16,relu",
                "--augment", "crop:2,flip", "--no-sanity-checks", "--monitor-every", "0",
            ])
        #expect(difference <= 1e-5, "largest relative difference \(difference)")
        #expect(job.standardOutput.contains("Parameters identical on all 2 ranks"))
    }

    @Test func ranksStartedWithDifferentSeedsAreRefused() throws {
        try Self.requireMPI()
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let common = [
            "train", "--dataset", "spirals", "--epochs", "1", "--backend", "cpu", "--quiet",
            "--no-sanity-checks",
        ]
        let executable = DescentProcess.executable.path
        // Open MPI's MPMD form: one rank with each command line.
        let job = try DescentProcess.run(
            common + ["--seed", "7", ":", "-np", "1", executable] + common + ["--seed", "8"],
            in: directory, timeout: 120, launcher: Self.mpirun(ranks: 1))
        #expect(job.status != 0)
        #expect(
            job.standardError.contains(
                "disagree on the command's options (rank 0: --seed 7; rank 1: --seed 8)"),
            "\(job.standardError)")
        #expect(
            !FileManager.default.fileExists(
                atPath: directory.appendingPathComponent("descent-report/model.safetensors").path))
    }

    @Test func aRankThatFailsEndsTheJobNamingItself() throws {
        try Self.requireMPI()
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let train = [
            DescentProcess.executable.path, "train", "--dataset", "fashion-mnist",
            "--train-subset", "2000", "--epochs", "50", "--backend", "cpu", "--quiet",
        ]
        // Rank 1 looks for the data where there is none.
        let started = Date()
        let job = try DescentProcess.run(
            Array(train.dropFirst()) + [
                ":", "-np", "1", "/usr/bin/env", "DESCENT_DATA=/nonexistent/descent-data",
            ] + train, in: directory, timeout: 120, launcher: Self.mpirun(ranks: 1))
        #expect(Date().timeIntervalSince(started) < 10, "the job outlived its failed rank")
        #expect(job.status != 0)
        #expect(
            job.standardError.contains("error: rank 1 of 2")
                && job.standardError.contains("/nonexistent/descent-data"), "\(job.standardError)")
    }

    @Test func commandsOfOneProcessRefuseToRunAsAJob() throws {
        try Self.requireMPI()
        let job = try DescentProcess.run(
            ["lr-find", "--dataset", "spirals"], timeout: 120, launcher: Self.mpirun(ranks: 2))
        #expect(job.status != 0)
        #expect(
            job.standardError.contains(
                "only train and search run as a job of several processes; run this command without mpirun"
            ), "\(job.standardError)")
    }

    @Test func aKilledRankEndsTheJobWithinTenSeconds() throws {
        try Self.requireMPI()
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            Self.mpirun(ranks: 2) + [DescentProcess.executable.path] + Self.spirals + [
                "--epochs", "1000", "--patience", "0", "--backend", "cpu", "--quiet",
            ]
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        // The ranks are mpirun's children; kill one once both are training.
        var ranks: [Int32] = []
        for _ in 0..<200 where ranks.count < 2 {
            usleep(50_000)
            let children =
                (try? String(
                    contentsOfFile:
                        "/proc/\(process.processIdentifier)/task/\(process.processIdentifier)/children",
                    encoding: .utf8)) ?? ""
            ranks = children.split(separator: " ").compactMap { Int32($0) }
        }
        try #require(ranks.count == 2, "mpirun started \(ranks.count) ranks")
        sleep(3)
        #expect(process.isRunning, "the job ended before a rank was killed")
        let killed = Date()
        kill(ranks[1], SIGKILL)
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            process.waitUntilExit()
            finished.signal()
        }
        let ended = finished.wait(timeout: .now() + 30) == .success
        if !ended { kill(process.processIdentifier, SIGKILL) }
        let seconds = Date().timeIntervalSince(killed)
        #expect(ended && seconds < 10, "the job ended \(seconds) s after a rank was killed")
        #expect(process.terminationStatus != 0)
        let said = String(
            decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(said.contains("exited on signal 9"), "\(said)")
    }
}
