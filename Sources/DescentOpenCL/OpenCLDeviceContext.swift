import COpenCL
import DescentCore
import Synchronization

/// How a program was obtained, for tests and cold-start measurements.
enum ProgramOrigin: Sendable, Equatable {
    case memory, disk, source
}

/// The process-wide OpenCL context of one device, with its program cache.
///
/// Every `OpenCLBackend` on a device shares this context, so programs are compiled once per
/// process (and, through `ProgramBinaryCache`, once per machine); each backend keeps its own
/// queue and kernel objects.
final class OpenCLDeviceContext: Sendable {
    let device: OpenCLDevice
    let context: OpenCLContextHandle
    let binaryCache: ProgramBinaryCache
    private let programs = Mutex<[String: ProgramSlot]>([:])

    /// One program's place in the memory cache, empty until its first build ends.
    private final class ProgramSlot: Sendable {
        let program = Mutex<OpenCLProgramHandle?>(nil)
    }

    private static let contexts = Mutex<[Int: OpenCLDeviceContext]>([:])

    /// The shared context of `device`, created on first use.
    static func shared(for device: OpenCLDevice) throws -> OpenCLDeviceContext {
        try contexts.withLock { contexts in
            if let existing = contexts[device.info.index] { return existing }
            let created = try OpenCLDeviceContext(
                device: device, binaryCache: .standard(for: device.info))
            contexts[device.info.index] = created
            return created
        }
    }

    init(device: OpenCLDevice, binaryCache: ProgramBinaryCache) throws {
        self.device = device
        self.binaryCache = binaryCache
        var status: cl_int = CL_SUCCESS
        var id: cl_device_id? = device.id
        guard let raw = clCreateContext(nil, 1, &id, nil, nil, &status), status == CL_SUCCESS else {
            try check(status, "clCreateContext")
            throw DescentError.openCLCallFailed(
                call: "clCreateContext", code: status, name: openCLErrorName(status))
        }
        context = OpenCLContextHandle(raw)
    }

    /// The program built from `source` with `options`: from memory, else from the disk cache,
    /// else compiled (and then stored in both).
    /// - Throws: `DescentError.kernelBuildFailed` with the compiler's log.
    func program(named name: String, source: String, options: String) throws -> OpenCLProgramHandle
    {
        try cachedProgram(named: name, source: source, options: options).program
    }

    /// Puts the program in the memory cache and says where it came from.
    func prepare(named name: String, source: String, options: String) throws -> ProgramOrigin {
        try cachedProgram(named: name, source: source, options: options).origin
    }

    /// Each program has a slot with its own lock: two threads that ask for the same program wait
    /// for one build, while different programs build at once (the autotuner builds the matmul
    /// candidates while another thread builds the core program).
    private func cachedProgram(
        named name: String, source: String, options: String
    ) throws -> (program: OpenCLProgramHandle, origin: ProgramOrigin) {
        let key = memoryKey(name: name, source: source, options: options)
        let slot = programs.withLock { programs in
            if let slot = programs[key] { return slot }
            let slot = ProgramSlot()
            programs[key] = slot
            return slot
        }
        return try slot.program.withLock { program in
            if let program { return (program, .memory) }
            let (built, origin) = try loadOrBuild(name: name, source: source, options: options)
            program = built
            return (built, origin)
        }
    }

    /// Loads the program from the disk cache or builds it from source, bypassing the memory cache.
    func loadOrBuild(
        name: String, source: String, options: String
    ) throws -> (OpenCLProgramHandle, ProgramOrigin) {
        let key = diskKey(name: name, source: source, options: options)
        if let binary = binaryCache.load(key: key) {
            if let program = try? buildFromBinary(binary, options: options) {
                return (program, .disk)
            }
            binaryCache.remove(key: key)
        }
        let program = try buildFromSource(name: name, source: source, options: options)
        if binaryCache.directory != nil, let binary = try? programBinary(program), !binary.isEmpty {
            binaryCache.store(key: key, binary: binary)
        }
        return (program, .source)
    }

