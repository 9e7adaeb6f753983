#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Descent

/// Finds damaged entries of PoCL's kernel cache before any OpenCL call and removes them, so PoCL
/// compiles those kernels again instead of crashing inside the driver (SIGBUS or SIGABRT, with
/// nothing said) on every later run. PoCL keeps one folder per program, `XX/HASH/`, holding the
/// program's LLVM bitcode (`program.bc`) and one shared object per compiled kernel
/// (`kernel/variant/kernel.so`), both folders named in PoCL's hash letters (`isHashName`). A
/// program folder is damaged when its bitcode or one of its shared objects is empty, not of its
/// format, or cut short: the checks read the headers and the block lengths, which a truncation
/// or an overwrite breaks. PoCL's other files (`last_accessed`, its temporary files) are left
/// alone.
enum PoCLCacheCheck {
    /// Removes each damaged program folder of the PoCL cache `folder`; returns one line per
    /// removed folder, naming the damaged file and what is wrong with it.
    static func removeDamagedPrograms(in folder: String) -> [String] {
        // The checks read 64-bit little-endian ELF, what PoCL writes on the hosts Descent runs on.
        guard MemoryLayout<Int>.size == 8, 1.littleEndian == 1 else { return [] }
        var removed: [String] = []
        for prefix in FileIO.entries(of: folder)
        where isHashName(prefix, length: 2...2) && isDirectory(folder + "/" + prefix) {
            for program in FileIO.entries(of: folder + "/" + prefix) where isHashName(program) {
                let path = folder + "/" + prefix + "/" + program
                guard isDirectory(path), let (file, reason) = damage(ofProgram: path) else {
                    continue
                }
                removeTree(path)
                removed.append(
                    "PoCL's kernel cache held a damaged file, \(file) (\(reason)): removed "
                        + "\(path), whose kernels are compiled again")
            }
        }
        return removed
    }

    /// Whether `name` is written as PoCL names its cache folders: hash digits as the letters A
    /// to P (`BL/HOACEMKOCBIEGLAOCJPJKKJHKBCOPPABAHFFA`). Nothing else is ever removed, so a
    /// `POCL_CACHE_DIR` pointed at the wrong folder loses nothing.
    static func isHashName(_ name: String, length: ClosedRange<Int> = 16...128) -> Bool {
        length.contains(name.utf8.count) && name.utf8.allSatisfy { (65...80).contains($0) }
    }

    /// The first damaged file under the program folder `path` and what is wrong with it.
    static func damage(ofProgram path: String) -> (file: String, reason: String)? {
        var files: [String] = []
        collectFiles(path, into: &files)
        for file in files.sorted() {
            let name = file.split(separator: "/").last.map(String.init) ?? file
            let reason: String?
            if name == "program.bc" {
                reason = (try? FileIO.read(file)).map(bitcodeDamage) ?? "unreadable"
            } else if name.hasSuffix(".so") {
                reason = (try? FileIO.read(file)).map(sharedObjectDamage) ?? "unreadable"
            } else {
                reason = nil
            }
            if let reason { return (file, reason) }
        }
        return nil
    }

    /// Why `bytes` is not a whole LLVM bitcode file, or nil: the magic `BC C0 DE`, then
    /// top-level blocks whose 32-bit word counts must end within the file and exactly at its end.
    static func bitcodeDamage(_ bytes: [UInt8]) -> String? {
        guard !bytes.isEmpty else { return "empty" }
        guard bytes.count >= 8, bytes.starts(with: [0x42, 0x43, 0xC0, 0xDE]) else {
            return "not LLVM bitcode"
        }
        var reader = BitReader(bytes: bytes, position: 32)
        while reader.position < bytes.count * 8 {
            // Every top-level entry is a block: ENTER_SUBBLOCK (abbreviation 1 of width 2), the
            // block's id (VBR-8), its abbreviation width (VBR-4), 32-bit alignment, its length.
            guard let abbreviation = reader.bits(2) else { return "cut short" }
            guard abbreviation == 1 else { return "a top-level entry that is not a block" }
            guard reader.vbr(8) != nil, reader.vbr(4) != nil else { return "cut short" }
            reader.alignTo32()
            guard let words = reader.bits(32) else { return "cut short" }
            let end = reader.position + Int(words) * 32
            guard end <= bytes.count * 8 else {
                return "cut short: a block ends at byte \(end / 8) of \(bytes.count)"
            }
            reader.position = end
        }
        return nil
    }

