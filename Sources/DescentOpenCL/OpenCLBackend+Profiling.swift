import COpenCL
import DescentCore

/// The device time one kernel took, summed over its launches, from OpenCL profiling events.
public struct KernelTime: Sendable, Equatable {
    /// The kernel's name in `Kernels/`, for example `matmul_tiled`.
    public var kernel: String
    public var launches: Int
    /// Device time from the start to the end of each launch, summed, in milliseconds.
    public var milliseconds: Double

    /// Milliseconds per launch.
    public var averageMilliseconds: Double { launches > 0 ? milliseconds / Double(launches) : 0 }
}

extension OpenCLBackend {
    /// Per-kernel device time of every launch since the last call, most expensive first, so that
    /// the next bottleneck is visible. Waits for the queue, then forgets the events it read.
    /// - Throws: `DescentError.invalidArgument` when the backend was not opened with
    ///   `profiling: true`; `.openCLCallFailed` when an event cannot be read.
    public func kernelProfile() throws -> [KernelTime] {
        guard profiling else {
            throw DescentError.invalidArgument(
                operation: "kernelProfile",
                reason: "open the backend with OpenCLBackend(profiling: true) to time its kernels")
        }
        try synchronize()
        let launches = profiledLaunches.withLock { launches in
            defer { launches.removeAll() }
            return launches
        }
        var times: [String: KernelTime] = [:]
        for (kernel, event) in launches {
            var start: cl_ulong = 0, end: cl_ulong = 0
            try check(
                clGetEventProfilingInfo(
                    event.raw, cl_profiling_info(CL_PROFILING_COMMAND_START),
                    MemoryLayout<cl_ulong>.size, &start, nil),
                "clGetEventProfilingInfo(START)")
            try check(
                clGetEventProfilingInfo(
                    event.raw, cl_profiling_info(CL_PROFILING_COMMAND_END),
                    MemoryLayout<cl_ulong>.size, &end, nil),
                "clGetEventProfilingInfo(END)")
            times[kernel, default: KernelTime(kernel: kernel, launches: 0, milliseconds: 0)]
                .launches += 1
            times[kernel]?.milliseconds += Double(end >= start ? end - start : 0) * 1e-6
        }
        return times.values.sorted { $0.milliseconds > $1.milliseconds }
    }
}
