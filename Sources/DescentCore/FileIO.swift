#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Whole-file reads and crash-safe writes: checkpoints, reports and search results (`Descent`),
/// and the kernel caches (`DescentOpenCL`).
public enum FileIO {
    /// Why a read or a write failed: the file, and what went wrong in the C library's words.
    public struct Failure: Error, Equatable {
        public let path: String
        public let reason: String
    }

    /// The C library's text for the current `errno`.
    public static func errorText() -> String { String(cString: strerror(errno)) }

    /// The whole file at `path`.
    public static func read(_ path: String) throws(Failure) -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw Failure(path: path, reason: "cannot open: \(errorText())")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let read = fread(&chunk, 1, chunk.count, file)
            bytes += chunk[0..<read]
            if read < chunk.count {
                guard ferror(file) == 0 else {
                    throw Failure(path: path, reason: "read failed: \(errorText())")
                }
                return bytes
            }
        }
    }

    /// Writes `bytes` to a temporary file next to `path`, flushes and `fsync`s it, and renames it
    /// over `path` (then syncs the directory), so `path` holds either the old or the new file.
    /// Temporary files that an earlier, killed writer left for `path` are removed first.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(Failure) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        removeStaleTemporaries(of: path, in: directory)
        let temporary = "\(path).\(hostName).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        guard let file = fopen(temporary, "wb") else {
            throw Failure(
                path: temporary, reason: "cannot create the temporary file: \(errorText())")
        }
        let written = fwrite(bytes, 1, bytes.count, file)
        var failure: String?
        if written != bytes.count {
            failure = "wrote \(written) of \(bytes.count) bytes: \(errorText())"
        } else if fflush(file) != 0 {
            failure = "flush failed: \(errorText())"
        } else if fsync(fileno(file)) != 0 {
            failure = "fsync failed: \(errorText())"
        }
        if fclose(file) != 0 && failure == nil { failure = "close failed: \(errorText())" }
        if failure == nil && rename(temporary, path) != 0 {
            failure = "cannot rename into place: \(errorText())"
        }
        if let failure {
            unlink(temporary)
            throw Failure(path: path, reason: failure)
        }
        let descriptor = open(directory, O_RDONLY)
        if descriptor >= 0 {
            _ = fsync(descriptor)
            close(descriptor)
        }
    }

    /// This machine's name, part of temporary file names: a writer on another machine (a shared
    /// home folder) or in another container has a different one, and its files are not judged
    /// by this machine's process list. Dots become dashes, so the name parses back.
    static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "host" }
        let name = String(
            decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "host" : String(name.map { $0 == "." || $0 == "/" ? "-" : $0 })
    }()

    /// Deletes `NAME.HOST.PID.N.tmp` files next to `path` that this machine's writers left and
    /// whose process `PID` no longer runs: what a writer killed between creating its temporary
    /// file and renaming it leaves behind. A live writer's file, and any other machine's, is left
    /// alone.
    static func removeStaleTemporaries(of path: String, in directory: String) {
        let name = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
        let prefix = name + "." + hostName + "."
        var stale: [String] = []
        for file in entries(of: directory) {
            guard file.hasPrefix(prefix), file.hasSuffix(".tmp") else { continue }
            let middle = file.dropFirst(prefix.count).dropLast(4).split(
                separator: ".", omittingEmptySubsequences: false)
            guard middle.count == 2,
                middle.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }),
                let pid = Int32(middle[0]), pid > 0, UInt32(middle[1]) != nil
            else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH { stale.append(file) }
        }
        for file in stale { unlink(directory + "/" + file) }
    }

    /// The names in the folder `directory` but `.` and `..`; none when it cannot be read.
    public static func entries(of directory: String) -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Deletes the file at `path` if there is one.
    public static func remove(_ path: String) {
        unlink(path)
    }

    /// The process's working directory ("." when it cannot be read).
    public static var currentDirectory: String {
        guard let path = getcwd(nil, 0) else { return "." }
        defer { free(path) }
        return String(cString: path)
    }

    /// Creates `path` and its parents as needed; false when one cannot be made.
    public static func makeDirectories(_ path: String) -> Bool {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { return false }
        }
        return true
    }
}
