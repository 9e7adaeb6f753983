import DescentCore

/// Standardization: each feature shifted by its mean and divided by its standard deviation, both
/// measured on one data set (the training split) and applied unchanged to any other, as
/// scikit-learn's `StandardScaler`.
///
///     z[i, j] = (x[i, j] - mean[j]) / scale[j]
///
/// `mean[j]` and the population standard deviation `std[j] = sqrt(sum_i (x[i, j] - mean[j])^2 / N)`
/// are computed in `Double`. `scale[j]` is `std[j]`, except that a feature that is constant on
/// the fitted set gets `scale[j] = 1` (it becomes 0 everywhere instead of a division by zero), with
/// scikit-learn's test for constancy: `var <= N eps var + (N mean eps)^2`, `eps` the `Double`
/// machine epsilon, which absorbs the rounding of the mean of equal values.
///
/// Fit on the training split only: statistics that include validation or test samples leak
/// information about them into training.
public struct Standardizer: Sendable, Equatable {
    /// The mean of each feature on the fitted set.
    public let mean: [Double]
    /// The divisor of each feature: its standard deviation on the fitted set, or 1 where that was
    /// (numerically) 0.
    public let scale: [Double]

    /// Measures the mean and standard deviation of each feature of `training`.
    public init(fittedOn training: Dataset) {
        let columns = FeatureColumns(training)
        let mean = columns.mean()
        let variance = columns.variance(mean: mean)
        let n = Double(training.sampleCount)
        let epsilon = Double.ulpOfOne
        self.mean = mean
        scale = zip(mean, variance).map { mean, variance in
            let isConstant =
                variance <= n * epsilon * variance + (n * mean * epsilon) * (n * mean * epsilon)
            return isConstant ? 1 : variance.squareRoot()
        }
    }

    /// A standardizer with given statistics.
    ///
    /// - Throws: `DescentError.invalidArgument` unless the counts match, every mean is finite and
    ///   every scale finite and > 0.
    public init(mean: [Double], scale: [Double]) throws {
        let operation = "Standardizer"
        try DataValidation.require(
            mean.count == scale.count && !mean.isEmpty, operation,
            "\(mean.count) means and \(scale.count) scales were given; give one of each per feature"
        )
        try DataValidation.require(
            mean.allSatisfy(\.isFinite), operation, "every mean must be finite")
        try DataValidation.require(
            scale.allSatisfy { $0.isFinite && $0 > 0 }, operation,
            "every scale must be finite and > 0")
        self.mean = mean
        self.scale = scale
    }

    /// `dataset` with its features standardized by the fitted statistics; labels unchanged.
    ///
    /// - Throws: `DescentError.shapeMismatch` when `dataset` has another number of features;
    ///   `DescentError.invalidArgument` when a result overflows `Float`.
    public func transform(_ dataset: Dataset) throws -> Dataset {
        try FeatureColumns.map(dataset, expected: mean.count, operation: "Standardizer.transform") {
            x, j in
            (x - mean[j]) / scale[j]
        }
    }
}

/// Min-max scaling: each feature mapped linearly so that its minimum and maximum on one data set
/// (the training split) become the ends of `range`, as scikit-learn's `MinMaxScaler`.
///
///     y[i, j] = low + (x[i, j] - minimum[j]) * (high - low) / (maximum[j] - minimum[j])
///
/// A feature that is constant on the fitted set uses the divisor 1 instead of 0 (it maps to `low`
/// there). Other data sets are mapped with the same minimum and maximum, so their values may fall
/// outside `range`. Fit on the training split only.
public struct MinMaxScaler: Sendable, Equatable {
    /// The minimum of each feature on the fitted set.
    public let minimum: [Double]
    /// The maximum of each feature on the fitted set.
    public let maximum: [Double]
    /// The interval the fitted set is mapped onto.
    public let range: ClosedRange<Double>

    /// Measures the minimum and maximum of each feature of `training`.
    ///
    /// - Parameter range: The target interval, finite with `low < high`; `0...1` by default.
    /// - Throws: `DescentError.invalidArgument` for an infinite or empty range.
    public init(fittedOn training: Dataset, range: ClosedRange<Double> = 0...1) throws {
        try DataValidation.require(
            range.lowerBound.isFinite && range.upperBound.isFinite
                && range.lowerBound < range.upperBound,
            "MinMaxScaler", "the range must be finite with low < high, got \(range)")
        let columns = FeatureColumns(training)
        (minimum, maximum) = columns.extremes()
        self.range = range
    }

    /// `dataset` with its features scaled by the fitted minimum and maximum; labels unchanged.
    ///
    /// - Throws: `DescentError.shapeMismatch` when `dataset` has another number of features;
    ///   `DescentError.invalidArgument` when a result overflows `Float`.
    public func transform(_ dataset: Dataset) throws -> Dataset {
        let factor = zip(minimum, maximum).map { minimum, maximum in
            (range.upperBound - range.lowerBound) / (maximum > minimum ? maximum - minimum : 1)
        }
        return try FeatureColumns.map(
            dataset, expected: minimum.count, operation: "MinMaxScaler.transform"
        ) { x, j in
            range.lowerBound + (x - minimum[j]) * factor[j]
        }
    }
}

/// Column statistics of a data set's features, in `Double`.
private struct FeatureColumns {
    let dataset: Dataset

    init(_ dataset: Dataset) { self.dataset = dataset }

    func mean() -> [Double] {
        var sums = [Double](repeating: 0, count: dataset.featureCount)
        forEach { x, j in sums[j] += x }
        return sums.map { $0 / Double(dataset.sampleCount) }
    }

    func variance(mean: [Double]) -> [Double] {
        var sums = [Double](repeating: 0, count: dataset.featureCount)
        forEach { x, j in sums[j] += (x - mean[j]) * (x - mean[j]) }
        return sums.map { $0 / Double(dataset.sampleCount) }
    }

    func extremes() -> ([Double], [Double]) {
        var low = [Double](repeating: .infinity, count: dataset.featureCount)
        var high = [Double](repeating: -.infinity, count: dataset.featureCount)
        forEach { x, j in
            low[j] = Swift.min(low[j], x)
            high[j] = Swift.max(high[j], x)
        }
        return (low, high)
    }

    /// Calls `body(value, feature)` for every value, row by row.
    private func forEach(_ body: (Double, Int) -> Void) {
        let width = dataset.featureCount
        dataset.features.withUnsafeBufferPointer { values in
            for row in 0..<dataset.sampleCount {
                for j in 0..<width { body(Double(values[row * width + j]), j) }
            }
        }
    }

    /// `dataset` with every feature value `x` of column `j` replaced by `Float(transform(x, j))`.
    static func map(
        _ dataset: Dataset, expected: Int, operation: String, _ transform: (Double, Int) -> Double
    ) throws -> Dataset {
        guard dataset.featureCount == expected else {
            throw DescentError.shapeMismatch(
                operation: operation, expected: "\(expected) features (as the fitted data set)",
                actual: "\(dataset.featureCount) features")
        }
        let width = dataset.featureCount
        var features = dataset.features
        features.withUnsafeMutableBufferPointer { values in
            for index in values.indices {
                values[index] = Float(transform(Double(values[index]), index % width))
            }
        }
        try DataValidation.finite(features, columns: width, what: "scaled feature", of: operation)
        return Dataset(
            unchecked: features, sampleShape: dataset.sampleShape, labels: dataset.labels,
            featureNames: dataset.featureNames)
    }
}
