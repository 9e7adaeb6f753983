#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

/// Host memory holding a `CPUBackend` buffer: 4-byte elements, 64-byte aligned.
public final class CPUBuffer: DeviceBuffer, @unchecked Sendable {
    public let count: Int
    public let elementType: ElementType
    let storage: UnsafeMutableRawPointer

    /// Allocates `count` uninitialized elements.
    /// - Throws: `DescentError.outOfDeviceMemory` when the host cannot provide them.
    init(count: Int, elementType: ElementType) throws {
        let (bytes, overflow) = max(count, 1).multipliedReportingOverflow(by: elementType.byteCount)
        var memory: UnsafeMutableRawPointer? = nil
        guard !overflow, posix_memalign(&memory, 64, bytes) == 0, let memory else {
            throw DescentError.outOfDeviceMemory(
                bytes: overflow ? Int.max : bytes, device: "CPU reference (host memory)")
        }
        self.count = count
        self.elementType = elementType
        storage = memory
    }

    deinit { free(storage) }

    /// The float32 elements of `view` (which must be of this buffer).
    func floats(_ view: BufferView<CPUBuffer>) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(
            start: storage.assumingMemoryBound(to: Float.self) + view.offset, count: view.count)
    }

    /// The int32 elements of `view` (which must be of this buffer).
    func int32s(_ view: BufferView<CPUBuffer>) -> UnsafeMutableBufferPointer<Int32> {
        UnsafeMutableBufferPointer(
            start: storage.assumingMemoryBound(to: Int32.self) + view.offset, count: view.count)
    }
}

extension BufferView where Buffer == CPUBuffer {
    /// The view's float32 elements, in host memory.
    var floats: UnsafeMutableBufferPointer<Float> { buffer.floats(self) }
    /// The view's int32 elements, in host memory.
    var int32s: UnsafeMutableBufferPointer<Int32> { buffer.int32s(self) }
}
