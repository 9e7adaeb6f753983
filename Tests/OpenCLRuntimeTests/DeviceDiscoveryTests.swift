import DescentCore
@testable import DescentOpenCL
import DescentTestSupport
import Testing

/// Device enumeration and selection by index, kind and name.
@Suite(.requiresOpenCL)
struct DeviceDiscoveryTests {
    @Test func devicesAreNumberedInOrder() throws {
        let devices = try OpenCLDevices.all()
        #expect(!devices.isEmpty)
        #expect(devices.map(\.index) == Array(devices.indices))
        for device in devices {
            #expect(!device.name.isEmpty)
            #expect(device.computeUnits > 0)
            #expect(device.maxWorkGroupSize > 0)
            #expect(device.globalMemoryBytes > 0)
        }
    }

    @Test func automaticSelectionPrefersTheBestKind() throws {
        let devices = try OpenCLDevices.all()
        let chosen = try OpenCLDevices.select(.automatic)
        let bestKind = devices.map(\.kind).min()
        #expect(chosen.kind == bestKind)
        #expect(chosen == devices.first { $0.kind == bestKind })
    }

    @Test func selectsByIndexKindAndName() throws {
        let first = try #require(try OpenCLDevices.all().first)
        #expect(try OpenCLDevices.select(.index(0)) == first)
        #expect(try OpenCLDevices.select(.kind(first.kind)).kind == first.kind)
        let fragment = String(first.name.dropFirst(first.name.count / 3).prefix(6)).uppercased()
        #expect(try OpenCLDevices.select(.name(fragment)).name.uppercased().contains(fragment))
        #expect(try OpenCLBackend(device: .index(0)).device == first)
    }

    @Test(arguments: [DeviceSelector.index(999), .index(-1), .name("no such device, surely")])
    func unknownDeviceIsATypedError(selector: DeviceSelector) throws {
        let error = try #require(throws: DescentError.self) { try OpenCLBackend(device: selector) }
        guard case .deviceNotFound(_, let available) = error else {
            Issue.record("expected deviceNotFound, got \(error)")
            return
        }
        #expect(available.count == (try OpenCLDevices.all().count))
        #expect(error.description.contains("Available devices: 0: "))
    }

    @Test func selectorParsesIndexKindAndName() {
        #expect(DeviceSelector(parsing: "") == .automatic)
        #expect(DeviceSelector(parsing: "auto") == .automatic)
        #expect(DeviceSelector(parsing: " 2 ") == .index(2))
        #expect(DeviceSelector(parsing: "GPU") == .kind(.gpu))
        #expect(DeviceSelector(parsing: "cpu") == .kind(.cpu))
        #expect(DeviceSelector(parsing: "H100") == .name("H100"))
    }
}

/// Selection by name over made-up device lists: a name that matches several devices is an error
/// listing them with their indices, and a platform's name picks that platform's device.
struct DeviceNameMatchingTests {
    static func device(
        _ index: Int, _ name: String, platform: String, kind: OpenCLDeviceKind = .cpu
    ) -> OpenCLDeviceInfo {
        OpenCLDeviceInfo(
            index: index, platformName: platform, platformVersion: "OpenCL 3.0", name: name,
            vendor: "",
            kind: kind, computeUnits: 2, clockMegahertz: 1000, globalMemoryBytes: 1 << 30,
            localMemoryBytes: 1 << 16, maxAllocationBytes: 1 << 28, maxWorkGroupSize: 4096,
            baseAddressAlignmentBits: 1024, driverVersion: "1", openCLVersion: "OpenCL 3.0",
            nativeFloatVectorWidth: 16)
    }

    /// PoCL and Intel's runtime on one Intel CPU: both device names contain "Intel".
    static let twoDrivers = [
        device(
            0, "pthread-skylake-avx512-Intel(R) Xeon(R) Processor",
            platform: "Portable Computing Language"),
        device(1, "Intel(R) Xeon(R) Processor", platform: "Intel(R) OpenCL"),
    ]

    @Test func aNameMatchingSeveralDevicesIsAnErrorListingThem() throws {
        let error = try #require(throws: DescentError.self) {
            try OpenCLDevices.matching(name: "intel", among: Self.twoDrivers)
        }
        guard case .ambiguousDevice(let requested, let matches) = error else {
            Issue.record("expected ambiguousDevice, got \(error)")
            return
        }
        #expect(requested == "intel")
        #expect(
            matches == [
                "0: pthread-skylake-avx512-Intel(R) Xeon(R) Processor (cpu, Portable Computing Language)",
                "1: Intel(R) Xeon(R) Processor (cpu, Intel(R) OpenCL)",
            ])
        #expect(error.description.contains("matches 2 OpenCL devices"))
    }

    @Test func aPlatformNameSelectsThatPlatformsDevice() throws {
        #expect(
            try OpenCLDevices.matching(name: "Intel(R) OpenCL", among: Self.twoDrivers).index == 1)
        #expect(
            try OpenCLDevices.matching(name: "portable computing", among: Self.twoDrivers).index
                == 0)
        #expect(try OpenCLDevices.matching(name: "pthread", among: Self.twoDrivers).index == 0)
        // An exact device name wins over the longer name that contains it.
        #expect(
            try OpenCLDevices.matching(name: "intel(r) xeon(r) processor", among: Self.twoDrivers)
                .index == 1)
    }

    @Test func aPlatformWithSeveralDevicesGivesItsPreferredOne() throws {
        let devices = [
            Self.device(0, "Some CPU", platform: "Vendor Platform", kind: .cpu),
            Self.device(1, "Card A", platform: "Vendor Platform", kind: .gpu),
            Self.device(2, "Card B", platform: "Vendor Platform", kind: .gpu),
        ]
        #expect(try OpenCLDevices.matching(name: "vendor platform", among: devices).index == 1)
        // "Card" is in two device names: ambiguous, not the first of them.
        let error = try #require(throws: DescentError.self) {
            try OpenCLDevices.matching(name: "card", among: devices)
        }
        guard case .ambiguousDevice(_, let matches) = error else {
            Issue.record("expected ambiguousDevice, got \(error)")
            return
        }
        #expect(matches.map { $0.prefix(2) } == ["1:", "2:"])
    }

    @Test func noMatchListsEveryDevice() throws {
        let error = try #require(throws: DescentError.self) {
            try OpenCLDevices.matching(name: "H100", among: Self.twoDrivers)
        }
        guard case .deviceNotFound(_, let available) = error else {
            Issue.record("expected deviceNotFound, got \(error)")
            return
        }
        #expect(available.count == 2)
    }
}
