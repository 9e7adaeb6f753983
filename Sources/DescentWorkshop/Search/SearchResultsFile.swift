#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentTraining

/// A search's results as JSON lines, written as each trial ends, so that a search can be
/// interrupted and resumed.
///
/// The first line is a header naming the space, its fingerprint and the objective; each further
/// line is one `TrialRecord`. Each record is written whole with one `write` to a file opened for
/// appending and then synced, so an interruption loses at most the trial in flight, and leaves
/// at worst a partial last line. Opening the file again skips that line (saying so in
/// `warnings`) and cuts it off, so the next record starts on a line of its own.
public final class SearchResultsFile {
    public let path: String
    /// The records read from the file and appended since, in order.
    public private(set) var records: [TrialRecord]
    /// What was wrong with the file but could be skipped (a partial last line).
    public let warnings: [String]
    private static let format = 1

    /// Opens `path`, creating it with a header when it does not exist or is empty.
    /// - Parameter settings: what else decides a trial's result (the data, the fixed options), as
    ///   text; records made under other settings are not reused, so a mismatch is an error.
    /// - Throws: `DescentError.invalidArgument` when the file belongs to another space, objective
    ///   or settings, is not a results file, has a damaged line before the last, or cannot be written.
    public init(
        path: String, space: SearchSpace, objective: SearchObjective, settings: String = ""
    ) throws {
        self.path = path
        let header = Header(
            format: Self.format, space: space.description, fingerprint: space.fingerprint,
            objective: objective.metric,
            settings: settings)
        guard let text = try Self.contents(of: path), !text.isEmpty else {
            records = []
            warnings = []
            try Self.writeLine(try JSON.text(header), to: path, truncating: true)
            return
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let complete = text.hasSuffix("\n")
        if complete { lines.removeLast() }
        func fail(_ reason: String) -> DescentError {
            .invalidArgument(operation: "descent search", reason: "\(path): \(reason)")
        }
        guard let stored = try? JSON.decode(Header.self, from: lines[0]) else {
            throw fail(
                "the first line is not a search header; is this a results file of `descent search`? Choose another --results file"
            )
        }
        guard stored.fingerprint == space.fingerprint else {
            throw fail(
                "the results are of another search space (\(stored.space)), not of \(space); use another --results file, or the same --space to resume"
            )
        }
        guard stored.objective == objective.metric else {
            throw fail(
                "the results were scored by \(stored.objective), not \(objective.metric); use another --results file"
            )
        }
        guard stored.settings == settings else {
            throw fail(
                "the results were trained under other settings (\(stored.settings ?? "none")), not \(settings); use another --results file, or the same options to resume"
            )
        }
        var records: [TrialRecord] = [], warnings: [String] = [],
            goodBytes = lines[0].utf8.count + 1
        for (number, line) in lines.enumerated().dropFirst() {
            let isLast = number == lines.count - 1
            if var record = try? JSON.decode(TrialRecord.self, from: line),
                let configuration = record.configuration.conformed(to: space),
                !isLast || complete
            {
                record.configuration = configuration
                records.append(record)
                goodBytes += line.utf8.count + 1
            } else if isLast {
                warnings.append(
                    "\(path): skipped line \(number + 1), a partial record (the search was interrupted while writing it); that trial runs again"
                )
            } else {
                throw fail(
                    "line \(number + 1) is not a trial record; the file is damaged: repair or remove that line, or use another --results file"
                )
            }
        }
        if lines.count == 1 && !complete {
            // A whole header cut before its newline (killed right after writing it): finish the
            // line, rather than pad the file to where the newline belongs with a NUL.
            try Self.writeLine("", to: path, truncating: false)
        } else if !warnings.isEmpty || !complete {
            guard truncate(path, off_t(goodBytes)) == 0 else {
                throw fail("cannot cut off the partial last line: \(FileIO.errorText())")
            }
        }
        self.records = records
        self.warnings = warnings
    }

    /// Appends `record` as one line and syncs it to the disk.
    /// - Throws: `DescentError.invalidArgument` when the line cannot be written.
    public func append(_ record: TrialRecord) throws {
        try Self.writeLine(try JSON.text(record), to: path, truncating: false)
        records.append(record)
    }

    /// The first line: what the records belong to.
    private struct Header: Codable {
        var format: Int
        var space: String
        var fingerprint: String
        var objective: String
        /// Optional so that a header without it is refused as "other settings", not as no header.
        var settings: String?

        enum CodingKeys: String, CodingKey {
            case format = "descent_search"
            case space, fingerprint, objective, settings
        }
    }

    private static func writeLine(_ line: String, to path: String, truncating: Bool) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | (truncating ? O_TRUNC : O_APPEND), 0o644)
        guard descriptor >= 0 else {
            throw DescentError.invalidArgument(
                operation: "descent search",
                reason: "cannot open the results file \(path): \(FileIO.errorText())")
        }
        defer { close(descriptor) }
        var bytes = Array((line + "\n").utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else {
                throw DescentError.invalidArgument(
                    operation: "descent search",
                    reason: "cannot write the results file \(path): \(FileIO.errorText())")
            }
            bytes = bytes.dropFirst(written)
        }
        fsync(descriptor)
    }

    /// The file's text, or nil when it does not exist.
    private static func contents(of path: String) throws -> String? {
        var status = stat()
        if stat(path, &status) != 0 && errno == ENOENT { return nil }
        do {
            return String(decoding: try FileIO.read(path), as: UTF8.self)
        } catch {
            throw DescentError.invalidArgument(
                operation: "descent search",
                reason: "cannot read the results file \(path): \(error.reason)")
        }
    }
}
