#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Which OpenCL device a backend runs on.
public enum DeviceSelector: Sendable, Equatable, CustomStringConvertible {
    /// The best device: the first GPU, else the first accelerator, else the first CPU device.
    case automatic
    /// The device at this position of `OpenCLDevices.all()` (as `descent devices` numbers them).
    case index(Int)
    /// The first device of this kind.
    case kind(OpenCLDeviceKind)
    /// The device whose name or platform name is or contains this text (case-insensitive); a
    /// platform's name picks that platform's preferred device; text that matches several devices
    /// otherwise is an error that lists them (see `OpenCLDevices.matching(name:among:)`).
    case name(String)

    /// Parses `--device` or `DESCENT_DEVICE`: empty or `auto` is automatic, a number an index,
    /// `gpu` / `cpu` / `accelerator` a kind, anything else a name substring.
    public init(parsing text: String) {
        let trimmed = text.trimmingSpaces()
        if trimmed.isEmpty || trimmed.lowercased() == "auto" {
            self = .automatic
        } else if let index = Int(trimmed) {
            self = .index(index)
        } else if let kind = OpenCLDeviceKind(rawValue: trimmed.lowercased()) {
            self = .kind(kind)
        } else {
            self = .name(trimmed)
        }
    }

    /// The automatic choice for one of several processes on a machine (the ranks of a
    /// distributed job): the devices of the best kind in turn by `localRank` when there are
    /// several (one GPU per rank), else `.automatic`.
    /// - Throws: as `OpenCLDevices.all()`.
    public static func automatic(localRank: Int) throws -> DeviceSelector {
        let devices = try OpenCLDevices.all()
        guard let best = devices.map(\.kind).min() else { return .automatic }
        let candidates = devices.filter { $0.kind == best }
        guard candidates.count > 1 else { return .automatic }
        return .index(candidates[localRank % candidates.count].index)
    }

    /// The environment variable that chooses the device when none is given in code.
    public static let environmentVariable = "DESCENT_DEVICE"

    /// `DESCENT_DEVICE` parsed, or `.automatic` when it is unset.
    public static var fromEnvironment: DeviceSelector {
        guard let value = getenv(environmentVariable) else { return .automatic }
        return DeviceSelector(parsing: String(cString: value))
    }

    public var description: String {
        switch self {
        case .automatic: "automatic"
        case .index(let index): "index \(index)"
        case .kind(let kind): kind.rawValue
        case .name(let name): "name '\(name)'"
        }
    }
}
