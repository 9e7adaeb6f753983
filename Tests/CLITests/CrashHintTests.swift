#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentTestSupport
import Foundation
import Testing

/// A crash inside the driver (a damaged PoCL cache) says which folder to delete.
@Suite struct CrashHintTests {
    @Test func aCrashSignalNamesTheCacheFolder() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = DescentProcess.executable
        process.arguments = ["train", "--dataset", "moons", "--backend", "cpu", "--epochs", "500", "--report",
                             directory.appendingPathComponent("report").path]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["DESCENT_KERNEL_CACHE": directory.appendingPathComponent("cache").path]) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 1)
        kill(process.processIdentifier, SIGBUS)
        process.waitUntilExit()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGBUS)
        #expect(text.contains("error: descent crashed (a fatal signal)"), "\(text)")
        #expect(text.contains("delete \(directory.appendingPathComponent("cache").path)"), "\(text)")
    }
}
