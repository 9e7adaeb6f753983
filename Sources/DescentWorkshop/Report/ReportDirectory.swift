#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentTraining

/// Writes the files of a report (a page and its data) into a directory.
public enum ReportDirectory {
    /// Creates `directory` (and its missing parents), then writes each file into it atomically:
    /// to a temporary file, flushed and synced, renamed over the name. A reader never sees half a
    /// page, and a failed write leaves any previous file in place.
    /// - Parameters:
    ///   - files: plain file names (no `/`), each with its text, written as UTF-8.
    ///   - directory: the directory, relative or absolute.
    /// - Throws: `DescentError.invalidArgument` when a part of `directory` exists but is not a
    ///   directory, a directory cannot be created or a file cannot be written (the message says
    ///   which and why), or a file name is empty or holds a `/`.
    public static func write(
        _ files: [(name: String, contents: String)], to directory: String
    ) throws {
        let operation = "ReportDirectory.write"
        for file in files
        where file.name.isEmpty || file.name.contains("/") || file.name == "." || file.name == ".."
        {
            throw DescentError.invalidArgument(
                operation: operation, reason: "'\(file.name)' is not a plain file name")
        }
        try createDirectory(directory, operation: operation)
        for file in files {
            let path = (directory.hasSuffix("/") ? directory : directory + "/") + file.name
            do {
                try FileIO.writeAtomically(Array(file.contents.utf8), to: path)
            } catch {
                throw DescentError.invalidArgument(
                    operation: operation, reason: "cannot write \(path): \(error.reason)")
            }
        }
    }

    /// Creates `directory` and its missing parents, like `mkdir -p`, so that a report's
    /// destination can be checked before a long run rather than after it.
    /// - Throws: `DescentError.invalidArgument` as `write(_:to:)`.
    public static func create(_ directory: String) throws {
        try createDirectory(directory, operation: "ReportDirectory.create")
    }

    /// `mkdir -p`: each missing component is created; one that exists must be a directory.
    private static func createDirectory(_ directory: String, operation: String) throws {
        guard !directory.isEmpty else {
            throw DescentError.invalidArgument(
                operation: operation, reason: "the report directory is an empty path")
        }
        let components = directory.split(separator: "/", omittingEmptySubsequences: true)
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for component in components {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            var info = stat()
            if stat(prefix, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    throw DescentError.invalidArgument(
                        operation: operation,
                        reason:
                            "\(prefix) exists and is not a directory; remove it or choose another report directory"
                    )
                }
                continue
            }
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw DescentError.invalidArgument(
                    operation: operation,
                    reason:
                        "cannot create the directory \(prefix): \(String(cString: strerror(errno)))"
                )
            }
        }
    }
}
