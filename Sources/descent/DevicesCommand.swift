import ArgumentParser
import Descent

/// `descent devices`: every OpenCL platform and device, and which one Descent would pick.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List every OpenCL platform and device, marking the one Descent would use.",
        discussion: """
            Descent prefers a GPU, then an accelerator, then a CPU device. Choose another with \
            --device INDEX|NAME on the commands that train, or with the \(DeviceSelector.environmentVariable) \
            environment variable (an index, gpu/cpu, or a substring of the device name).
            """
    )

    @Option(
        name: .long,
        help:
            "Mark the device this selector picks instead of the default (index, gpu/cpu, or a name substring)."
    )
    var device: String?

    func run() throws {
        let devices: [OpenCLDeviceInfo]
        do {
            devices = try OpenCLDevices.all()
        } catch let error as DescentError {
            print(error.description)
            throw ExitCode.failure
        }
        let selector = device.map(DeviceSelector.init(parsing:)) ?? DeviceSelector.fromEnvironment
        let chosen = try? OpenCLDevices.select(selector)
        var platform = ""
        for info in devices {
            if info.platformName != platform {
                platform = info.platformName
                print("Platform: \(info.platformName) (\(info.platformVersion))")
            }
            let marker = info.index == chosen?.index ? "*" : " "
            print("\(marker) [\(info.index)] \(info.name)")
            print("      type: \(info.kind.rawValue), vendor: \(info.vendor)")
            print(
                "      compute units: \(info.computeUnits) at \(info.clockMegahertz) MHz, max work-group size: \(info.maxWorkGroupSize)"
            )
            print(
                "      global memory: \(formatBytes(info.globalMemoryBytes)), local memory: \(formatBytes(info.localMemoryBytes)), largest allocation: \(formatBytes(info.maxAllocationBytes))"
            )
            print("      driver: \(info.driverVersion), \(info.openCLVersion)")
            print("      matmul: \(matmulVariant(of: info))")
        }
        if let chosen {
            print("* = the device Descent uses (\(selector)): [\(chosen.index)] \(chosen.name)")
        } else if case .failure(let error) = Result(catching: { try OpenCLDevices.select(selector) }
        ) {
            print("No device is selected: \(error)")
            throw ExitCode.failure
        }
    }
}

/// The matmul variant Descent uses on `device`, and where it comes from.
func matmulVariant(of device: OpenCLDeviceInfo) -> String {
    let cache = TuningCache.standard
    if let tuned = cache.load(for: device) {
        return "\(tuned.matmulVariant) (tuned on this machine)"
    }
    let defaults = OpenCLTuning.forDevice(
        maxWorkGroupSize: device.maxWorkGroupSize, kind: device.kind
    ).matmulVariant
    return cache.directory == nil
        ? "\(defaults) (the defaults: DESCENT_KERNEL_CACHE=off turns tuning off)"
        : "\(defaults) (the defaults, until the first training run tunes it)"
}

/// `1.5 GiB`, `64 KiB`: a byte count for people.
func formatBytes(_ bytes: UInt64) -> String {
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    let rounded = (value * 10).rounded() / 10
    return unit == 0
        ? "\(bytes) bytes"
        : "\(rounded.truncatingRemainder(dividingBy: 1) == 0 ? String(Int(rounded)) : String(rounded)) \(units[unit])"
}
