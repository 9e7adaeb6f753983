import ArgumentParser
import Descent

/// Where to compute: the OpenCL backend on a chosen device, or the CPU reference.
struct BackendOptions: ParsableArguments {
    @Option(
        help:
            "opencl or cpu. opencl falls back to cpu, saying so, when no OpenCL driver is installed (a driver that offers no device is an error)."
    )
    var backend = "opencl"

    @Option(
        help:
            "OpenCL device: an index, gpu/cpu, or a substring of its name (default: DESCENT_DEVICE, else the best)."
    )
    var device: String?

    /// The chosen backend; `note` says why it is not the one asked for, when it is not. On an
    /// OpenCL device's first use the matmul variant is tuned (`MatmulAutotuner`), said through
    /// `progress` (by default on standard error).
    /// - Parameter localRank: a distributed job's local rank: unless a device is named, the
    ///   ranks on one machine take turns over its devices of the best kind (one GPU each).
    func choose(
        localRank: Int? = nil, progress: (String) -> Void = { StandardError.line($0) }
    )
        throws -> ChosenBackend
    {
        switch backend {
        case "cpu":
            if let device {
                throw usageError(
                    "--device \(device.prefix(80)) picks an OpenCL device, and --backend cpu uses none; drop one of them"
                )
            }
            return .cpu(CPUBackend(), note: nil)
        case "opencl":
            do {
                var selector = device.map(DeviceSelector.init(parsing:)) ?? .fromEnvironment
                if selector == .automatic, let localRank {
                    selector = try .automatic(localRank: localRank)
                }
                let (tuning, measured) = try MatmulAutotuner.tuningOnFirstUse(
                    device: selector, waiting: progress)
                if let measured {
                    progress(
                        "Tuned the matmul kernels for this device in \(ProgressBar.duration(measured.seconds)) "
                            + "(once per device and driver): \(measured.tuning.matmulVariant)")
                }
                return .openCL(try OpenCLBackend(device: selector, tuning: tuning))
            } catch DescentError.noOpenCLDevice(let reason) where device == nil {
                return .cpu(
                    CPUBackend(),
                    note:
                        "No OpenCL device (\(reason)); training on the CPU reference backend instead."
                )
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
        case .openCL(let backend):
            "\(backend.device.name) (OpenCL \(backend.device.kind.rawValue), \(backend.device.platformName))"
        case .cpu(let backend, _): "\(backend.deviceName) (the CPU reference backend)"
        }
    }
}
