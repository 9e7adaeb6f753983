#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
@testable import DescentCore
import Foundation
import Testing

/// A writer killed between creating its temporary file and renaming it leaves the file behind;
/// the next atomic write of the same path removes it (and only such files).
@Suite struct AtomicWriteTests {
    @Test func theNextWriteRemovesWhatAKilledWriterLeft() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "descent-atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var dead: Int32 = 999_999
        while kill(dead, 0) == 0 || errno != ESRCH { dead -= 1 }
        let host = FileIO.hostName
        let names = [
            "model.safetensors.\(host).\(dead).12345.tmp",  // a dead writer's here: removed
            "model.safetensors.\(host).\(getpid()).777.tmp",  // this process's own: kept
            "model.safetensors.\(host).1.42.tmp",  // init's, alive: kept
            "model.safetensors.elsewhere.\(dead).5.tmp",  // another machine's: kept
            "model.safetensors.\(host).-5.5.tmp",  // not a process: kept
            "index.html.\(host).\(dead).9.tmp",  // another file's: kept
            "model.safetensors.notes.tmp",  // not the pattern: kept
        ]
        for name in names { try Data([1, 2, 3]).write(to: directory.appendingPathComponent(name)) }
        let path = directory.appendingPathComponent("model.safetensors").path
        try FileIO.writeAtomically([7, 8, 9], to: path)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
        #expect(left == Set(names.dropFirst() + ["model.safetensors"]), "\(left.sorted())")
        #expect(try FileIO.read(path) == [7, 8, 9])
    }
}
