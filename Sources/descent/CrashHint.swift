#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Descent

/// One line on standard error when the process dies of a crash signal: a damaged PoCL kernel
/// cache makes every later run crash inside the driver with nothing said, so the line names the
/// cache folders to delete if the crash repeats. The text is made beforehand; the handler only
/// writes it (async-signal-safe), puts back the handler that was there before (Swift's crash
/// backtracer, or the default) and raises the signal again, so nothing else changes.
enum CrashHint {
    nonisolated(unsafe) private static var message: UnsafeMutableBufferPointer<CChar>?
    /// The actions in place before `install`, by signal number.
    nonisolated(unsafe) private static var previous = UnsafeMutablePointer<sigaction>.allocate(
        capacity: 32)
    private static let signals = [SIGSEGV, SIGBUS, SIGABRT]

    /// - Parameter poclFolder: PoCL's cache folder, when `descent` chose it (`PoCLCacheFolder`).
    static func install(poclFolder: String?) {
        let candidates = [TuningCache.standard.directory, poclFolder].compactMap { $0 }
        // PoCL's folder inside Descent's needs no second mention.
        let folders = candidates.filter { folder in
            !candidates.contains { folder != $0 && folder.hasPrefix($0 + "/") }
        }
        let advice =
            folders.isEmpty
            ? "please report it"
            : "if it repeats at the same point, a damaged kernel cache may be the cause: delete "
                + folders.joined(separator: " and ") + " and run again"
        let bytes = Array("error: descent crashed (a fatal signal); \(advice)\n".utf8CString)
        let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: bytes.count)
        _ = buffer.initialize(from: bytes)
        message = buffer
        for number in signals where number < 32 {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { received in
                if let message = CrashHint.message, let text = message.baseAddress {
                    _ = write(STDERR_FILENO, text, message.count - 1)
                }
                _ = sigaction(received, CrashHint.previous + Int(received), nil)
                raise(received)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_ONSTACK
            _ = sigaction(number, &action, previous + Int(number))
        }
    }
}
