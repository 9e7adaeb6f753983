import DescentCore

/// The processes of one training job and the collective operations between them: the seam
/// through which data-parallel training sums gradients and search shares out trials.
///
/// Every collective is called by every rank, in the same order, with the same element counts;
/// a rank that calls one the others do not waits for them, as with MPI. A job of one process
/// (`SingleProcessCommunicator`) makes each operation a no-op; `MPICommunicator` runs them over
/// Open MPI under `mpirun`.
public protocol Communicator: AnyObject {
    /// This process's place in the job, in `0..<size`.
    var rank: Int { get }
    /// The number of processes in the job.
    var size: Int { get }
    /// This process's place among the job's processes on its machine, which picks its device
    /// when a machine has several.
    var localRank: Int { get }

    /// Replaces `values` on every rank with their element-wise sum over all ranks.
    func allreduceSum(
        _ values: UnsafeMutableRawBufferPointer, of scalar: CommunicatedScalar)
        throws
    /// Replaces `bytes` on every rank with rank `root`'s.
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws
    /// Every rank's `bytes` (the same count on each), in rank order, into `gathered`
    /// (`size * bytes.count` bytes).
    func allgather(
        _ bytes: UnsafeRawBufferPointer, into gathered: UnsafeMutableRawBufferPointer)
        throws
    /// Returns when every rank has called it.
    func barrier() throws
    /// Ends the whole job at once with `code` (after a rank failed, so that the others do not wait
    /// for it forever).
    func abort(code: Int32) -> Never
}

/// The element types collectives sum.
public enum CommunicatedScalar: Sendable {
    case float32, float64, int32, int64

    /// The bytes of one element.
    public var stride: Int {
        switch self {
        case .float32, .int32: 4
        case .float64, .int64: 8
        }
    }
}

extension Communicator {
    /// Whether this process is the job's first, the one that writes files and prints.
    public var isRoot: Bool { rank == 0 }

    /// Whether the job has more than one process.
    public var isDistributed: Bool { size > 1 }

    /// Replaces `values` with their sum over all ranks.
    public func allreduceSum(_ values: inout [Float]) throws {
        try values.withUnsafeMutableBytes { try allreduceSum($0, of: .float32) }
    }

    /// Replaces `values` with their sum over all ranks.
    public func allreduceSum(_ values: inout [Double]) throws {
        try values.withUnsafeMutableBytes { try allreduceSum($0, of: .float64) }
    }

    /// Replaces `values` with their sum over all ranks.
    public func allreduceSum(_ values: inout [Int32]) throws {
        try values.withUnsafeMutableBytes { try allreduceSum($0, of: .int32) }
    }

    /// Replaces `values` with their sum over all ranks.
    public func allreduceSum(_ values: inout [Int64]) throws {
        try values.withUnsafeMutableBytes { try allreduceSum($0, of: .int64) }
    }

    /// Replaces `values` with rank `root`'s (the same count on every rank).
    public func broadcast(_ values: inout [Float], from root: Int = 0) throws {
        try values.withUnsafeMutableBytes { try broadcast($0, from: root) }
    }

    /// Rank `root`'s bytes, of any length, on every rank.
    public func broadcast(_ bytes: [UInt8], from root: Int = 0) throws -> [UInt8] {
        var count = [Int64(bytes.count)]
        try count.withUnsafeMutableBytes { try broadcast($0, from: root) }
        var received = rank == root ? bytes : [UInt8](repeating: 0, count: Int(count[0]))
        try received.withUnsafeMutableBytes { try broadcast($0, from: root) }
        return received
    }

    /// Every rank's bytes, of any length, in rank order.
    public func allgather(_ bytes: [UInt8]) throws -> [[UInt8]] {
        var counts = [Int64](repeating: 0, count: size)
        try withUnsafeBytes(of: Int64(bytes.count)) { mine in
            try counts.withUnsafeMutableBytes { try allgather(mine, into: $0) }
        }
        let longest = Int(counts.max() ?? 0)
        let padded = bytes + [UInt8](repeating: 0, count: longest - bytes.count)
        var gathered = [UInt8](repeating: 0, count: longest * size)
        try padded.withUnsafeBytes { mine in
            try gathered.withUnsafeMutableBytes { try allgather(mine, into: $0) }
        }
        return (0..<size).map { rank in
            Array(gathered[rank * longest..<rank * longest + Int(counts[rank])])
        }
    }

    /// Every rank's text, in rank order.
    public func allgather(_ text: String) throws -> [String] {
        try allgather(Array(text.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }
}
