/// The element-by-element binary operations: `output[i] = a[i] (op) b[i]`.
public enum ElementwiseOperation: String, Sendable, CaseIterable {
    case add
    case subtract
    case multiply
}

/// What a reduction computes over the elements it combines.
public enum ReductionOperation: String, Sendable, CaseIterable {
    /// The sum of the elements.
    case sum
    /// The arithmetic mean: the sum divided by the element count.
    case mean
    /// The largest element. A NaN anywhere makes the result NaN (as in PyTorch).
    case max
    /// The sum of the squared elements (a squared L2 norm).
    case sumOfSquares
}

/// Which elements of a row-major matrix a reduction combines.
public enum ReductionAxis: String, Sendable, CaseIterable {
    /// Every element: the output holds one value.
    case all
    /// Each row separately: the output holds one value per row (`rows` values).
    case eachRow
    /// Each column separately: the output holds one value per column (`columns` values).
    /// The column sum is the gradient of a bias added to every row.
    case eachColumn

    /// The number of values the reduction produces for a matrix of `shape`.
    public func outputCount(for shape: MatrixShape) -> Int {
        switch self {
        case .all: 1
        case .eachRow: shape.rows
        case .eachColumn: shape.columns
        }
    }
}

/// A distribution for random fills drawn from the Philox generator.
public enum RandomDistribution: Sendable, Equatable {
    /// Uniform on `[low, high)`: `low + (high - low) * u` with `u` a multiple of 2^-24 in `[0, 1)`.
    case uniform(low: Float, high: Float)
    /// Normal with the given mean and standard deviation (Box-Muller over Philox outputs).
    case normal(mean: Float, standardDeviation: Float)
}
