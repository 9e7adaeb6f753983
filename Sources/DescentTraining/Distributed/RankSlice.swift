/// One rank's rows of a global batch in data-parallel training: contiguous, in rank order, so
/// that the ranks together take every row exactly once.
///
/// Rows are shared out evenly (the first `rows % size` ranks take one more) when every rank
/// gets at least two; a smaller batch (an epoch's uneven last one) goes out in pairs to the first
/// ranks, the last pair taking an odd row, and the other ranks take none. A slice is never one
/// row, which training-mode batch norm cannot normalize.
public struct RankSlice: Sendable, Equatable {
    /// The slice's first row within the global batch.
    public let offset: Int
    /// Its rows: 0 when this rank sits the step out (it still joins the gradient sum).
    public let count: Int

    /// Rank `rank`'s slice of a batch of `rows` rows over `size` ranks.
    public init(rows: Int, rank: Int, size: Int) {
        precondition(
            rows >= 0 && size >= 1 && (0..<size).contains(rank),
            "RankSlice(\(rows), \(rank), \(size))")
        if size == 1 || rows < 2 {
            (offset, count) = rank == 0 ? (0, rows) : (rows, 0)
        } else if rows >= 2 * size {
            let base = rows / size, extra = rows % size
            offset = rank * base + min(rank, extra)
            count = base + (rank < extra ? 1 : 0)
        } else {
            let pairs = rows / 2
            offset = min(rank * 2, rows)
            count = rank < pairs - 1 ? 2 : rank == pairs - 1 ? rows - offset : 0
        }
    }
}
