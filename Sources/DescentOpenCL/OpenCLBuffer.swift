import COpenCL
import DescentCore

/// Device memory of an `OpenCLBackend`: one `cl_mem`, released when the buffer is.
///
/// Releasing is safe while kernels that use the buffer are still queued: OpenCL frees the memory
/// only after they finish.
public final class OpenCLBuffer: DeviceBuffer, @unchecked Sendable {
    public let count: Int
    public let elementType: ElementType
    let memory: cl_mem

    init(memory: cl_mem, count: Int, elementType: ElementType) {
        self.memory = memory
        self.count = count
        self.elementType = elementType
    }

    deinit { clReleaseMemObject(memory) }
}
