#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An exclusive advisory lock on a file (`flock`), released by `release()` or when the process
/// ends (the kernel drops it with the descriptor, so a killed holder never blocks the next run).
final class FileLock {
    private var descriptor: Int32

    /// Opens (creating) `path` and waits for its exclusive lock, calling `waiting` once first
    /// when another holder makes it wait; nil when it cannot.
    init?(path: String, waiting: () -> Void = {}) {
        descriptor = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return nil }
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { return }
        waiting()
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                close(descriptor)
                return nil
            }
        }
    }

    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
