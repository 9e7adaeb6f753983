import ArgumentParser
import Descent

/// Where to compute: the OpenCL backend on a chosen device, or the CPU reference.
struct BackendOptions: ParsableArguments {
    @Option(help: "opencl or cpu. opencl falls back to cpu, saying so, when there is no OpenCL device.")
    var backend = "opencl"

    @Option(help: "OpenCL device: an index, gpu/cpu, or a substring of its name (default: DESCENT_DEVICE, else the best).")
    var device: String?

    /// The chosen backend; `note` says why it is not the one asked for, when it is not.
    func choose() throws -> ChosenBackend {
        switch backend {
        case "cpu":
            return .cpu(CPUBackend(), note: nil)
        case "opencl":
            do {
                return .openCL(try OpenCLBackend(device: device.map(DeviceSelector.init(parsing:)) ?? .fromEnvironment))
            } catch DescentError.noOpenCLDevice(let reason) where device == nil {
                return .cpu(CPUBackend(), note: "No OpenCL device (\(reason)); training on the CPU reference backend instead.")
            }
        default:
            throw usageError("unknown backend '\(backend)'; use opencl or cpu")
        }
    }
}

/// A backend picked at run time.
enum ChosenBackend {
    case openCL(OpenCLBackend)
    case cpu(CPUBackend, note: String?)

    /// "opencl" or "cpu", as `--backend` and the JSON output name them.
    var name: String {
        switch self {
        case .openCL: "opencl"
        case .cpu: "cpu"
        }
    }

    /// The device and its kind, for the first line of output.
    var deviceDescription: String {
        switch self {
        case .openCL(let backend): "\(backend.device.name) (OpenCL \(backend.device.kind.rawValue), \(backend.device.platformName))"
        case .cpu(let backend, _): "\(backend.deviceName) (the CPU reference backend)"
        }
    }
}
