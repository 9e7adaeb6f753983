#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

/// The shapes every op is tested on: 1, primes and non-multiples of every tile size (DESIGN.md §6).
///
/// With `DESCENT_REDUCED_SHAPES=1` (the oclgrind run, which simulates every work-item and is
/// ~100x slower) a smaller set that still covers 1, partial tiles and several work-groups is used.
public enum ParityShapes {
    /// Whether the reduced set is in force.
    public static let reduced: Bool = {
        guard let value = getenv("DESCENT_REDUCED_SHAPES") else { return false }
        return !["", "0", "false"].contains(String(cString: value))
    }()

    /// Matrix shapes for row-wise, column-wise and elementwise ops.
    public static var matrices: [MatrixShape] {
        reduced
            ? [
                MatrixShape(rows: 1, columns: 1), MatrixShape(rows: 7, columns: 33),
                MatrixShape(rows: 3, columns: 130),
                MatrixShape(rows: 33, columns: 65), MatrixShape(rows: 1, columns: 257),
            ]
            : [
                MatrixShape(rows: 1, columns: 1), MatrixShape(rows: 1, columns: 7),
                MatrixShape(rows: 7, columns: 1),
                MatrixShape(rows: 33, columns: 33), MatrixShape(rows: 127, columns: 7),
                MatrixShape(rows: 257, columns: 65),
                MatrixShape(rows: 65, columns: 257), MatrixShape(rows: 2, columns: 1031),
            ]
    }

    /// Element counts for flat ops (elementwise, random fills).
    public static var counts: [Int] {
        reduced ? [1, 7, 130, 257] : [1, 7, 33, 127, 257 * 65, 100_003]
    }

    /// Batches for the training ops (issue: N in 1, 2, 7, 129, 1000; C in 1, 3, 10, 257). Batch
    /// norm skips N = 1, where training mode is an error.
    public static var batches: [MatrixShape] {
        reduced
            ? [
                MatrixShape(rows: 1, columns: 3), MatrixShape(rows: 2, columns: 10),
                MatrixShape(rows: 7, columns: 257),
                MatrixShape(rows: 129, columns: 1),
            ]
            : [1, 2, 7, 129, 1000].flatMap { rows in
                [1, 3, 10, 257].map { MatrixShape(rows: rows, columns: $0) }
            }
    }

    /// `(m, n, k)` for matmul; each is run in all four transpose combinations.
    public static var matmul: [(m: Int, n: Int, k: Int)] {
        reduced
            ? [(1, 1, 1), (7, 33, 5), (33, 7, 40), (33, 65, 17), (65, 1, 33)]
            : [
                (1, 1, 1), (1, 7, 33), (7, 1, 127), (33, 33, 33), (127, 7, 1), (257, 65, 33),
                (65, 257, 127), (1, 257, 65), (128, 128, 128), (100, 37, 257), (129, 70, 10),
            ]
    }
}
