#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentOpenCL
import Testing

/// Whether and where the OpenCL tests run (DESIGN.md §6).
///
/// Where there is no OpenCL device they are skipped with a visible reason, unless `CI` or
/// `DESCENT_REQUIRE_OPENCL` is set: then they run and fail, so a green run never hides skipped
/// OpenCL tests. The device's name is printed once per test process.
public enum OpenCLTestSupport {
    /// Whether a missing device must fail the tests.
    public static let isRequired: Bool = ["CI", "DESCENT_REQUIRE_OPENCL"].contains { name in
        guard let value = getenv(name) else { return false }
        return !["", "0", "false"].contains(String(cString: value))
    }

    /// The device the tests use, or the error that says why there is none.
    public static let device: Result<OpenCLDeviceInfo, DescentError> = {
        let result = Result { try OpenCLDevices.select(.fromEnvironment) }
            .mapError { $0 as? DescentError ?? .noOpenCLDevice(reason: "\($0)") }
        switch result {
        case .success(let info):
            print("OpenCL tests run on: \(info.name) [\(info.platformName), \(info.driverVersion)]")
        case .failure(let error):
            print("OpenCL tests \(isRequired ? "FAIL" : "are skipped"): \(error)")
        }
        return result
    }()

    /// Whether the OpenCL tests should run: a device exists, or its absence must fail.
    public static var shouldRun: Bool {
        if case .success = device { return true }
        return isRequired
    }

    /// A backend on the test device with the device kind's default tuning, not whatever matmul
    /// variant a tuning run stored on this machine, so that a test's numbers do not depend on it.
    /// - Throws: the discovery error when there is no device (the test then fails).
    public static func makeBackend() throws -> OpenCLBackend {
        let info = try device.get()
        return try OpenCLBackend(
            device: .fromEnvironment,
            tuning: .forDevice(maxWorkGroupSize: info.maxWorkGroupSize, kind: info.kind))
    }

    /// A backend on the test device whose matmul uses `strategy`, so that every strategy is tested
    /// on every device, not only the one `OpenCLTuning.forDevice` picks for it.
    public static func makeBackend(
        matmulStrategy strategy: OpenCLTuning.MatmulStrategy
    ) throws -> OpenCLBackend {
        let info = try device.get()
        var tuning = OpenCLTuning.forDevice(
            maxWorkGroupSize: info.maxWorkGroupSize, kind: info.kind)
        tuning.matmulStrategy = strategy
        return try OpenCLBackend(device: .fromEnvironment, tuning: tuning)
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where an OpenCL device exists, or where one is required (see `OpenCLTestSupport`).
    public static var requiresOpenCL: Self {
        .enabled(
            if: OpenCLTestSupport.shouldRun,
            "no OpenCL device: install pocl-opencl-icd (or a GPU driver)")
    }
}
