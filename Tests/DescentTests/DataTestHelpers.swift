#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CZlib
import Descent
import Testing

/// A fresh directory under the system's temporary folder (from `mkdtemp`), removed with its files
/// when the value is released.
final class DataTemporaryDirectory {
    let path: String
    private var files: [String] = []

    init() throws {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((base + "/descent-data-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else {
            throw DescentError.invalidArgument(operation: "test", reason: "mkdtemp failed")
        }
        path = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
    }

    deinit {
        for file in files { unlink(file) }
        rmdir(path)
    }

    /// Writes `bytes` to `name` in this directory, gzip-compressed through zlib when `gzip` is
    /// set, and returns the file's path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8], gzip: Bool = false) -> String {
        let file = path + "/" + name
        files.append(file)
        if gzip {
            let handle = gzopen(file, "wb")!
            let written = bytes.withUnsafeBytes {
                gzwrite(handle, $0.baseAddress, UInt32($0.count))
            }
            precondition(Int(written) == bytes.count || bytes.isEmpty, "gzwrite failed")
            gzclose(handle)
        } else {
            let handle = fopen(file, "wb")!
            _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle) }
            fclose(handle)
        }
        return file
    }

    /// The bytes of the file `name` in this directory, as stored (not decompressed), or nil.
    func contents(of name: String) -> [UInt8]? {
        guard let handle = fopen(path + "/" + name, "rb") else { return nil }
        defer { fclose(handle) }
        var bytes = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, handle) }
            if got == 0 { return bytes }
            bytes += chunk[..<got]
        }
    }

    /// Writes `text` (UTF-8) to `name` and returns the file's path.
    @discardableResult
    func write(_ name: String, text: String, gzip: Bool = false) -> String {
        write(name, Array(text.utf8), gzip: gzip)
    }
}

/// The bytes of an IDX file of unsigned bytes: `[0, 0, type, dimensions]`, the big-endian
/// dimensions, then `data`.
func idxBytes(shape: [Int], data: [UInt8], type: UInt8 = 0x08) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, type, UInt8(shape.count)]
    for size in shape { bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: size >> $0) } }
    return bytes + data
}

/// Records an issue unless `body` throws a `DescentError` whose description contains every one
/// of `mentions` (case-sensitive).
func expectDescentError(
    mentioning mentions: [String], sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record(
            "expected a DescentError mentioning \(mentions), but nothing was thrown",
            sourceLocation: sourceLocation)
    } catch let error as DescentError {
        for mention in mentions {
            #expect(
                error.description.contains(mention),
                "'\(error.description)' does not mention '\(mention)'",
                sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("expected a DescentError, got \(error)", sourceLocation: sourceLocation)
    }
}

/// A classification data set of `counts[k]` samples of class `k`, sample `i` having the features
/// `[i, -i]`, in an interleaved order.
func classDataset(counts: [Int]) throws -> Dataset {
    var labels = [Int32]()
    var remaining = counts
    while remaining.contains(where: { $0 > 0 }) {
        for k in remaining.indices where remaining[k] > 0 {
            labels.append(Int32(k))
            remaining[k] -= 1
        }
    }
    let features = labels.indices.flatMap { [Float($0), -Float($0)] }
    return try Dataset(
        features: features, featureCount: 2, classIndices: labels, classCount: counts.count)
}
