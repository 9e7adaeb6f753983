import COpenCL
import DescentCore
import Synchronization

/// The OpenCL backend: Descent's ops as OpenCL C kernels on any OpenCL 1.2 device.
///
/// Ops are enqueued on one in-order command queue and return without waiting for the device;
/// only `download` and `synchronize` wait. The kernels' program is compiled once per process per
/// device (and cached on disk, by `ProgramBinaryCache` or by the driver itself, as PoCL does); a
/// backend is cheap to create after the first.
///
/// Thread safety: launches are serialized by a lock (OpenCL kernel objects are not thread-safe),
/// so one backend may be shared between threads, though ops from different threads interleave.
public final class OpenCLBackend: Backend, @unchecked Sendable {
    public typealias Buffer = OpenCLBuffer

    /// The device this backend runs on.
    public let device: OpenCLDeviceInfo
    /// The kernel tunables this backend compiles with.
    public let tuning: OpenCLTuning
    let deviceContext: OpenCLDeviceContext
    let queue: OpenCLQueueHandle
    private let kernels = Mutex<[KernelFunction: OpenCLKernel]>([:])
    private let launches = Mutex<Int>(0)
    /// Holds one partial result per work-group of `reduce(..., axis: .all)`.
    let reductionScratch: OpenCLBuffer
    /// The losses' scratch buffers, by use (see `scratch(_:count:elementType:)`).
    let scratchBuffers = Mutex<[ScratchUse: OpenCLBuffer]>([:])
    /// Errors found by kernels: `{found, sample, label, classes}` of the first invalid label.
    let deviceStatus: OpenCLBuffer
    /// Whether launches record profiling events (see `kernelProfile()`).
    public let profiling: Bool
    /// The event of every launch since the profile was last read, by kernel, when profiling.
    let profiledLaunches = Mutex<[(kernel: String, event: OpenCLEventHandle)]>([])
    /// Whether a kernel that can record an error ran since `deviceStatus` was last read.
    private let deviceStatusPending = Mutex<Bool>(false)

    /// The most work-groups the first pass of a full reduction uses.
    static let maxReductionGroups = 256

    /// Opens a backend on the device `selector` picks (by default `DESCENT_DEVICE`, else the best).
    /// - Parameters:
    ///   - selector: which device; see `DeviceSelector`.
    ///   - tuning: kernel tunables; by default the matmul variant `MatmulAutotuner` chose for this
    ///     device when one is stored (`TuningCache.standard`), else `OpenCLTuning.forDevice`.
    ///   - profiling: time every kernel with OpenCL profiling events, for `kernelProfile()`
    ///     (each launch then keeps an event until the profile is read).
    /// - Throws: `DescentError.noOpenCLDevice` (with how to install one),
    ///   `.openCLDriverOffersNoDevice`, `.deviceNotFound`, or `.openCLCallFailed` when the device
    ///   cannot be opened.
    public init(
        device selector: DeviceSelector = .fromEnvironment, tuning: OpenCLTuning? = nil,
        profiling: Bool = false
    ) throws {
        let device = try OpenCLDevices.device(for: selector)
        self.device = device.info
        self.tuning =
            tuning ?? TuningCache.standard.load(for: device.info)
            ?? .forDevice(maxWorkGroupSize: device.info.maxWorkGroupSize, kind: device.info.kind)
        deviceContext = try OpenCLDeviceContext.shared(for: device)
        var status: cl_int = CL_SUCCESS
        let properties = cl_command_queue_properties(profiling ? CL_QUEUE_PROFILING_ENABLE : 0)
        guard
            let rawQueue = clCreateCommandQueue(
                deviceContext.context.raw, device.id, properties, &status),
            status == CL_SUCCESS
        else {
            throw DescentError.openCLCallFailed(
                call: "clCreateCommandQueue", code: status, name: openCLErrorName(status))
        }
        queue = OpenCLQueueHandle(rawQueue)
        self.profiling = profiling
        reductionScratch = try Self.allocate(
            count: Self.maxReductionGroups, elementType: .float32, context: deviceContext,
            device: device.info)
        deviceStatus = try Self.allocate(
            count: 4, elementType: .int32, context: deviceContext, device: device.info)
        try fill(deviceStatus.view, with: 0)
    }

    public var deviceName: String { device.name }

    /// How many kernels this backend has enqueued: for tests and benchmarks that count launches
    /// (a fused optimizer step is one launch per parameter group).
    public var kernelLaunchCount: Int { launches.withLock { $0 } }

    // MARK: Buffers

