#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Unbuffered writes to standard output, so that progress reaches a log or a pipe as it happens
/// (`print` is block-buffered when the output is not a terminal).
public enum StandardOutput {
    public static func write(_ text: String) { writeAll(text, to: STDOUT_FILENO) }

    /// Writes `line` and a newline.
    public static func line(_ line: String) { write(line + "\n") }
}

/// Unbuffered writes to standard error: errors, and progress when standard output carries a
/// machine-readable result (`descent train --json`).
public enum StandardError {
    public static func write(_ text: String) { writeAll(text, to: STDERR_FILENO) }

    /// Writes `line` and a newline.
    public static func line(_ line: String) { write(line + "\n") }
}

/// Writes every byte of `text` to `descriptor`, retrying short writes; gives up silently when the
/// stream is closed (there is nowhere left to report that).
private func writeAll(_ text: String, to descriptor: Int32) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written <= 0 { return }
        bytes = bytes.dropFirst(written)
    }
}
