import COpenCL
import DescentCore

/// One argument of a kernel launch.
enum KernelArgument {
    /// A view: two kernel arguments, the buffer and the element offset of the view (`int`).
    case view(BufferView<OpenCLBuffer>)
    /// An optional view: a NULL buffer and offset 0 when nil (the kernel tests the pointer).
    case optionalView(BufferView<OpenCLBuffer>?)
    /// A whole buffer without an offset argument (scratch memory).
    case memory(cl_mem)
    /// An `int`. Counts and offsets fit: buffers are limited to `Int32.max` elements.
    case int(Int)
    /// A `ulong`.
    case ulong(UInt64)
    /// A `float`.
    case float(Float)

    /// One of the numeric codes of `KernelCodes.swift`, as the `int` the kernel switches on.
    static func code<Code: RawRepresentable<Int32>>(_ code: Code) -> KernelArgument {
        .int(Int(code.rawValue))
    }
}

extension OpenCLKernel {
    /// Sets the arguments in order. The caller holds the backend's launch lock.
    func setArguments(_ arguments: [KernelArgument]) throws {
        var index: cl_uint = 0
        func set<T: BitwiseCopyable>(_ value: T) throws {
            var value = value
            try check(
                clSetKernelArg(raw, index, MemoryLayout<T>.size, &value),
                "clSetKernelArg(\(name), \(index))")
            index += 1
        }
        for argument in arguments {
            switch argument {
            case .view(let view):
                try set(view.buffer.memory)
                try set(cl_int(truncatingIfNeeded: view.offset))
            case .optionalView(let view):
                try set(view?.buffer.memory)
                try set(cl_int(truncatingIfNeeded: view?.offset ?? 0))
            case .memory(let memory):
                try set(memory)
            case .int(let value):
                try set(cl_int(clamping: value))
            case .ulong(let value):
                try set(cl_ulong(value))
            case .float(let value):
                try set(cl_float(value))
            }
        }
    }
}

/// `value` rounded up to a multiple of `multiple`.
func roundUp(_ value: Int, toMultipleOf multiple: Int) -> Int {
    (value + multiple - 1) / multiple * multiple
}