    public func makeBuffer(count: Int, elementType: ElementType) throws -> OpenCLBuffer {
        try Self.allocate(
            count: count, elementType: elementType, context: deviceContext, device: device)
    }

    private static func allocate(
        count: Int, elementType: ElementType, context: OpenCLDeviceContext, device: OpenCLDeviceInfo
    ) throws -> OpenCLBuffer {
        guard count >= 0 else {
            throw DescentError.invalidArgument(
                operation: "makeBuffer", reason: "count \(count) is negative")
        }
        guard count <= Int(Int32.max) else {
            throw DescentError.invalidArgument(
                operation: "makeBuffer",
                reason: "\(count) elements exceed the limit of \(Int32.max) per buffer")
        }
        let bytes = max(count, 1) * elementType.byteCount
        guard UInt64(bytes) <= device.maxAllocationBytes else {
            throw DescentError.outOfDeviceMemory(
                bytes: bytes,
                device: "\(device.name) (largest allocation \(device.maxAllocationBytes) bytes)")
        }
        var status: cl_int = CL_SUCCESS
        let memory = clCreateBuffer(
            context.context.raw, cl_mem_flags(CL_MEM_READ_WRITE), bytes, nil, &status)
        guard let memory, status == CL_SUCCESS else {
            if status == CL_MEM_OBJECT_ALLOCATION_FAILURE || status == CL_OUT_OF_RESOURCES
                || status == CL_OUT_OF_HOST_MEMORY || status == CL_INVALID_BUFFER_SIZE
            {
                throw DescentError.outOfDeviceMemory(bytes: bytes, device: device.name)
            }
            throw DescentError.openCLCallFailed(
                call: "clCreateBuffer(\(bytes) bytes)", code: status, name: openCLErrorName(status))
        }
        return OpenCLBuffer(memory: memory, count: count, elementType: elementType)
    }

    public func upload<Scalar: DeviceScalar>(_ values: [Scalar], to destination: View) throws {
        try Validation.upload(count: values.count, type: Scalar.elementType, to: destination)
        guard !values.isEmpty else { return }
        try values.withUnsafeBytes { bytes in
            try check(
                clEnqueueWriteBuffer(
                    queue.raw, destination.buffer.memory, cl_bool(CL_TRUE), destination.offset * 4,
                    bytes.count,
                    bytes.baseAddress, 0, nil, nil),
                "clEnqueueWriteBuffer")
        }
    }

    public func download<Scalar: DeviceScalar>(
        _ source: View, as type: Scalar.Type
    ) throws -> [Scalar] {
        try Validation.elementType(source, Scalar.elementType, operation: "download")
        var values = [Scalar](repeating: .zero, count: source.count)
        guard !values.isEmpty else { return values }
        try values.withUnsafeMutableBytes { bytes in
            try check(
                clEnqueueReadBuffer(
                    queue.raw, source.buffer.memory, cl_bool(CL_TRUE), source.offset * 4,
                    bytes.count,
                    bytes.baseAddress, 0, nil, nil),
                "clEnqueueReadBuffer")
        }
        try reportDeviceErrors()
        return values
    }

    public func fill(_ destination: View, with value: Float) throws {
        guard destination.count > 0 else { return }
        switch destination.elementType {
        case .float32:
            try enqueueFill(destination, pattern: value)
        case .int32:
            guard let integer = Int32(exactly: value) else {
                throw DescentError.invalidArgument(
                    operation: "fill",
                    reason: "\(value) is not an integer that fits an int32 buffer")
            }
            try enqueueFill(destination, pattern: integer)
        }
    }

    func enqueueFill<Pattern: BitwiseCopyable>(_ destination: View, pattern: Pattern) throws {
        var pattern = pattern
        try check(
            clEnqueueFillBuffer(
                queue.raw, destination.buffer.memory, &pattern, MemoryLayout<Pattern>.size,
                destination.offset * 4,
                destination.count * 4, 0, nil, nil),
            "clEnqueueFillBuffer")
    }

    public func copy(_ source: View, to destination: View) throws {
        try Validation.copy(source, to: destination)
        guard source.count > 0 else { return }
        try check(
            clEnqueueCopyBuffer(
                queue.raw, source.buffer.memory, destination.buffer.memory, source.offset * 4,
                destination.offset * 4, source.count * 4, 0, nil, nil),
            "clEnqueueCopyBuffer")
    }

    public func synchronize() throws {
        try check(clFinish(queue.raw), "clFinish")
        try reportDeviceErrors()
    }

