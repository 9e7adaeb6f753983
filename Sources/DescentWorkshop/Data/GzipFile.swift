#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CZlib
import DescentCore
import DescentTraining

/// A file opened with zlib's `gzopen`, read in chunks; errors name the file.
final class GzipFile {
    let path: String
    private let operation: String
    private var handle: gzFile?

    /// The size of one `gzread` call.
    private static let chunkSize = 1 << 22

    init(path: String, operation: String) throws {
        self.path = path
        self.operation = operation
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw DescentError.invalidArgument(
                operation: operation,
                reason: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw DescentError.invalidArgument(
                operation: operation, reason: "\(path) is not a regular file")
        }
        guard let handle = gzopen(path, "rb") else {
            throw DescentError.invalidArgument(
                operation: operation,
                reason: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        gzbuffer(handle, 1 << 18)
        self.handle = handle
    }

    deinit { close() }

    func close() {
        if let handle { gzclose(handle) }
        handle = nil
    }

    /// An error about this file: `path` followed by `reason`.
    func error(_ reason: String) -> DescentError {
        .invalidArgument(operation: operation, reason: "\(path) \(reason)")
    }

    /// Reads up to `count` bytes into `buffer`, returning how many were read (fewer only at the end).
    private func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var total = 0
        while total < buffer.count {
            let length = UInt32(min(buffer.count - total, Self.chunkSize))
            let got = gzread(handle, buffer.baseAddress! + total, length)
            if got < 0 {
                var code: Int32 = 0
                let message = String(cString: gzerror(handle, &code))
                throw error(
                    "is not a valid gzip file or is corrupt (zlib: \(message)); download or copy it again"
                )
            }
            if got == 0 {
                // The end of the input: zlib reports a gzip stream cut short as Z_BUF_ERROR.
                var code: Int32 = 0
                _ = gzerror(handle, &code)
                if code == Z_BUF_ERROR {
                    throw error(
                        "is truncated: its gzip stream ends before its end marker; it may be an incomplete download or copy"
                    )
                }
                break
            }
            total += Int(got)
        }
        return total
    }

    /// Exactly `count` bytes; a shorter file is reported as truncated while reading `what`.
    func readExactly(_ count: Int, what: String) throws -> [UInt8] {
        let bytes = try read(limit: count)
        guard bytes.count == count else {
            throw error(
                "is truncated: it ends after \(bytes.count) of the \(count) bytes of \(what)")
        }
        return bytes
    }

    /// Exactly `expected` bytes and then the end of the file.
    func readAll(expected: Int, what: String) throws -> [UInt8] {
        let bytes = try read(limit: expected)
        if bytes.count < expected {
            throw error(
                "is truncated: its header declares \(expected) bytes of \(what) but the file holds "
                    + "\(bytes.count); it may be an incomplete download or copy")
        }
        var extra: UInt8 = 0
        if try withUnsafeMutableBytes(of: &extra, { try read(into: $0) }) > 0 {
            throw error(
                "has bytes after the \(expected) bytes of \(what) that its header declares; is it corrupt?"
            )
        }
        return bytes
    }

    /// Every remaining byte of the file (decompressed).
    func readToEnd() throws -> [UInt8] {
        try read(limit: .max)
    }

    /// The next `limit` bytes, or fewer at the end of the file. They are read in chunks and joined
    /// once at the end, so that memory grows with what the file holds rather than with what a
    /// (possibly corrupt) header declares.
    private func read(limit: Int) throws -> [UInt8] {
        var chunks = [[UInt8]]()
        var total = 0
        while total < limit {
            let want = min(limit - total, Self.chunkSize)
            var got = 0
            let chunk = try [UInt8](unsafeUninitializedCapacity: want) { buffer, initialized in
                got = try read(into: UnsafeMutableRawBufferPointer(buffer))
                initialized = got
            }
            chunks.append(chunk)
            total += got
            if got < want { break }
        }
        if chunks.count == 1 { return chunks[0] }
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            var offset = 0
            for chunk in chunks {
                chunk.withUnsafeBufferPointer { source in
                    (buffer.baseAddress! + offset).initialize(
                        from: source.baseAddress!, count: source.count)
                }
                offset += chunk.count
            }
            initialized = total
        }
    }
}
