import DescentCore
import DescentOpenCL
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
