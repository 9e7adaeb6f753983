import DescentCore

/// The reference backend: every op in plain, readable Swift on the host, single-threaded.
///
/// Correctness comes first here; the OpenCL backend is tested against it op by op. Ops run
/// synchronously, so `synchronize` has nothing to wait for.
public final class CPUBackend: Backend, Sendable {
    public typealias Buffer = CPUBuffer

    public init() {}

    public var deviceName: String { "CPU reference" }

    public func makeBuffer(count: Int, elementType: ElementType) throws -> CPUBuffer {
        guard count >= 0 else {
            throw DescentError.invalidArgument(
                operation: "makeBuffer", reason: "count \(count) is negative")
        }
        return try CPUBuffer(count: count, elementType: elementType)
    }

    public func upload<Scalar: DeviceScalar>(_ values: [Scalar], to destination: View) throws {
        try Validation.upload(count: values.count, type: Scalar.elementType, to: destination)
        values.withUnsafeBytes { source in
            guard let base = source.baseAddress else { return }
            (destination.buffer.storage + destination.offset * 4).copyMemory(
                from: base, byteCount: source.count)
        }
    }

    public func download<Scalar: DeviceScalar>(
        _ source: View, as type: Scalar.Type
    ) throws -> [Scalar] {
        try Validation.elementType(source, Scalar.elementType, operation: "download")
        var values = [Scalar](repeating: .zero, count: source.count)
        values.withUnsafeMutableBytes { destination in
            guard let base = destination.baseAddress else { return }
            base.copyMemory(
                from: source.buffer.storage + source.offset * 4, byteCount: destination.count)
        }
        return values
    }

    public func fill(_ destination: View, with value: Float) throws {
        switch destination.elementType {
        case .float32:
            destination.floats.update(repeating: value)
        case .int32:
            guard let integer = Int32(exactly: value) else {
                throw DescentError.invalidArgument(
                    operation: "fill",
                    reason: "\(value) is not an integer that fits an int32 buffer")
            }
            destination.int32s.update(repeating: integer)
        }
    }

    public func copy(_ source: View, to destination: View) throws {
        try Validation.copy(source, to: destination)
        (destination.buffer.storage + destination.offset * 4)
            .copyMemory(
                from: source.buffer.storage + source.offset * 4, byteCount: source.count * 4)
    }

    public func synchronize() throws {}
}
