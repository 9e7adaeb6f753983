#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentKernels

/// The matmul variant `MatmulAutotuner` chose for each device, on disk in the kernel cache's
/// directory (`ProgramBinaryCache`'s, also where that holds no binaries, as on PoCL), so that the
/// measurement runs once per device.
///
/// One small text file per device, named by a hash of its key: the device's name, driver and
/// platform versions and a hash of `matmul.cl`, so a new driver or a changed kernel is tuned
/// afresh. A file whose key differs, that does not parse, or that names a variant the tuner
/// would not offer on that device is ignored (and later replaced), never trusted. Written to a
/// temporary name and renamed into place.
public struct TuningCache: Sendable, Equatable {
    /// Where the files go; `nil` when the cache is disabled (`DESCENT_KERNEL_CACHE=off`).
    public let directory: String?

    private static let header = "descent matmul tuning 5"

    public init(directory: String?) {
        self.directory = directory
    }

    /// The kernel cache's directory, as the environment sets it.
    public static var standard: TuningCache {
        TuningCache(directory: ProgramBinaryCache.standard.directory)
    }

    /// The tuning stored for `device`, or nil when there is none or it fails a check.
    public func load(for device: OpenCLDeviceInfo) -> OpenCLTuning? {
        guard let path = path(for: device), let bytes = try? FileIO.read(path) else { return nil }
        let lines = String(decoding: bytes, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false
        )
        .prefix(64).map(String.init)
        guard lines.first == Self.header, lines.count >= 2,
            lines[1] == "key " + Self.key(for: device)
        else { return nil }
        var fields: [String: String] = [:]
        for line in lines.dropFirst(2) {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        var tuning = OpenCLTuning.forDevice(
            maxWorkGroupSize: device.maxWorkGroupSize, kind: device.kind)
        guard let strategy = fields["strategy"].flatMap(OpenCLTuning.MatmulStrategy.init(rawValue:))
        else { return nil }
        tuning.matmulStrategy = strategy
        for field in OpenCLTuning.matmulFields(of: tuning.matmulStrategy) {
            guard let value = fields[field.name].flatMap({ Int($0) }) else { return nil }
            tuning[keyPath: field.keyPath] = value
        }
        return Self.isOffered(tuning, on: device) ? tuning : nil
    }

    /// Whether the directory exists (or can be made) and can be written.
    public var isWritable: Bool {
        guard let directory, FileIO.makeDirectories(directory) else { return false }
        return access(directory, W_OK) == 0
    }

    /// Stores `tuning` for `device`, atomically; false when it could not (the cache is an
    /// optimization, so callers go on either way).
    @discardableResult
    public func store(_ tuning: OpenCLTuning, for device: OpenCLDeviceInfo) -> Bool {
        guard let directory, let path = path(for: device), FileIO.makeDirectories(directory) else {
            return false
        }
        var lines = [
            Self.header, "key " + Self.key(for: device),
            "strategy \(tuning.matmulStrategy.rawValue)",
        ]
        lines += OpenCLTuning.matmulFields(of: tuning.matmulStrategy).map {
            "\($0.name) \(tuning[keyPath: $0.keyPath])"
        }
        return
            (try? FileIO.writeAtomically(
                Array((lines.joined(separator: "\n") + "\n").utf8), to: path)) != nil
    }

    /// An exclusive lock on tuning `device` (an `flock` on a file beside the tuning), held until
    /// `release()`; it waits while another process holds it. Nil when the cache has no directory
    /// or the lock file cannot be made (tuning then goes on without it).
    func lock(for device: OpenCLDeviceInfo, waiting: (String) -> Void = { _ in }) -> FileLock? {
        guard let path = path(for: device) else { return nil }
        return FileLock(path: path + ".lock") {
            waiting(
                "Waiting for another process tuning the matmul kernels for \(device.name) (\(path).lock)"
            )
        }
    }

    /// The file that holds `device`'s tuning.
    func path(for device: OpenCLDeviceInfo) -> String? {
        directory.map {
            "\($0)/matmul-tuning-\(hexadecimal(fnv1a64(Array(Self.key(for: device).utf8)))).txt"
        }
    }

    /// What a stored tuning must match: the device, its driver and the matmul kernels' source.
    static func key(for device: OpenCLDeviceInfo) -> String {
        [
            device.name, device.driverVersion, device.platformName, device.platformVersion,
            hexadecimal(fnv1a64(Array(KernelSource.matmul.utf8))),
        ].joined(separator: "|")
    }

    /// Whether `tuning` is one the autotuner could have chosen on `device`: each kernel's variant
    /// is one of the candidates', and everything else is the device default.
    static func isOffered(_ tuning: OpenCLTuning, on device: OpenCLDeviceInfo) -> Bool {
        let candidates = MatmulAutotuner.candidates(for: device)
        var rest = tuning,
            base = OpenCLTuning.forDevice(
                maxWorkGroupSize: device.maxWorkGroupSize, kind: device.kind)
        rest.matmulStrategy = base.matmulStrategy
        for field in OpenCLTuning.MatmulStrategy.allCases.flatMap(OpenCLTuning.matmulFields(of:)) {
            rest[keyPath: field.keyPath] = 0
            base[keyPath: field.keyPath] = 0
        }
        guard rest == base else { return false }
        switch tuning.matmulStrategy {
        case .tiled:
            return candidates.contains {
                $0.matmulStrategy == .tiled && $0.tiledTunables == tuning.tiledTunables
            }
        case .registerBlocked:
            let blocked = candidates.filter { $0.matmulStrategy == .registerBlocked }
            return blocked.contains { $0.blockedTunables == tuning.blockedTunables }
                && blocked.contains { $0.dotTunables == tuning.dotTunables }
        }
    }
}
