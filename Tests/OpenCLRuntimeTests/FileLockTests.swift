#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch
@testable import DescentOpenCL
import Foundation
import Testing

/// The lock that keeps two tuners of one device apart: the second waits for the first.
@Suite struct FileLockTests {
    @Test func aSecondHolderWaitsForTheFirst() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "descent-lock-\(UUID().uuidString)"
        ).path
        defer { unlink(path) }
        let first = try #require(FileLock(path: path))
        let acquired = DispatchSemaphore(value: 0)
        let released = Date().addingTimeInterval(0.3)
        nonisolated(unsafe) var acquiredAt = Date.distantPast
        DispatchQueue.global().async {
            let second = FileLock(path: path)
            acquiredAt = Date()
            second?.release()
            acquired.signal()
        }
        Thread.sleep(until: released)
        first.release()
        acquired.wait()
        #expect(acquiredAt >= released, "the second lock came only after the first was released")
    }
}
