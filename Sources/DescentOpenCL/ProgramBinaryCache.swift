#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

/// Compiled program binaries on disk, so that a second run skips the OpenCL compiler.
///
/// One file per program under `$XDG_CACHE_HOME/descent` (else `~/.cache/descent`), named by a hash
/// of its key; the key (source hash, build options, device name, driver and platform version) is
/// stored inside and compared on load. Each file carries a checksum of its payload: a truncated or
/// corrupt file is reported as missing and rebuilt, never trusted. Files are written to a
/// temporary name and renamed into place, so a crash never leaves half a file under the real name.
/// `DESCENT_KERNEL_CACHE=off` disables the cache; `DESCENT_KERNEL_CACHE=/some/dir` moves it.
struct ProgramBinaryCache: Sendable, Equatable {
    /// Where the files go; `nil` when the cache is disabled.
    let directory: String?

    private static let magic = Array("DESCENTB".utf8)

    /// The cache the environment asks for, on `device`.
    ///
    /// Disabled where the driver keeps a compiled-kernel cache of its own: PoCL does (its kcache,
    /// unless `POCL_KERNEL_CACHE=0`), caching both the program and each kernel's machine code, and
    /// asking PoCL for a program binary makes it compile every kernel in the program first
    /// (~12 s for Descent's on a 2-core CPU, most of them never launched).
    static func standard(for device: OpenCLDeviceInfo) -> ProgramBinaryCache {
        if device.platformName == "Portable Computing Language"
            && variable("POCL_KERNEL_CACHE") != "0"
        {
            return ProgramBinaryCache(directory: nil)
        }
        return standard
    }

    /// The cache the environment asks for.
    static var standard: ProgramBinaryCache {
        switch variable("DESCENT_KERNEL_CACHE") {
        case "off", "0", "false": return ProgramBinaryCache(directory: nil)
        case let path?: return ProgramBinaryCache(directory: path)
        case nil: break
        }
        if let cacheHome = variable("XDG_CACHE_HOME") {
            return ProgramBinaryCache(directory: cacheHome + "/descent")
        }
        if let home = variable("HOME") {
            return ProgramBinaryCache(directory: home + "/.cache/descent")
        }
        return ProgramBinaryCache(directory: nil)
    }

    /// The file that holds the program with this key.
    func path(for key: String) -> String? {
        directory.map { "\($0)/\(hexadecimal(fnv1a64(Array(key.utf8)))).clbin" }
    }

    /// The binary stored under `key`, or nil when there is none or it fails any check.
    func load(key: String) -> [UInt8]? {
        guard let path = path(for: key), let bytes = try? FileIO.read(path) else { return nil }
        var reader = ByteReader(bytes: bytes)
        guard reader.take(Self.magic.count) == Self.magic,
            let keyLength = reader.takeUInt64(),
            let storedKey = reader.take(Int(clamping: keyLength)),
            storedKey == Array(key.utf8),
            let payloadLength = reader.takeUInt64(), let checksum = reader.takeUInt64(),
            let payload = reader.take(Int(clamping: payloadLength)), reader.isAtEnd,
            fnv1a64(payload) == checksum
        else { return nil }
        return payload
    }

    /// Stores `binary` under `key`, atomically. Failures are ignored: the cache is an optimization.
    func store(key: String, binary: [UInt8]) {
        guard let directory, let path = path(for: key), FileIO.makeDirectories(directory) else {
            return
        }
        var bytes = Self.magic
        appendUInt64(&bytes, UInt64(key.utf8.count))
        bytes += Array(key.utf8)
        appendUInt64(&bytes, UInt64(binary.count))
        appendUInt64(&bytes, fnv1a64(binary))
        bytes += binary
        try? FileIO.writeAtomically(bytes, to: path)
    }

    /// Removes the file for `key`, if any.
    func remove(key: String) {
        if let path = path(for: key) { unlink(path) }
    }
}

/// The environment variable `name`, or nil when it is unset or empty.
private func variable(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    let text = String(cString: value)
    return text.isEmpty ? nil : text
}

/// FNV-1a, 64-bit: a fast, stable hash for cache keys and checksums (not for security).
func fnv1a64(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01B3
    }
    return hash
}

func hexadecimal(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}

private func appendUInt64(_ bytes: inout [UInt8], _ value: UInt64) {
    for shift in stride(from: 0, to: 64, by: 8) {
        bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
    }
}

/// Reads little-endian fields from a byte array, returning nil past the end.
private struct ByteReader {
    let bytes: [UInt8]
    var position = 0

    var isAtEnd: Bool { position == bytes.count }

    mutating func take(_ count: Int) -> [UInt8]? {
        guard count >= 0, count <= bytes.count - position else { return nil }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    mutating func takeUInt64() -> UInt64? {
        guard let field = take(8) else { return nil }
        return field.enumerated().reduce(0) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) }
    }
}
