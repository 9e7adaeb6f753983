import Descent

/// The files a training run leaves behind, in one directory: the weights (with how to rebuild
/// the model in their metadata) and the report.
struct RunArtifacts {
    let directory: String

    /// - Throws: `DescentError.invalidArgument` when the directory cannot be created.
    init(directory: String) throws {
        self.directory = directory
        try makeDirectory(directory)
    }

    var weightsPath: String { directory + "/model.safetensors" }
    var indexPath: String { directory + "/index.html" }

    func write<B: Backend>(trainer: Trainer<B>, summary: RunSummary, metadata: [String: String]) throws {
        try trainer.model.save(to: weightsPath, metadata: metadata)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Creates `path` and its missing parents, like `mkdir -p`.
private func makeDirectory(_ path: String) throws {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for component in path.split(separator: "/") {
        prefix += component + "/"
        if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
            throw DescentError.invalidArgument(operation: "descent", reason: "cannot create the directory '\(prefix)' for \(path)")
        }
    }
    var info = stat()
    guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
        throw DescentError.invalidArgument(operation: "descent", reason: "'\(path)' exists and is not a directory; choose another --report")
    }
}
