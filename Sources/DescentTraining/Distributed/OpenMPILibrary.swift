#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

/// Open MPI's C API, loaded at run time with `dlopen` (as the benchmark loads CLBlast), so that
/// Descent builds and runs where MPI is not installed and needs it only to run under `mpirun`.
///
/// Open MPI's handles (`MPI_COMM_WORLD`, `MPI_FLOAT`, `MPI_SUM`, ...) are the addresses of its
/// predefined global objects (`&ompi_mpi_comm_world`, ...), so `dlsym` finds them as it finds
/// the functions. MPICH and its derivatives use integer handles: another ABI, not this one.
struct OpenMPILibrary {
    typealias Handle = UnsafeMutableRawPointer
    typealias Initialize =
        @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) ->
        Int32
    typealias Query = @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    typealias CommunicatorQuery = @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
    typealias Allreduce =
        @convention(c) (
            UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle
        ) -> Int32
    typealias Broadcast =
        @convention(c) (UnsafeMutableRawPointer?, Int32, Handle, Int32, Handle)
        -> Int32
    typealias Allgather =
        @convention(c) (
            UnsafeRawPointer?, Int32, Handle, UnsafeMutableRawPointer?, Int32, Handle, Handle
        ) -> Int32
    typealias Barrier = @convention(c) (Handle) -> Int32
    typealias Abort = @convention(c) (Handle, Int32) -> Int32
    typealias Finalize = @convention(c) () -> Int32
    typealias SetErrorHandler = @convention(c) (Handle, Handle) -> Int32
    typealias ErrorString =
        @convention(c) (
            Int32, UnsafeMutablePointer<CChar>, UnsafeMutablePointer<Int32>
        ) -> Int32

    let initialize: Initialize
    let initialized: Query
    let finalized: Query
    let commRank: CommunicatorQuery
    let commSize: CommunicatorQuery
    let allreduce: Allreduce
    let broadcast: Broadcast
    let allgather: Allgather
    let barrier: Barrier
    let abort: Abort
    let finalize: Finalize
    let setErrorHandler: SetErrorHandler
    let errorString: ErrorString

    let world: Handle
    let byte: Handle
    let float32: Handle
    let float64: Handle
    let int32: Handle
    let int64: Handle
    let sum: Handle
    let errorsReturn: Handle

    /// Where it was loaded from.
    let path: String

    /// The library names tried in order, unless `DESCENT_MPI_LIBRARY` names one: Open MPI 3 to 5
    /// all install `libmpi.so.40`.
    static let libraryNames = ["libmpi.so.40", "libmpi.so"]

    /// Loads Open MPI.
    /// - Throws: `DescentError.distributedRuntimeUnavailable` naming what was tried and what is
    ///   missing.
    init(environment: DistributedLaunch.Environment) throws {
        let names = environment("DESCENT_MPI_LIBRARY").map { [$0] } ?? Self.libraryNames
        // RTLD_GLOBAL: Open MPI's own plug-ins resolve their symbols against the library.
        guard
            let (handle, path) = names.lazy.compactMap({ name in
                dlopen(name, RTLD_NOW | RTLD_GLOBAL).map { ($0, name) }
            }).first
        else {
            let reason = dlerror().map { String(cString: $0) } ?? "not found"
            throw DescentError.distributedRuntimeUnavailable(
                reason:
                    "Open MPI's library (\(names.joined(separator: " or "))) could not be loaded: "
                    + "\(reason). Install Open MPI (apt-get install openmpi-bin) or name the library "
                    + "with DESCENT_MPI_LIBRARY")
        }
        func symbol(_ name: String) throws -> UnsafeMutableRawPointer {
            guard let address = dlsym(handle, name) else {
                throw DescentError.distributedRuntimeUnavailable(
                    reason: "\(path) has no symbol \(name): it is not Open MPI (MPICH and its "
                        + "derivatives have another ABI)")
            }
            return address
        }
        func function<F>(_ name: String, as: F.Type) throws -> F {
            unsafeBitCast(try symbol(name), to: F.self)
        }
        self.path = path
        initialize = try function("MPI_Init", as: Initialize.self)
        initialized = try function("MPI_Initialized", as: Query.self)
        finalized = try function("MPI_Finalized", as: Query.self)
        commRank = try function("MPI_Comm_rank", as: CommunicatorQuery.self)
        commSize = try function("MPI_Comm_size", as: CommunicatorQuery.self)
        allreduce = try function("MPI_Allreduce", as: Allreduce.self)
        broadcast = try function("MPI_Bcast", as: Broadcast.self)
        allgather = try function("MPI_Allgather", as: Allgather.self)
        barrier = try function("MPI_Barrier", as: Barrier.self)
        abort = try function("MPI_Abort", as: Abort.self)
        finalize = try function("MPI_Finalize", as: Finalize.self)
        setErrorHandler = try function("MPI_Comm_set_errhandler", as: SetErrorHandler.self)
        errorString = try function("MPI_Error_string", as: ErrorString.self)
        world = try symbol("ompi_mpi_comm_world")
        byte = try symbol("ompi_mpi_byte")
        float32 = try symbol("ompi_mpi_float")
        float64 = try symbol("ompi_mpi_double")
        int32 = try symbol("ompi_mpi_int")
        int64 = try symbol("ompi_mpi_int64_t")
        sum = try symbol("ompi_mpi_op_sum")
        errorsReturn = try symbol("ompi_mpi_errors_return")
    }

    /// The datatype handle of `scalar`.
    func datatype(_ scalar: CommunicatedScalar) -> Handle {
        switch scalar {
        case .float32: float32
        case .float64: float64
        case .int32: int32
        case .int64: int64
        }
    }

    /// Open MPI's words for an error code.
    func message(for code: Int32) -> String {
        var text = [CChar](repeating: 0, count: 512)
        var length: Int32 = 0
        guard errorString(code, &text, &length) == 0 else { return "MPI error \(code)" }
        return String(
            decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
