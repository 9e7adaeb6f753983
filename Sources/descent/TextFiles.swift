import Descent
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The whole of a text file.
/// - Throws: `DescentError.invalidArgument` naming the file when it cannot be read.
func readTextFile(_ path: String) throws -> String {
    guard let file = fopen(path, "rb") else {
        throw usageError("cannot read \(path): \(String(cString: strerror(errno)))")
    }
    defer { fclose(file) }
    var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 1 << 16)
    while case let count = fread(&chunk, 1, chunk.count, file), count > 0 { bytes += chunk[..<count] }
    return String(decoding: bytes, as: UTF8.self)
}

/// Writes `text` to `path`, replacing it.
/// - Throws: `DescentError.invalidArgument` naming the file when it cannot be written.
func writeTextFile(_ path: String, _ text: String) throws {
    guard let file = fopen(path, "wb") else {
        throw usageError("cannot write \(path): \(String(cString: strerror(errno)))")
    }
    let bytes = Array(text.utf8)
    let written = fwrite(bytes, 1, bytes.count, file)
    guard fclose(file) == 0, written == bytes.count else { throw usageError("cannot write \(path): \(String(cString: strerror(errno)))") }
}