    /// Why `bytes` is not a whole 64-bit ELF shared object, or nil: the magic, then program
    /// headers and section headers, and the segments they describe, within the file.
    static func sharedObjectDamage(_ bytes: [UInt8]) -> String? {
        guard !bytes.isEmpty else { return "empty" }
        guard bytes.count >= 64, bytes.starts(with: [0x7F, 0x45, 0x4C, 0x46]) else {
            return "not an ELF file"
        }
        guard bytes[4] == 2, bytes[5] == 1 else { return "not a 64-bit little-endian ELF file" }
        // A little-endian field, at most 2^40 (past any cache file, and no overflow in sums).
        func field(_ offset: Int, _ size: Int) -> Int {
            guard offset + size <= bytes.count else { return 1 << 40 }
            let value = (0..<size).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }
            return Int(min(value, 1 << 40))
        }
        let size = bytes.count
        let programHeaders = field(0x20, 8), programHeaderSize = field(0x36, 2)
        let programHeaderCount = field(0x38, 2)
        let sectionHeaders = field(0x28, 8), sectionHeaderSize = field(0x3A, 2)
        let sectionHeaderCount = field(0x3C, 2)
        guard programHeaders + programHeaderSize * programHeaderCount <= size,
            sectionHeaders + sectionHeaderSize * sectionHeaderCount <= size
        else { return "cut short: its headers end past its \(size) bytes" }
        for index in 0..<programHeaderCount {
            let header = programHeaders + index * programHeaderSize
            guard field(header + 8, 8) + field(header + 32, 8) <= size else {
                return "cut short: segment \(index) ends past its \(size) bytes"
            }
        }
        return nil
    }

    // MARK: Files

    /// Whether `path` is a folder itself (a link to one is not followed).
    private static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }

    private static func collectFiles(_ folder: String, into files: inout [String]) {
        for name in FileIO.entries(of: folder) {
            let path = folder + "/" + name
            if isDirectory(path) { collectFiles(path, into: &files) } else { files.append(path) }
        }
    }

    /// Deletes `folder` and everything in it, not following links.
    private static func removeTree(_ folder: String) {
        for name in FileIO.entries(of: folder) {
            let path = folder + "/" + name
            if isDirectory(path) { removeTree(path) } else { unlink(path) }
        }
        rmdir(folder)
    }
}

/// Reads an LLVM bitstream: bits from the least significant of each byte on.
private struct BitReader {
    let bytes: [UInt8]
    /// The next bit to read, counted from the start of `bytes`.
    var position: Int

    /// The next `count` bits (at most 32), or nil past the end.
    mutating func bits(_ count: Int) -> UInt64? {
        guard position + count <= bytes.count * 8 else { return nil }
        var value: UInt64 = 0
        for index in 0..<count {
            let bit = position + index
            value |= UInt64((bytes[bit / 8] >> UInt8(bit % 8)) & 1) << UInt64(index)
        }
        position += count
        return value
    }

    /// A variable-width number in chunks of `width` bits, the top bit of each saying "more".
    mutating func vbr(_ width: Int) -> UInt64? {
        var value: UInt64 = 0, shift: UInt64 = 0
        while shift < 64 {
            guard let chunk = bits(width) else { return nil }
            value |= (chunk & ((1 << UInt64(width - 1)) - 1)) << shift
            if chunk & (1 << UInt64(width - 1)) == 0 { return value }
            shift += UInt64(width - 1)
        }
        return nil
    }

    mutating func alignTo32() {
        position = (position + 31) / 32 * 32
    }
}
