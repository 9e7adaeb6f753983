#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

/// The processes `mpirun` started, talking through Open MPI (`OpenMPILibrary`, loaded at run
/// time): one rank per process, collectives over `MPI_COMM_WORLD`.
///
/// Calls return errors instead of ending the job (`MPI_ERRORS_RETURN`); a rank that then fails
/// calls `abort`, and `mpirun` ends every rank at once. A rank killed by a signal is noticed by
/// `mpirun` itself, which ends the others: no rank waits forever for a dead peer.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    public let localRank: Int
    private let library: OpenMPILibrary
    /// The most elements one MPI call moves: larger buffers go in chunks (MPI counts are 32-bit,
    /// and a chunk bounds the library's temporary buffers), 4 Mi elements (16 MiB of floats).
    static let chunkElements = 1 << 22

    /// Initializes MPI (once per process) and joins the job.
    /// - Parameter environment: the process environment (`OMPI_COMM_WORLD_LOCAL_RANK` gives the
    ///   local rank; `DESCENT_MPI_LIBRARY` another library path).
    /// - Throws: `DescentError.distributedRuntimeUnavailable` when Open MPI cannot be loaded,
    ///   `.communicationFailed` when it does not start.
    public init(
        environment: DistributedLaunch.Environment = DistributedLaunch.processEnvironment
    )
        throws
    {
        library = try OpenMPILibrary(environment: environment)
        var flag: Int32 = 0
        try Self.check(library, library.initialized(&flag), call: "MPI_Initialized", rank: -1)
        if flag == 0 {
            try Self.check(library, library.initialize(nil, nil), call: "MPI_Init", rank: -1)
        }
        try Self.check(
            library, library.setErrorHandler(library.world, library.errorsReturn),
            call: "MPI_Comm_set_errhandler", rank: -1)
        var value: Int32 = 0
        try Self.check(
            library, library.commRank(library.world, &value), call: "MPI_Comm_rank", rank: -1)
        rank = Int(value)
        try Self.check(
            library, library.commSize(library.world, &value), call: "MPI_Comm_size", rank: rank)
        size = Int(value)
        localRank = DistributedLaunch.localRank(environment: environment) ?? 0
    }

    /// The path of the MPI library in use.
    public var libraryPath: String { library.path }

    public func allreduceSum(
        _ values: UnsafeMutableRawBufferPointer, of scalar: CommunicatedScalar
    )
        throws
    {
        guard let base = values.baseAddress else { return }
        let count = values.count / scalar.stride
        for start in stride(from: 0, to: count, by: Self.chunkElements) {
            let chunk = min(Self.chunkElements, count - start)
            // MPI_IN_PLACE is the address 1 in Open MPI.
            try check(
                library.allreduce(
                    UnsafeRawPointer(bitPattern: 1), base + start * scalar.stride, Int32(chunk),
                    library.datatype(scalar), library.sum, library.world),
                call: "MPI_Allreduce")
        }
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws {
        guard let base = bytes.baseAddress else { return }
        for start in stride(from: 0, to: bytes.count, by: Self.chunkElements) {
            let chunk = min(Self.chunkElements, bytes.count - start)
            try check(
                library.broadcast(
                    base + start, Int32(chunk), library.byte, Int32(root), library.world),
                call: "MPI_Bcast")
        }
    }

    public func allgather(
        _ bytes: UnsafeRawBufferPointer, into gathered: UnsafeMutableRawBufferPointer
    )
        throws
    {
        precondition(
            gathered.count == bytes.count * size, "allgather: \(size) x \(bytes.count) bytes")
        guard bytes.count > 0 else { return }
        try check(
            library.allgather(
                bytes.baseAddress, Int32(bytes.count), library.byte, gathered.baseAddress,
                Int32(bytes.count), library.byte, library.world),
            call: "MPI_Allgather")
    }

    public func barrier() throws {
        try check(library.barrier(library.world), call: "MPI_Barrier")
    }

    public func abort(code: Int32) -> Never {
        _ = library.abort(library.world, code)
        exit(code)
    }

    /// Leaves MPI: every rank calls it once, at the end of its work, or `mpirun` reports the
    /// job as failed.
    public func finalize() {
        var flag: Int32 = 0
        _ = library.finalized(&flag)
        if flag == 0 { _ = library.finalize() }
    }

    private func check(_ code: Int32, call: String) throws {
        try Self.check(library, code, call: call, rank: rank)
    }

    private static func check(
        _ library: OpenMPILibrary, _ code: Int32, call: String, rank: Int
    )
        throws
    {
        guard code != 0 else { return }
        throw DescentError.communicationFailed(
            call: call, rank: rank, reason: library.message(for: code))
    }
}
