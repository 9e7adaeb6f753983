@testable import descent
import DescentTestSupport
import Foundation
import Testing

/// A damaged PoCL kernel cache (an emptied, overwritten or cut-short kernel or program) is found
/// before PoCL reads it and removed, so the kernels are compiled again instead of crashing.
@Suite struct PoCLCacheCheckTests {
    /// A small bitcode file: the magic, then one block (ENTER_SUBBLOCK, id 8, abbreviation width
    /// 3, aligned) of `words` 32-bit words of zeros.
    static func bitcode(words: UInt32) -> [UInt8] {
        // After the magic: bits 0-1 abbreviation 1, bits 2-9 the id 8 (VBR-8), bits 10-13 the
        // width 3 (VBR-4), then zeros to the 32-bit boundary: one little-endian word.
        let header: UInt32 = 1 | 8 << 2 | 3 << 10
        let word = { (value: UInt32) in (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        }
        return [0x42, 0x43, 0xC0, 0xDE] + word(header) + word(words)
            + [UInt8](repeating: 0, count: Int(words) * 4)
    }

    @Test func bitcodeChecksFindEveryKindOfDamage() {
        let whole = Self.bitcode(words: 5)
        #expect(PoCLCacheCheck.bitcodeDamage(whole) == nil)
        #expect(PoCLCacheCheck.bitcodeDamage(whole + Self.bitcode(words: 2).dropFirst(4)) == nil)
        #expect(PoCLCacheCheck.bitcodeDamage([]) == "empty")
        #expect(
            PoCLCacheCheck.bitcodeDamage(Array(repeating: 0x41, count: 64)) == "not LLVM bitcode")
        for cut in [9, 12, 16, whole.count - 1] {
            let damage = PoCLCacheCheck.bitcodeDamage(Array(whole.prefix(cut)))
            #expect(
                damage?.hasPrefix("cut short") == true,
                "cut at \(cut): \(String(describing: damage))")
        }
        // Anything but a block at the top level (here abbreviation 0) is not bitcode PoCL wrote.
        #expect(PoCLCacheCheck.bitcodeDamage([0x42, 0x43, 0xC0, 0xDE, 0, 0, 0, 0]) != nil)
    }

    /// Only folders named as PoCL names them are ever looked at, so a cache folder pointed at
    /// the wrong place loses nothing.
    @Test func onlyPoCLsOwnFoldersAreRemoved() throws {
        #expect(PoCLCacheCheck.isHashName("BL", length: 2...2))
        #expect(PoCLCacheCheck.isHashName("HOACEMKOCBIEGLAOCJPJKKJHKBCOPPABAHFFA"))
        #expect(
            !PoCLCacheCheck.isHashName("lib") && !PoCLCacheCheck.isHashName("bl", length: 2...2))
        let folder = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        for program in ["BL/HOACEMKOCBIEGLAOCJPJKKJHKBCOPPABAHFFA", "us/r-lib-not-pocl"] {
            let path = folder.appendingPathComponent(program)
            try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
            try Data().write(to: path.appendingPathComponent("kernel.so"))
        }
        let removed = PoCLCacheCheck.removeDamagedPrograms(in: folder.path)
        #expect(
            removed.count == 1 && removed[0].contains("BL/HOACEMKOCBIEGLAOCJPJKKJHKBCOPPABAHFFA"))
        #expect(
            FileManager.default.fileExists(
                atPath: folder.appendingPathComponent("us/r-lib-not-pocl").path))
    }

    @Test func sharedObjectChecksFindEveryKindOfDamage() throws {
        // A real shared object: the OpenCL loader the tests run with.
        let library = try #require(
            [
                "/usr/lib/x86_64-linux-gnu/libOpenCL.so.1",
                "/usr/lib/aarch64-linux-gnu/libOpenCL.so.1",
            ]
            .first { FileManager.default.fileExists(atPath: $0) })
        let whole = [UInt8](try Data(contentsOf: URL(fileURLWithPath: library)))
        #expect(PoCLCacheCheck.sharedObjectDamage(whole) == nil)
        #expect(PoCLCacheCheck.sharedObjectDamage([]) == "empty")
        #expect(PoCLCacheCheck.sharedObjectDamage(Array(whole.prefix(40))) == "not an ELF file")
        #expect(
            PoCLCacheCheck.sharedObjectDamage(Array(repeating: 0xAB, count: 4096))
                == "not an ELF file")
        for cut in [64, whole.count / 2, whole.count - 1] {
            let damage = PoCLCacheCheck.sharedObjectDamage(Array(whole.prefix(cut)))
            #expect(
                damage?.hasPrefix("cut short") == true,
                "cut at \(cut): \(String(describing: damage))")
        }
    }
}

/// The whole path on PoCL: a run fills the cache, the test damages it three ways, and the next run
/// says what it removed, compiles again and trains; the run after it finds nothing to remove.
@Suite(.requiresOpenCL) struct PoCLCacheRepairTests {
    @Test func aDamagedCacheIsFoundRemovedAndRebuilt() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = directory.appendingPathComponent("cache")
        let environment = [
            "DESCENT_KERNEL_CACHE": cache.path, "POCL_CACHE_DIR": "",
            "DESCENT_DEVICE": "Portable Computing Language",
        ]
        let arguments = [
            "train", "--dataset", "moons", "--epochs", "1", "--backend", "opencl", "--report",
            directory.appendingPathComponent("report").path,
        ]
        let first = try DescentProcess.run(arguments, environment: environment)
        try #require(first.status == 0, "\(first.standardError)")

        let pocl = cache.appendingPathComponent("pocl").path
        let files = try #require(FileManager.default.subpaths(atPath: pocl)).sorted()
        let kernels = files.filter { $0.hasSuffix(".so") },
            programs = files.filter {
                $0.hasSuffix("program.bc")
            }
        try #require(kernels.count >= 2 && programs.count >= 1, "PoCL's cache: \(files)")
        func folder(_ file: String) -> String {
            file.split(separator: "/").prefix(2).joined(separator: "/")
        }
        // Three kinds of damage, each in its own program folder where the cache has several.
        let emptied = kernels[0]
        let halved = programs.first { folder($0) != folder(emptied) } ?? programs[0]
        let overwritten = kernels.last { ![folder(emptied), folder(halved)].contains(folder($0)) }
        func path(_ file: String) -> URL { URL(fileURLWithPath: pocl + "/" + file) }
        try Data().write(to: path(emptied))
        let program = try Data(contentsOf: path(halved))
        try program.prefix(program.count / 2).write(to: path(halved))
        if let overwritten { try Data(repeating: 0xAB, count: 4096).write(to: path(overwritten)) }
        let damagedFolders = Set([emptied, halved] + (overwritten.map { [$0] } ?? []).map(folder))

        let second = try DescentProcess.run(arguments, environment: environment)
        #expect(second.status == 0, "\(second.standardError)")
        let notes = second.errorLines.filter {
            $0.hasPrefix("note: PoCL's kernel cache held a damaged file")
        }
        #expect(notes.count == damagedFolders.count, "\(second.standardError)")
        for damaged in damagedFolders {
            #expect(notes.contains { $0.contains(pocl + "/" + damaged) }, "\(damaged): \(notes)")
        }
        #expect(second.standardOutput.contains("Test loss"), "\(second.standardOutput)")

        let third = try DescentProcess.run(arguments, environment: environment)
        #expect(third.status == 0, "\(third.standardError)")
        #expect(!third.standardError.contains("damaged"), "\(third.standardError)")
    }
}