    // MARK: Errors found on the device

    /// Notes that a kernel that may write `deviceStatus` was enqueued.
    func expectDeviceStatus() {
        deviceStatusPending.withLock { $0 = true }
    }

    /// Throws the error a kernel recorded in `deviceStatus`, if any, and clears it. Reads the
    /// device only when such a kernel ran since the last read.
    private func reportDeviceErrors() throws {
        guard
            deviceStatusPending.withLock({ pending in
                defer { pending = false }; return pending
            })
        else { return }
        var status = [Int32](repeating: 0, count: 4)
        try check(
            clEnqueueReadBuffer(
                queue.raw, deviceStatus.memory, cl_bool(CL_TRUE), 0, 16, &status, 0, nil, nil),
            "clEnqueueReadBuffer(status)")
        guard status[0] != 0 else { return }
        try upload([Int32](repeating: 0, count: 4), to: deviceStatus.view)
        throw DescentError.invalidArgument(
            operation: "softmaxCrossEntropy",
            reason: Validation.invalidLabelReason(
                label: status[2], sample: Int(status[1]), classes: Int(status[3])))
    }

    // MARK: Launching kernels

    /// Enqueues `kernel` over `global` work-items in work-groups of `local`
    /// (`nil`: the driver chooses). Global sizes are rounded up to multiples of `local`; kernels
    /// check their bounds. Returns without waiting.
    func launch(
        _ kernel: Kernel, global: [Int], local: [Int]?, _ arguments: [KernelArgument]
    ) throws {
        try launch(kernel.function, global: global, local: local, arguments)
    }

    /// `launch` for any kernel function, the update rules' included.
    func launch(
        _ kernel: KernelFunction, global: [Int], local: [Int]?, _ arguments: [KernelArgument]
    ) throws {
        guard global.allSatisfy({ $0 > 0 }) else { return }
        let roundedGlobal =
            local.map { zip(global, $0).map { roundUp($0, toMultipleOf: $1) } } ?? global
        try kernels.withLock { kernels in
            let compiled: OpenCLKernel
            if let cached = kernels[kernel] {
                compiled = cached
            } else {
                compiled = try makeKernel(kernel)
                kernels[kernel] = compiled
            }
            try compiled.setArguments(arguments)
            var event: cl_event? = nil
            let status = withUnsafeMutablePointer(to: &event) { eventPointer in
                let eventOut = profiling ? eventPointer : nil
                return roundedGlobal.withUnsafeBufferPointer { globalSizes in
                    if let local {
                        return local.withUnsafeBufferPointer { localSizes in
                            clEnqueueNDRangeKernel(
                                queue.raw, compiled.raw, cl_uint(global.count), nil,
                                globalSizes.baseAddress,
                                localSizes.baseAddress, 0, nil, eventOut)
                        }
                    }
                    return clEnqueueNDRangeKernel(
                        queue.raw, compiled.raw, cl_uint(global.count), nil,
                        globalSizes.baseAddress, nil, 0, nil, eventOut)
                }
            }
            try check(
                status,
                "clEnqueueNDRangeKernel(\(kernel.name), global \(roundedGlobal), local \(local ?? []))"
            )
            if let event {
                profiledLaunches.withLock { $0.append((kernel.name, OpenCLEventHandle(event))) }
            }
            launches.withLock { $0 += 1 }
        }
    }

    /// A one-dimensional launch over `count` elements.
    func launchElementwise(_ kernel: Kernel, count: Int, _ arguments: [KernelArgument]) throws {
        try launchElementwise(kernel.function, count: count, arguments)
    }

    /// `launchElementwise` for any kernel function.
    func launchElementwise(
        _ kernel: KernelFunction, count: Int, _ arguments: [KernelArgument]
    )
        throws
    {
        try launch(kernel, global: [count], local: [min(64, device.maxWorkGroupSize)], arguments)
    }

    /// Creates `kernel` from its program, building the program first when it is not yet built.
    func makeKernel(_ kernel: KernelFunction) throws -> OpenCLKernel {
        let program = kernel.program, name = kernel.name
        let handle = try deviceContext.program(
            named: program.name, source: program.source, options: program.options(for: tuning))
        var status: cl_int = CL_SUCCESS
        guard let raw = clCreateKernel(handle.raw, name, &status), status == CL_SUCCESS else {
            throw DescentError.openCLCallFailed(
                call: "clCreateKernel(\(name))", code: status, name: openCLErrorName(status))
        }
        return OpenCLKernel(raw, name: name, program: handle)
    }
}
