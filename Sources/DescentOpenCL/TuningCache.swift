#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentKernels

/// The matmul variant `MatmulAutotuner` chose for each device, on disk next to the kernel
/// binaries (`ProgramBinaryCache`'s directory), so that the measurement runs once per device.
///
/// One small text file per device, named by a hash of its key: the device's name, driver and
/// platform versions and a hash of `matmul.cl`, so a new driver or a changed kernel is tuned
/// afresh. A file whose key differs, that does not parse, or that names a variant the tuner
/// would not offer on that device is ignored (and later replaced), never trusted. Written to a
/// temporary name and renamed into place.
public struct TuningCache: Sendable, Equatable {
    /// Where the files go; `nil` when the cache is disabled (`DESCENT_KERNEL_CACHE=off`).
    public let directory: String?

    private static let header = "descent matmul tuning 2"

    public init(directory: String?) {
        self.directory = directory
    }

    /// The kernel cache's directory, as the environment sets it.
    public static var standard: TuningCache { TuningCache(directory: ProgramBinaryCache.standard.directory) }

    /// The tuning stored for `device`, or nil when there is none or it fails a check.
    public func load(for device: OpenCLDeviceInfo) -> OpenCLTuning? {
        guard let path = path(for: device), let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var lines: [String] = []
        var buffer = [CChar](repeating: 0, count: 1024)
        while lines.count < 64, fgets(&buffer, Int32(buffer.count), file) != nil {
            let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            lines.append(line.hasSuffix("\n") ? String(line.dropLast()) : line)
        }
        guard lines.first == Self.header, lines.count >= 2, lines[1] == "key " + Self.key(for: device) else { return nil }
        var fields: [String: String] = [:]
        for line in lines.dropFirst(2) {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        var tuning = OpenCLTuning.forDevice(maxWorkGroupSize: device.maxWorkGroupSize, kind: device.kind)
        guard fields["strategy"] == tuning.matmulStrategy.rawValue else { return nil }
        func integer(_ name: String) -> Int? { fields[name].flatMap { Int($0) } }
        switch tuning.matmulStrategy {
        case .tiled:
            guard let tile = integer("tile"), let depth = integer("tile_k"), let perItem = integer("work_per_item") else { return nil }
            tuning.matmulTile = tile
            tuning.matmulTileK = depth
            tuning.matmulWorkPerItem = perItem
        case .registerBlocked:
            guard let rows = integer("block_rows"), let width = integer("vector_width"), let group = integer("group"),
                  let dotRows = integer("dot_rows"),
                  let dotColumns = integer("dot_columns"), let dotWidth = integer("dot_vector_width")
            else { return nil }
            tuning.matmulBlockRows = rows
            tuning.matmulVectorWidth = width
            tuning.matmulBlockedGroup = group
            tuning.matmulDotRows = dotRows
            tuning.matmulDotColumns = dotColumns
            tuning.matmulDotVectorWidth = dotWidth
        }
        return Self.isOffered(tuning, on: device) ? tuning : nil
    }

    /// Stores `tuning` for `device`, atomically. Failures are ignored: the cache is an optimization.
    public func store(_ tuning: OpenCLTuning, for device: OpenCLDeviceInfo) {
        guard let directory, let path = path(for: device), ProgramBinaryCache.makeDirectories(directory) else { return }
        var lines = [Self.header, "key " + Self.key(for: device), "strategy \(tuning.matmulStrategy.rawValue)"]
        switch tuning.matmulStrategy {
        case .tiled:
            lines += ["tile \(tuning.matmulTile)", "tile_k \(tuning.matmulTileK)", "work_per_item \(tuning.matmulWorkPerItem)"]
        case .registerBlocked:
            lines += [
                "block_rows \(tuning.matmulBlockRows)", "vector_width \(tuning.matmulVectorWidth)", "group \(tuning.matmulBlockedGroup)",
                "dot_rows \(tuning.matmulDotRows)", "dot_columns \(tuning.matmulDotColumns)",
                "dot_vector_width \(tuning.matmulDotVectorWidth)",
            ]
        }
        let text = lines.joined(separator: "\n") + "\n"
        let temporary = "\(path).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        guard let file = fopen(temporary, "w") else { return }
        let written = fputs(text, file) >= 0
        if fclose(file) == 0 && written {
            if rename(temporary, path) != 0 { unlink(temporary) }
        } else {
            unlink(temporary)
        }
    }

    /// The file that holds `device`'s tuning.
    func path(for device: OpenCLDeviceInfo) -> String? {
        directory.map { "\($0)/matmul-tuning-\(hexadecimal(fnv1a64(Array(Self.key(for: device).utf8)))).txt" }
    }

    /// What a stored tuning must match: the device, its driver and the matmul kernels' source.
    static func key(for device: OpenCLDeviceInfo) -> String {
        [device.name, device.driverVersion, device.platformName, device.platformVersion,
         hexadecimal(fnv1a64(Array(KernelSource.matmul.utf8)))].joined(separator: "|")
    }

    /// Whether `tuning` is one the autotuner could have chosen on `device`: each kernel's variant
    /// is one of the candidates', and everything else is the device default.
    static func isOffered(_ tuning: OpenCLTuning, on device: OpenCLDeviceInfo) -> Bool {
        let candidates = MatmulAutotuner.candidates(for: device)
        func blocked(_ t: OpenCLTuning) -> [Int] { [t.matmulBlockRows, t.matmulVectorWidth, t.matmulBlockedGroup] }
        func dot(_ t: OpenCLTuning) -> [Int] { [t.matmulDotRows, t.matmulDotColumns, t.matmulDotVectorWidth] }
        func tiled(_ t: OpenCLTuning) -> [Int] { [t.matmulTile, t.matmulTileK, t.matmulWorkPerItem] }
        var rest = tuning, base = OpenCLTuning.forDevice(maxWorkGroupSize: device.maxWorkGroupSize, kind: device.kind)
        for part in [\OpenCLTuning.matmulBlockRows, \.matmulVectorWidth, \.matmulBlockedGroup, \.matmulDotRows, \.matmulDotColumns,
                     \.matmulDotVectorWidth, \.matmulTile, \.matmulTileK, \.matmulWorkPerItem] {
            rest[keyPath: part] = 0
            base[keyPath: part] = 0
        }
        guard rest == base else { return false }
        switch tuning.matmulStrategy {
        case .tiled: return candidates.contains { tiled($0) == tiled(tuning) }
        case .registerBlocked:
            return candidates.contains { blocked($0) == blocked(tuning) } && candidates.contains { dot($0) == dot(tuning) }
        }
    }
}
