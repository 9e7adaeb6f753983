/// Every failure in Descent, as a value that says what went wrong and what to do about it.
///
/// Nothing a caller passes to the public API crashes the process: bad shapes, bad arguments and
/// device failures all surface as one of these cases. `description` is a complete sentence meant
/// to be shown to a person.
public enum DescentError: Error, Equatable, CustomStringConvertible {
    /// No OpenCL platform or device could be found.
    case noOpenCLDevice(reason: String)
    /// OpenCL drivers are installed (`platforms`), but none offers a device: a driver that cannot
    /// start, which is a failure to fix, not the absence of OpenCL.
    case openCLDriverOffersNoDevice(platforms: [String])
    /// A device was requested (by index or name) that does not exist.
    case deviceNotFound(requested: String, available: [String])
    /// A device name matched more than one device; `matches` lists them as "index: description".
    case ambiguousDevice(requested: String, matches: [String])
    /// An OpenCL API call returned an error code. `name` is the code's symbolic name
    /// (for example `CL_OUT_OF_RESOURCES`).
    case openCLCallFailed(call: String, code: Int32, name: String)
    /// An OpenCL program did not compile; `log` is the compiler's build log.
    case kernelBuildFailed(program: String, options: String, log: String)
    /// An operand's shape or size does not fit the operation.
    case shapeMismatch(operation: String, expected: String, actual: String)
    /// An argument is outside the values the operation accepts.
    case invalidArgument(operation: String, reason: String)
    /// An operand holds a different element type than the operation needs.
    case elementTypeMismatch(operation: String, expected: ElementType, actual: ElementType)
    /// The device could not allocate a buffer of the requested size.
    case outOfDeviceMemory(bytes: Int, device: String)
    /// A job was launched across processes (`mpirun`), but the distributed runtime could not be
    /// used.
    case distributedRuntimeUnavailable(reason: String)
    /// A collective call between the ranks of a job failed; `rank` is the rank that saw it (-1
    /// before it knew its rank).
    case communicationFailed(call: String, rank: Int, reason: String)
    /// The ranks of a job do not agree on something they must share: `what` names it,
    /// `values` gives each rank's, in rank order.
    case ranksDisagree(what: String, values: [String])

    public var description: String {
        switch self {
        case .noOpenCLDevice(let reason):
            return "No OpenCL device is available (\(reason)). Install a driver for your GPU, or "
                + "PoCL to run OpenCL on the CPU: apt-get install pocl-opencl-icd ocl-icd-opencl-dev. "
                + "`clinfo -l` lists what the OpenCL loader sees."
        case .openCLDriverOffersNoDevice(let platforms):
            return "The OpenCL driver\(platforms.count == 1 ? "" : "s") installed here ("
                + platforms.joined(separator: ", ")
                + ") offer\(platforms.count == 1 ? "s" : "") no device: "
                + "the driver could not start (a CPU it does not support, a cache folder it cannot use, "
                + "or hardware that is not there). `clinfo -l` shows the same. Fix or remove the driver "
                + "(its file in /etc/OpenCL/vendors or OCL_ICD_VENDORS), or train on the CPU reference "
                + "with --backend cpu."
        case .deviceNotFound(let requested, let available):
            let list =
                available.isEmpty
                ? "none"
                : available.enumerated().map { "\($0.offset): \($0.element)" }.joined(
                    separator: ", ")
            return "No OpenCL device matches '\(requested)'. Available devices: \(list). "
                + "Select one by index or by a substring of its name (DESCENT_DEVICE or --device)."
        case .ambiguousDevice(let requested, let matches):
            return
                "'\(requested)' matches \(matches.count) OpenCL devices: \(matches.joined(separator: ", ")). "
                + "Select one by its index, by a longer part of its name, or by its platform's full name "
                + "(DESCENT_DEVICE or --device)."
        case .openCLCallFailed(let call, let code, let name):
            return "OpenCL call \(call) failed with \(name) (\(code))."
                + Self.advice(forOpenCLError: name)
        case .kernelBuildFailed(let program, let options, let log):
            let optionText = options.isEmpty ? "" : " with options '\(options)'"
            return "The OpenCL program '\(program)' did not build\(optionText). Build log:\n\(log)"
        case .shapeMismatch(let operation, let expected, let actual):
            return "\(operation): shape mismatch: expected \(expected), got \(actual)."
        case .invalidArgument(let operation, let reason):
            return "\(operation): invalid argument: \(reason)."
        case .elementTypeMismatch(let operation, let expected, let actual):
            return "\(operation): expected a buffer of \(expected) but got one of \(actual)."
        case .outOfDeviceMemory(let bytes, let device):
            return "Out of device memory on \(device): could not allocate \(bytes) bytes "
                + "(\(bytes / (1 << 20)) MiB). Use a smaller batch or model, or free other buffers."
        case .distributedRuntimeUnavailable(let reason):
            return "This process was started as a rank of a distributed job, but \(reason). "
                + "Run without mpirun to train in one process."
        case .communicationFailed(let call, let rank, let reason):
            let who = rank >= 0 ? "rank \(rank)" : "a rank"
            return "\(call) failed on \(who): \(reason). A rank of the job stopped or the network "
                + "between them failed; the job ends."
        case .ranksDisagree(let what, let values):
            let list = values.enumerated().map { "rank \($0.offset): \($0.element)" }
            return "The ranks of this job disagree on \(what) (\(list.joined(separator: "; "))). "
                + "Every rank must run the same command on the same data: start them with one "
                + "mpirun command line, and give them the same files."
        }
    }

    private static func advice(forOpenCLError name: String) -> String {
        switch name {
        case "CL_OUT_OF_RESOURCES", "CL_MEM_OBJECT_ALLOCATION_FAILURE", "CL_OUT_OF_HOST_MEMORY":
            return " The device ran out of memory or resources: reduce the batch or model size."
        case "CL_INVALID_WORK_GROUP_SIZE":
            return
                " The work-group size does not suit this device: please report it with `descent devices`."
        default:
            return ""
        }
    }
}
