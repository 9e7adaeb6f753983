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
        process.arguments = [
            "train", "--dataset", "moons", "--backend", "cpu", "--epochs", "500", "--report",
            directory.appendingPathComponent("report").path,
        ]
        process.environment = ProcessInfo.processInfo.environment.merging(
            // Without Swift's backtracer (slow on a debug binary), the process dies of the signal.
            [
                "DESCENT_KERNEL_CACHE": directory.appendingPathComponent("cache").path,
                "SWIFT_BACKTRACE": "enable=no",
            ]) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 1)
        kill(process.processIdentifier, SIGBUS)
        process.waitUntilExit()
        let text = String(
            decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        // It still dies of the signal (the handler before the hint's is put back and runs).
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGBUS)
        #expect(text.contains("error: descent crashed (a fatal signal)"), "\(text)")
        #expect(
            text.contains("delete \(directory.appendingPathComponent("cache").path)"), "\(text)")
    }
}

/// A plain file where PoCL keeps its cache by default no longer hides the device.
@Suite(.requiresOpenCL) struct PoCLCacheInTheWayTests {
    @Test func aPlainFileAtPoCLsCachePlaceDoesNotHideTheDevice() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("not a folder".utf8).write(to: directory.appendingPathComponent("pocl"))
        let result = try DescentProcess.run(
            ["devices"],
            environment: [
                "XDG_CACHE_HOME": directory.path, "DESCENT_KERNEL_CACHE": "", "POCL_CACHE_DIR": "",
            ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(
            result.standardOutput.contains("* ["),
            "a device is listed and chosen: \(result.standardOutput)")
    }
}
