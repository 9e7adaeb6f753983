import COpenCL

// Each OpenCL handle is owned by one immutable object that releases it in `deinit`. The OpenCL
// 1.2 API is thread-safe for these objects, so they are Sendable; kernels are not (see
// `OpenCLKernel`).

/// An OpenCL context over one device.
final class OpenCLContextHandle: @unchecked Sendable {
    let raw: cl_context
    init(_ raw: cl_context) { self.raw = raw }
    deinit { clReleaseContext(raw) }
}

/// An in-order command queue.
final class OpenCLQueueHandle: @unchecked Sendable {
    let raw: cl_command_queue
    init(_ raw: cl_command_queue) { self.raw = raw }
    deinit { clReleaseCommandQueue(raw) }
}

/// An event of an enqueued command, for its profiling times.
final class OpenCLEventHandle: @unchecked Sendable {
    let raw: cl_event
    init(_ raw: cl_event) { self.raw = raw }
    deinit { clReleaseEvent(raw) }
}

/// A built program.
final class OpenCLProgramHandle: @unchecked Sendable {
    let raw: cl_program
    init(_ raw: cl_program) { self.raw = raw }
    deinit { clReleaseProgram(raw) }
}

/// A kernel object. `clSetKernelArg` is not thread-safe, so a kernel belongs to one backend and
/// is only touched under that backend's launch lock: that lock is what makes it Sendable.
final class OpenCLKernel: @unchecked Sendable {
    let raw: cl_kernel
    let name: String
    /// Keeps the program alive as long as the kernel.
    let program: OpenCLProgramHandle
    init(_ raw: cl_kernel, name: String, program: OpenCLProgramHandle) {
        self.raw = raw
        self.name = name
        self.program = program
    }
    deinit { clReleaseKernel(raw) }
}