    func diskKey(name: String, source: String, options: String) -> String {
        let info = device.info
        return [
            memoryKey(name: name, source: source, options: options), info.name, info.driverVersion,
            info.platformName, info.platformVersion,
        ].joined(separator: "|")
    }

    private func memoryKey(name: String, source: String, options: String) -> String {
        "\(name)|\(options)|\(hexadecimal(fnv1a64(Array(source.utf8))))"
    }

    private func buildFromSource(
        name: String, source: String, options: String
    ) throws -> OpenCLProgramHandle {
        var status: cl_int = CL_SUCCESS
        let raw: cl_program? = source.withCString { text in
            var pointer: UnsafePointer<CChar>? = text
            return clCreateProgramWithSource(context.raw, 1, &pointer, nil, &status)
        }
        guard let raw, status == CL_SUCCESS else {
            throw DescentError.openCLCallFailed(
                call: "clCreateProgramWithSource(\(name))", code: status,
                name: openCLErrorName(status))
        }
        let program = OpenCLProgramHandle(raw)
        try build(program, name: name, options: options)
        return program
    }

    private func buildFromBinary(_ binary: [UInt8], options: String) throws -> OpenCLProgramHandle {
        var status: cl_int = CL_SUCCESS
        var binaryStatus: cl_int = CL_SUCCESS
        var id: cl_device_id? = device.id
        var length = binary.count
        let raw: cl_program? = binary.withUnsafeBufferPointer { bytes in
            var pointer: UnsafePointer<UInt8>? = bytes.baseAddress
            return clCreateProgramWithBinary(
                context.raw, 1, &id, &length, &pointer, &binaryStatus, &status)
        }
        guard let raw, status == CL_SUCCESS, binaryStatus == CL_SUCCESS else {
            if let raw { clReleaseProgram(raw) }
            throw DescentError.openCLCallFailed(
                call: "clCreateProgramWithBinary", code: status, name: openCLErrorName(status))
        }
        let program = OpenCLProgramHandle(raw)
        try build(program, name: "cached binary", options: options)
        return program
    }

    private func build(_ program: OpenCLProgramHandle, name: String, options: String) throws {
        var id: cl_device_id? = device.id
        let status = clBuildProgram(program.raw, 1, &id, options, nil, nil)
        guard status == CL_SUCCESS else {
            let log = (try? buildLog(of: program)) ?? "(no build log: \(openCLErrorName(status)))"
            throw DescentError.kernelBuildFailed(program: name, options: options, log: log)
        }
    }

    /// The compiler's messages from building `program` (errors, or warnings after a success).
    func buildLog(of program: OpenCLProgramHandle) throws -> String {
        try infoString("clGetProgramBuildInfo") {
            clGetProgramBuildInfo(
                program.raw, device.id, cl_program_build_info(CL_PROGRAM_BUILD_LOG), $0, $1, $2)
        }
    }

    private func programBinary(_ program: OpenCLProgramHandle) throws -> [UInt8] {
        var size = 0
        try check(
            clGetProgramInfo(
                program.raw, cl_program_info(CL_PROGRAM_BINARY_SIZES), MemoryLayout<Int>.size,
                &size, nil),
            "clGetProgramInfo(CL_PROGRAM_BINARY_SIZES)")
        guard size > 0 else { return [] }
        var binary = [UInt8](repeating: 0, count: size)
        try binary.withUnsafeMutableBytes { bytes in
            var pointer: UnsafeMutableRawPointer? = bytes.baseAddress
            try check(
                clGetProgramInfo(
                    program.raw, cl_program_info(CL_PROGRAM_BINARIES),
                    MemoryLayout<UnsafeMutableRawPointer?>.size, &pointer, nil),
                "clGetProgramInfo(CL_PROGRAM_BINARIES)")
        }
        return binary
    }
}
