import COpenCL
import DescentCore

/// What kind of device an OpenCL device is.
public enum OpenCLDeviceKind: String, Sendable, Comparable {
    case gpu, accelerator, cpu, other

    /// Preference when Descent picks a device itself: GPUs first, then accelerators, then CPUs.
    var rank: Int {
        switch self {
        case .gpu: 0
        case .accelerator: 1
        case .cpu: 2
        case .other: 3
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// A description of one OpenCL device, as `descent devices` prints it.
public struct OpenCLDeviceInfo: Sendable, Equatable {
    /// Position in the process-wide device list (all platforms, in platform order).
    public let index: Int
    public let platformName: String
    public let platformVersion: String
    public let name: String
    public let vendor: String
    public let kind: OpenCLDeviceKind
    public let computeUnits: Int
    public let clockMegahertz: Int
    public let globalMemoryBytes: UInt64
    public let localMemoryBytes: UInt64
    public let maxAllocationBytes: UInt64
    public let maxWorkGroupSize: Int
    /// `CL_DEVICE_MEM_BASE_ADDR_ALIGN` in bits: sub-buffers must start at multiples of it.
    public let baseAddressAlignmentBits: Int
    public let driverVersion: String
    /// `CL_DEVICE_VERSION`, e.g. "OpenCL 3.0 PoCL ...".
    public let openCLVersion: String
    /// `CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT`: floats per SIMD register (16 with AVX-512, 8 with
    /// AVX2, 4 with SSE or NEON; 1 on most GPUs).
    public let nativeFloatVectorWidth: Int
}

extension OpenCLDeviceInfo {
    /// The device as selection errors list it: name, kind and platform.
    var selectionDescription: String { "\(name) (\(kind.rawValue), \(platformName))" }
}

/// A device found at discovery, with its handle.
struct OpenCLDevice: @unchecked Sendable {
    let id: cl_device_id
    let info: OpenCLDeviceInfo
}

/// The OpenCL devices of this process, enumerated exactly once (PoCL's discovery races when
/// several threads make the first call at the same time).
public enum OpenCLDevices {
    static let discovery: Result<[OpenCLDevice], DescentError> = Result { try discover() }
        .mapError { $0 as? DescentError ?? .noOpenCLDevice(reason: "\($0)") }

    /// Every OpenCL device on every platform.
    /// - Throws: `DescentError.noOpenCLDevice` when no driver is installed, saying how to install
    ///   one; `.openCLDriverOffersNoDevice` when the drivers installed offer no device.
    public static func all() throws -> [OpenCLDeviceInfo] {
        try discovery.get().map(\.info)
    }

    /// The device `selector` picks.
    /// - Throws: `DescentError.noOpenCLDevice`, `.openCLDriverOffersNoDevice`, or
    ///   `.deviceNotFound` listing the devices.
    public static func select(_ selector: DeviceSelector) throws -> OpenCLDeviceInfo {
        try device(for: selector).info
    }

    static func device(for selector: DeviceSelector) throws -> OpenCLDevice {
        let devices = try discovery.get()
        let names = devices.map(\.info.selectionDescription)
        switch selector {
        case .automatic:
            // Stable sort: the first device of the most preferred kind.
            guard
                let best = devices.enumerated().min(by: {
                    ($0.element.info.kind.rank, $0.offset) < ($1.element.info.kind.rank, $1.offset)
                })
            else { throw DescentError.noOpenCLDevice(reason: "no devices") }
            return best.element
        case .index(let index):
            guard devices.indices.contains(index) else {
                throw DescentError.deviceNotFound(requested: "index \(index)", available: names)
            }
            return devices[index]
        case .kind(let kind):
            guard let match = devices.first(where: { $0.info.kind == kind }) else {
                throw DescentError.deviceNotFound(
                    requested: "a \(kind.rawValue) device", available: names)
            }
            return match
        case .name(let text):
            let info = try matching(name: text, among: devices.map(\.info))
            return devices[info.index]
        }
    }

    /// The one device that `text` names: the devices whose name or platform name equals `text`
    /// (ignoring case) if there are any, else those whose name or platform name contains it.
    /// A platform's name selects that platform's preferred device (the order of `.automatic`);
    /// any other text that matches several devices is an error listing them, never a silent pick.
    /// - Throws: `DescentError.deviceNotFound` or `DescentError.ambiguousDevice`.
    static func matching(
        name text: String, among devices: [OpenCLDeviceInfo]
    ) throws -> OpenCLDeviceInfo {
        let needle = text.lowercased()
        let exact = devices.filter {
            $0.name.lowercased() == needle || $0.platformName.lowercased() == needle
        }
        let matches =
            exact.isEmpty
            ? devices.filter {
                $0.name.lowercased().contains(needle)
                    || $0.platformName.lowercased().contains(needle)
            }
            : exact
        guard let first = matches.first else {
            throw DescentError.deviceNotFound(
                requested: "name containing '\(text)'",
                available: devices.map(\.selectionDescription))
        }
        if matches.count == 1 { return first }
        if Set(matches.map(\.platformName)).count == 1,
            first.platformName.lowercased().contains(needle),
            !matches.contains(where: { $0.name.lowercased().contains(needle) })
        {
            return matches.min { ($0.kind.rank, $0.index) < ($1.kind.rank, $1.index) } ?? first
        }
        throw DescentError.ambiguousDevice(
            requested: text, matches: matches.map { "\($0.index): \($0.selectionDescription)" })
    }

    private static func discover() throws -> [OpenCLDevice] {
        var platformCount: cl_uint = 0
        let status = clGetPlatformIDs(0, nil, &platformCount)
        if status == -1001 || platformCount == 0 {
            throw DescentError.noOpenCLDevice(
                reason:
                    "the OpenCL loader found no platform; no driver is registered in /etc/OpenCL/vendors"
            )
        }
        try check(status, "clGetPlatformIDs")
        var platforms = [cl_platform_id?](repeating: nil, count: Int(platformCount))
        try check(clGetPlatformIDs(platformCount, &platforms, nil), "clGetPlatformIDs")

        var devices: [OpenCLDevice] = [], silent: [String] = []
        for case let platform? in platforms {
            var deviceCount: cl_uint = 0
            let countStatus = clGetDeviceIDs(
                platform, cl_device_type(CL_DEVICE_TYPE_ALL), 0, nil, &deviceCount)
            if countStatus == CL_DEVICE_NOT_FOUND || deviceCount == 0 {
                silent.append((try? platformString(platform, CL_PLATFORM_NAME)) ?? "a platform")
                continue
            }
            try check(countStatus, "clGetDeviceIDs")
            var ids = [cl_device_id?](repeating: nil, count: Int(deviceCount))
            try check(
                clGetDeviceIDs(
                    platform, cl_device_type(CL_DEVICE_TYPE_ALL), deviceCount, &ids, nil),
                "clGetDeviceIDs")
            let platformName = try platformString(platform, CL_PLATFORM_NAME)
            let platformVersion = try platformString(platform, CL_PLATFORM_VERSION)
            for case let id? in ids {
                let info = try describe(
                    id, index: devices.count, platformName: platformName,
                    platformVersion: platformVersion)
                devices.append(OpenCLDevice(id: id, info: info))
            }
        }
        if devices.isEmpty { throw DescentError.openCLDriverOffersNoDevice(platforms: silent) }
        return devices
    }

    private static func describe(
        _ id: cl_device_id, index: Int, platformName: String, platformVersion: String
    ) throws -> OpenCLDeviceInfo {
        let type: cl_device_type = try deviceValue(id, CL_DEVICE_TYPE)
        let kind: OpenCLDeviceKind =
            type & cl_device_type(CL_DEVICE_TYPE_GPU) != 0
            ? .gpu
            : type & cl_device_type(CL_DEVICE_TYPE_ACCELERATOR) != 0
                ? .accelerator
                : type & cl_device_type(CL_DEVICE_TYPE_CPU) != 0
                    ? .cpu
                    : .other
        let computeUnits: cl_uint = try deviceValue(id, CL_DEVICE_MAX_COMPUTE_UNITS)
        let clock: cl_uint = try deviceValue(id, CL_DEVICE_MAX_CLOCK_FREQUENCY)
        let globalMemory: cl_ulong = try deviceValue(id, CL_DEVICE_GLOBAL_MEM_SIZE)
        let localMemory: cl_ulong = try deviceValue(id, CL_DEVICE_LOCAL_MEM_SIZE)
        let maxAllocation: cl_ulong = try deviceValue(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE)
        let maxWorkGroup: Int = try deviceValue(id, CL_DEVICE_MAX_WORK_GROUP_SIZE)
        let alignment: cl_uint = try deviceValue(id, CL_DEVICE_MEM_BASE_ADDR_ALIGN)
        let nativeFloatWidth: cl_uint = try deviceValue(id, CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT)
        return OpenCLDeviceInfo(
            index: index, platformName: platformName, platformVersion: platformVersion,
            name: try deviceString(id, CL_DEVICE_NAME),
            vendor: try deviceString(id, CL_DEVICE_VENDOR),
            kind: kind, computeUnits: Int(computeUnits), clockMegahertz: Int(clock),
            globalMemoryBytes: globalMemory, localMemoryBytes: localMemory,
            maxAllocationBytes: maxAllocation,
            maxWorkGroupSize: maxWorkGroup, baseAddressAlignmentBits: Int(alignment),
            driverVersion: try deviceString(id, CL_DRIVER_VERSION),
            openCLVersion: try deviceString(id, CL_DEVICE_VERSION),
            nativeFloatVectorWidth: Int(nativeFloatWidth))
    }

    private static func deviceValue<T>(_ id: cl_device_id, _ parameter: Int32) throws -> T {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: 1)
        defer { pointer.deallocate() }
        try check(
            clGetDeviceInfo(id, cl_device_info(parameter), MemoryLayout<T>.size, pointer, nil),
            "clGetDeviceInfo(\(parameter))")
        return pointer.pointee
    }

    private static func deviceString(_ id: cl_device_id, _ parameter: Int32) throws -> String {
        try infoString("clGetDeviceInfo") {
            clGetDeviceInfo(id, cl_device_info(parameter), $0, $1, $2)
        }
    }

    private static func platformString(_ id: cl_platform_id, _ parameter: Int32) throws -> String {
        try infoString("clGetPlatformInfo") {
            clGetPlatformInfo(id, cl_platform_info(parameter), $0, $1, $2)
        }
    }
}

/// Reads a string-valued `clGet*Info` parameter (size query, then value), without the trailing NUL.
func infoString(
    _ call: String, _ get: (Int, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?) -> cl_int
) throws -> String {
    var size = 0
    try check(get(0, nil, &size), call)
    var bytes = [UInt8](repeating: 0, count: max(size, 1))
    try check(bytes.withUnsafeMutableBytes { get(size, $0.baseAddress, nil) }, call)
    let text = bytes.prefix { $0 != 0 }
    return String(decoding: text, as: UTF8.self).trimmingSpaces()
}

extension String {
    /// The string without leading and trailing spaces (drivers pad some names).
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first == " " { scalars.removeFirst() }
        while scalars.last == " " { scalars.removeLast() }
        return String(scalars)
    }
}
