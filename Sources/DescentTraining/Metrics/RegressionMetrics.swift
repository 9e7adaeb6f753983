import DescentCore

/// Mean squared error, root mean squared error, mean absolute error and the coefficient of
/// determination R^2 of predictions against targets, computed on the host.
///
/// With `y_i = targets[i]`, `f_i = predictions[i]` and `mean = (1 / N) * sum_i y_i`:
///
///     MSE  = (1 / N) * sum_i (f_i - y_i)^2
///     RMSE = sqrt(MSE)
///     MAE  = (1 / N) * sum_i |f_i - y_i|
///     R^2  = 1 - SS_res / SS_tot,   SS_res = sum_i (y_i - f_i)^2,   SS_tot = sum_i (y_i - mean)^2
///
/// R^2 is 1 for perfect predictions, 0 for always predicting the mean, and negative for worse.
/// When every target is the same, `SS_tot = 0` and the ratio is undefined; then, as
/// scikit-learn's `r2_score` with its default `force_finite=True` [1], R^2 is 1 if the
/// predictions are exact (`SS_res = 0`) and 0 otherwise. A single sample is such a constant
/// target (scikit-learn returns NaN with a warning there).
///
/// Inputs are `[Float]`, as downloaded from the device, flattened: a `[N, D]` output gives the
/// same MSE and MAE as scikit-learn's default `multioutput="uniform_average"`, but one R^2 over
/// all `N * D` values rather than the mean of `D` per-column R^2s. Every value must be finite:
/// a NaN or infinite prediction (a diverged model) is reported as an error naming it, not turned
/// into a NaN metric. Sums run in `Double`, with the mean subtracted before squaring (two passes)
/// so that targets far from 0 keep their precision.
///
/// [1]: scikit-learn, `sklearn.metrics.r2_score`, `mean_squared_error`,
///      `root_mean_squared_error`, `mean_absolute_error`.
public struct RegressionMetrics: Sendable, Equatable, CustomStringConvertible {
    /// The number of values `N >= 1`.
    public let sampleCount: Int
    /// `(1 / N) * sum_i (f_i - y_i)^2`.
    public let meanSquaredError: Double
    /// `(1 / N) * sum_i |f_i - y_i|`.
    public let meanAbsoluteError: Double
    /// `R^2 = 1 - SS_res / SS_tot`; 1 or 0 for constant targets (see the type's notes).
    public let coefficientOfDetermination: Double

    /// `sqrt(MSE)`, in the units of the targets.
    public var rootMeanSquaredError: Double { meanSquaredError.squareRoot() }

    /// Computes all four metrics, in two passes over the values.
    /// - Parameters:
    ///   - targets: the true values, `N >= 1`, all finite.
    ///   - predictions: the predicted values, `N`, all finite.
    /// - Throws: `DescentError.invalidArgument` for empty input or a non-finite value (naming the
    ///   first one); `DescentError.shapeMismatch` when the counts differ.
    public init(targets: [Float], predictions: [Float]) throws {
        try self.init(targets: targets, predictions: predictions, operation: "RegressionMetrics")
    }

    /// The mean squared error `(1 / N) * sum_i (f_i - y_i)^2`.
    /// - Throws: as `init(targets:predictions:)`.
    public static func meanSquaredError(targets: [Float], predictions: [Float]) throws -> Double {
        try Self(
            targets: targets, predictions: predictions,
            operation: "RegressionMetrics.meanSquaredError"
        ).meanSquaredError
    }

    /// The root mean squared error `sqrt((1 / N) * sum_i (f_i - y_i)^2)`.
    /// - Throws: as `init(targets:predictions:)`.
    public static func rootMeanSquaredError(targets: [Float], predictions: [Float]) throws -> Double
    {
        try Self(
            targets: targets, predictions: predictions,
            operation: "RegressionMetrics.rootMeanSquaredError"
        )
        .rootMeanSquaredError
    }

    /// The mean absolute error `(1 / N) * sum_i |f_i - y_i|`.
    /// - Throws: as `init(targets:predictions:)`.
    public static func meanAbsoluteError(targets: [Float], predictions: [Float]) throws -> Double {
        try Self(
            targets: targets, predictions: predictions,
            operation: "RegressionMetrics.meanAbsoluteError"
        ).meanAbsoluteError
    }

    /// The coefficient of determination `R^2 = 1 - SS_res / SS_tot`: 1 if every target is the same
    /// and every prediction exact, 0 if every target is the same and a prediction is not.
    /// - Throws: as `init(targets:predictions:)`.
    public static func coefficientOfDetermination(
        targets: [Float], predictions: [Float]
    ) throws -> Double {
        try Self(
            targets: targets, predictions: predictions,
            operation: "RegressionMetrics.coefficientOfDetermination"
        )
        .coefficientOfDetermination
    }

    private init(targets: [Float], predictions: [Float], operation: String) throws {
        guard !targets.isEmpty else {
            throw DescentError.invalidArgument(
                operation: operation, reason: "targets is empty: a metric needs at least one sample"
            )
        }
        guard predictions.count == targets.count else {
            throw DescentError.shapeMismatch(
                operation: operation,
                expected: "predictions of \(targets.count) values (one per target)",
                actual: "\(predictions.count) values")
        }
        for (values, name) in [(targets, "targets"), (predictions, "predictions")] {
            if let index = values.firstIndex(where: { !$0.isFinite }) {
                throw DescentError.invalidArgument(
                    operation: operation,
                    reason: "\(name)[\(index)] is \(values[index]); every value must be finite"
                        + (name == "predictions"
                            ? " (the model's outputs are not finite: has training diverged?)" : ""))
            }
        }
        let count = Double(targets.count)
        var squared = 0.0, absolute = 0.0, sum = 0.0
        for (target, prediction) in zip(targets, predictions) {
            let error = Double(prediction) - Double(target)
            squared += error * error
            absolute += abs(error)
            sum += Double(target)
        }
        let mean = sum / count
        // Equal floats (fewer than 2^29) have an exact mean in Double, so SS_tot is exactly 0 for a constant target.
        let total = targets.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) }
        self.sampleCount = targets.count
        self.meanSquaredError = squared / count
        self.meanAbsoluteError = absolute / count
        self.coefficientOfDetermination = total == 0 ? (squared == 0 ? 1 : 0) : 1 - squared / total
    }

    public var description: String {
        "MSE \(meanSquaredError), RMSE \(rootMeanSquaredError), MAE \(meanAbsoluteError), "
            + "R^2 \(coefficientOfDetermination) (\(sampleCount) samples)"
    }
}
