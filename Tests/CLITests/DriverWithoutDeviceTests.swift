import DescentTestSupport
import Foundation
import Testing

/// An OpenCL driver that is installed but offers no device is a failure to report, not the
/// absence of OpenCL: `descent` names the driver and does not fall back to the CPU quietly.
@Suite struct DriverWithoutDeviceTests {
    @Test func aDriverWithoutDeviceIsAnErrorNamingIt() throws {
        // PoCL alone (the only driver registered in this folder), started with no device driver.
        let vendors = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: vendors) }
        try Data("libpocl.so.2\n".utf8).write(to: vendors.appendingPathComponent("pocl.icd"))
        let environment = [
            "OCL_ICD_VENDORS": vendors.path, "POCL_DEVICES": "none", "DESCENT_KERNEL_CACHE": "off",
        ]
        let train = try DescentProcess.run(
            ["train", "--dataset", "moons", "--epochs", "1"], environment: environment)
        #expect(train.status == 1, "\(train.standardOutput)")
        #expect(train.errorLines.count == 1, "\(train.standardError)")
        #expect(
            train.standardError.contains("(Portable Computing Language) offers no device"),
            "\(train.standardError)")
        #expect(train.standardError.contains("--backend cpu"), "\(train.standardError)")
        #expect(!train.standardOutput.contains("CPU reference"), "\(train.standardOutput)")
        // `devices` answers on standard output, as it lists devices there.
        let devices = try DescentProcess.run(["devices"], environment: environment)
        #expect(devices.status == 1)
        #expect(
            devices.standardOutput.contains("(Portable Computing Language) offers no device"),
            "\(devices.standardOutput)")
        // Asked for, the CPU reference still trains.
        let cpu = try DescentProcess.run(
            ["train", "--dataset", "moons", "--epochs", "1", "--backend", "cpu"],
            environment: environment)
        #expect(cpu.status == 0, "\(cpu.standardError)")
    }
}
