#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reading and writing the files of Descent's on-disk caches (program binaries, matmul tunings).
enum CacheFile {
    /// The file's bytes, or nil when it cannot be opened or read.
    static func read(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let read = fread(&chunk, 1, chunk.count, file)
            bytes += chunk[0..<read]
            if read < chunk.count { return ferror(file) == 0 ? bytes : nil }
        }
    }

    /// Writes `bytes` to a temporary name beside `path` and renames it into place, so that a
    /// crash never leaves half a file under the real name; false when any step failed.
    @discardableResult
    static func writeAtomically(_ bytes: [UInt8], to path: String) -> Bool {
        let temporary = "\(path).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        guard let file = fopen(temporary, "wb") else { return false }
        let written = fwrite(bytes, 1, bytes.count, file)
        if fclose(file) == 0 && written == bytes.count && rename(temporary, path) == 0 { return true }
        unlink(temporary)
        return false
    }

    /// Creates `path` and its parents as needed; false when one cannot be made.
    static func makeDirectories(_ path: String) -> Bool {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { return false }
        }
        return true
    }
}
