/// The type of the elements a device buffer holds.
public enum ElementType: String, Sendable, Equatable, CustomStringConvertible {
    /// IEEE 754 binary32: activations, parameters, gradients.
    case float32
    /// Signed 32-bit integers: class labels and argmax indices.
    case int32

    /// Bytes per element.
    public var byteCount: Int { 4 }

    public var description: String { rawValue }
}

/// A Swift scalar type that can be uploaded to and downloaded from a device buffer.
public protocol DeviceScalar: Sendable {
    /// The element type of buffers that hold this scalar.
    static var elementType: ElementType { get }
    /// The zero of this type, used to size host arrays before a download.
    static var zero: Self { get }
}

extension Float: DeviceScalar {
    public static var elementType: ElementType { .float32 }
}

extension Int32: DeviceScalar {
    public static var elementType: ElementType { .int32 }
}

/// Memory owned by a backend: host memory for the CPU reference, a `cl_mem` for OpenCL.
///
/// A buffer is released when its last reference goes away. Its contents are only reachable
/// through the backend that made it (`Backend.upload`, `Backend.download`).
public protocol DeviceBuffer: AnyObject {
    /// The number of elements the buffer holds.
    var count: Int { get }
    /// The type of each element.
    var elementType: ElementType { get }
}

/// A contiguous range of elements inside a device buffer: the operand type of every backend op.
///
/// Views are how one parameter arena holds many tensors: each layer's weights are a view at an
/// offset into the arena. Backends pass the offset to their kernels, so no sub-buffer is created.
public struct BufferView<Buffer: DeviceBuffer> {
    /// The buffer this view looks into.
    public let buffer: Buffer
    /// Index of the first element of the view inside `buffer`.
    public let offset: Int
    /// Number of elements in the view.
    public let count: Int

    /// The element type of the underlying buffer.
    public var elementType: ElementType { buffer.elementType }

    /// A view of `count` elements starting at `offset`.
    /// - Throws: `DescentError.invalidArgument` when the range does not lie inside the buffer.
    public init(_ buffer: Buffer, offset: Int, count: Int) throws {
        guard offset >= 0, count >= 0, offset <= buffer.count, count <= buffer.count - offset else {
            throw DescentError.invalidArgument(
                operation: "view",
                reason:
                    "offset \(offset) and count \(count) do not lie inside a buffer of \(buffer.count) elements"
            )
        }
        self.buffer = buffer
        self.offset = offset
        self.count = count
    }

    /// A view of the whole of `buffer`.
    public init(_ buffer: Buffer) {
        self.buffer = buffer
        self.offset = 0
        self.count = buffer.count
    }

    /// The `count` elements of this view starting at `offset` (relative to the view).
    /// - Throws: `DescentError.invalidArgument` when the range does not lie inside this view.
    public func subview(offset: Int, count: Int) throws -> BufferView {
        guard offset >= 0, count >= 0, offset <= self.count, count <= self.count - offset else {
            throw DescentError.invalidArgument(
                operation: "subview",
                reason:
                    "offset \(offset) and count \(count) do not lie inside a view of \(self.count) elements"
            )
        }
        return try BufferView(buffer, offset: self.offset + offset, count: count)
    }

    /// Whether two views share any element of the same buffer.
    public func overlaps(_ other: BufferView) -> Bool {
        buffer === other.buffer && offset < other.offset + other.count
            && other.offset < offset + count
    }

    /// Whether two views are exactly the same elements.
    public func isIdentical(to other: BufferView) -> Bool {
        buffer === other.buffer && offset == other.offset && count == other.count
    }
}

extension DeviceBuffer {
    /// A view of the whole buffer.
    public var view: BufferView<Self> { BufferView(self) }

    /// A view of `count` elements starting at `offset`.
    /// - Throws: `DescentError.invalidArgument` when the range does not lie inside the buffer.
    public func view(offset: Int, count: Int) throws -> BufferView<Self> {
        try BufferView(self, offset: offset, count: count)
    }
}
