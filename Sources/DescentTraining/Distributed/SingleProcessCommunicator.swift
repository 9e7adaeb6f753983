#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A job of one process: rank 0 of 1, whose collectives leave every value as it is. What
/// `Trainer` and search use unless they run under `mpirun`.
public final class SingleProcessCommunicator: Communicator {
    public init() {}

    public var rank: Int { 0 }
    public var size: Int { 1 }
    public var localRank: Int { 0 }

    /// The sum over one rank is the values themselves.
    public func allreduceSum(_ values: UnsafeMutableRawBufferPointer, of scalar: CommunicatedScalar)
    {}

    /// The only rank is the root.
    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) {}

    /// Copies `bytes` into `gathered`.
    public func allgather(
        _ bytes: UnsafeRawBufferPointer, into gathered: UnsafeMutableRawBufferPointer
    ) {
        gathered.copyMemory(from: bytes)
    }

    public func barrier() {}

    public func abort(code: Int32) -> Never { exit(code) }
}
