#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Descent

/// Where PoCL keeps the kernels it compiles for `descent`. The application chooses it (the
/// library sets no driver variable): unless `POCL_CACHE_DIR` names a folder, `pocl` inside
/// Descent's kernel cache folder, so that a plain file or a damaged cache at PoCL's default place
/// (`$XDG_CACHE_HOME/pocl`) cannot take the device away, and so that the crash hint can name it.
enum PoCLCacheFolder {
    /// Sets `POCL_CACHE_DIR` (before any OpenCL call) and returns the folder PoCL will use; nil
    /// when PoCL chooses (Descent's kernel cache is off, or the folder cannot be made).
    static func prepare() -> String? {
        if let chosen = getenv("POCL_CACHE_DIR").map({ String(cString: $0) }), !chosen.isEmpty {
            return chosen
        }
        guard let base = TuningCache.standard.directory else { return nil }
        let folder = base + "/pocl"
        var status = stat()
        guard FileIO.makeDirectories(folder), stat(folder, &status) == 0,
            status.st_mode & S_IFMT == S_IFDIR
        else { return nil }
        setenv("POCL_CACHE_DIR", folder, 1)  // unset or empty: ours
        return folder
    }
}
