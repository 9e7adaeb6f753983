#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation

/// Runs the `descent` executable built next to the test binary, capturing what it prints.
struct DescentProcess {
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String

        /// The lines of standard error, without empty ones.
        var errorLines: [String] { standardError.split(separator: "\n").map(String.init) }
    }

    /// `descent`, in the same build directory as this test binary (SwiftPM builds it because the
    /// test target depends on it).
    static var executable: URL {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testBinary.deletingLastPathComponent().appendingPathComponent("descent")
    }

    /// Runs `descent arguments...` to completion; standard output and error go through files,
    /// so that a chatty process never blocks on a full pipe. `environment` is added to this
    /// process's; by default `DESCENT_KERNEL_CACHE=off`, so that no matmul tuning stored on this
    /// machine, nor a tuning run, enters a test that is not about them. A process still running
    /// after `timeout` seconds is killed (status 9), so that a runaway fails instead of hanging.
    /// - Parameter launcher: a command that starts `descent` (`mpirun ...`), given its path and
    ///   then `arguments`; empty to run it directly.
    static func run(
        _ arguments: [String], in directory: URL? = nil,
        environment: [String: String] = ["DESCENT_KERNEL_CACHE": "off"],
        timeout: Int = 600, launcher: [String] = []
    ) throws -> Result {
        let scratch = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outputURL = scratch.appendingPathComponent("stdout"),
            errorURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputURL),
            error = try FileHandle(forWritingTo: errorURL)
        let process = Process()
        if launcher.isEmpty {
            process.executableURL = executable
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = launcher + [executable.path] + arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = directory ?? scratch
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // A runaway is a failure, not a hang.
        let deadline = DispatchTime.now() + .seconds(timeout)
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            process.waitUntilExit()
            finished.signal()
        }
        if finished.wait(timeout: deadline) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
        }
        try output.close()
        try error.close()
        return Result(
            status: process.terminationStatus,
            standardOutput: try String(contentsOf: outputURL, encoding: .utf8),
            standardError: try String(contentsOf: errorURL, encoding: .utf8))
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "descent-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
