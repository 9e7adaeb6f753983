import DescentCore

/// Accuracy, top-k accuracy and predicted classes, computed on the host from labels and
/// predictions downloaded from the device.
///
/// Conventions shared by every classification metric in Descent (`ConfusionMatrix`,
/// `ClassificationReport`):
/// - Labels and predicted classes are `[Int32]`, the element type of the device's label and
///   `argmaxRows` buffers, so a download is passed on without conversion. Each lies in
///   `[0, classCount)`.
/// - Per-class scores (logits or probabilities) are a row-major `[N, C]` `[Float]`: sample `i`'s
///   score for class `c` is `scores[i * C + c]`. Only their order within a row matters, so logits
///   and softmax probabilities give the same results. Infinities are ordinary values; a NaN score
///   is an error, because it has no rank (it means the model's outputs are not finite, usually a
///   diverged run), and silently counting it as wrong or as lowest would hide that.
/// - Ties between scores go to the lower class index, as in `Backend.argmaxRows`: the predicted
///   class is the first maximum of its row, and for top-k a class ranks behind every class with a
///   higher score and behind every lower-indexed class with an equal score. (scikit-learn's
///   `top_k_accuracy_score` breaks ties the other way, towards the higher index.)
/// - Results are `Double`, counted in `Int` and divided once.
/// - Every input must hold at least one sample: accuracy of nothing is undefined.
public enum ClassificationMetrics {
    /// The fraction of samples whose predicted class is their label.
    ///
    ///     accuracy = (1 / N) * sum_i [predictions[i] == labels[i]]
    ///
    /// - Parameters:
    ///   - labels: the true class of each sample, `N >= 1` values in `[0, classCount)`.
    ///   - predictions: the predicted class of each sample, `N` values in `[0, classCount)`.
    ///   - classCount: the number of classes `C >= 1`.
    /// - Throws: `DescentError.invalidArgument` for empty input, `classCount < 1` or a class index
    ///   outside `[0, classCount)` (naming the first one); `DescentError.shapeMismatch` when the
    ///   counts differ.
    public static func accuracy(
        labels: [Int32], predictions: [Int32], classCount: Int
    ) throws -> Double {
        let operation = "ClassificationMetrics.accuracy"
        try MetricsValidation.classIndices(
            labels: labels, predictions: predictions, classCount: classCount, of: operation)
        let correct = zip(labels, predictions).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
        return Double(correct) / Double(labels.count)
    }

    /// The fraction of samples whose highest score is at their label: top-1 accuracy, the same as
    /// `accuracy(labels:predictions:classCount:)` with `predictedClasses(scores:classCount:)`.
    ///
    /// - Parameters:
    ///   - labels: the true class of each sample, `N >= 1` values in `[0, classCount)`.
    ///   - scores: row-major `[N, C]` scores (logits or probabilities); no NaN.
    ///   - classCount: the number of classes `C >= 1`.
    /// - Throws: `DescentError.invalidArgument` for empty input, `classCount < 1`, a label outside
    ///   `[0, classCount)` or a NaN score (naming the first one); `DescentError.shapeMismatch` when
    ///   `scores` does not hold `N * C` values.
    public static func accuracy(labels: [Int32], scores: [Float], classCount: Int) throws -> Double
    {
        try topKAccuracy(
            labels: labels, scores: scores, classCount: classCount, k: 1,
            operation: "ClassificationMetrics.accuracy")
    }

    /// The fraction of samples whose label is among their `k` highest-scored classes.
    ///
    ///     rank_i = #{c : s[i, c] > s[i, y_i]} + #{c < y_i : s[i, c] == s[i, y_i]}
    ///     topKAccuracy = (1 / N) * sum_i [rank_i < k]
    ///
    /// with `y_i = labels[i]` and `s[i, c] = scores[i * C + c]`: a tie goes to the lower class
    /// index, so `k = 1` agrees with `Backend.argmaxRows`, and `k = C` is always 1.
    /// - Parameters:
    ///   - labels: the true class of each sample, `N >= 1` values in `[0, classCount)`.
    ///   - scores: row-major `[N, C]` scores (logits or probabilities); no NaN.
    ///   - classCount: the number of classes `C >= 1`.
    ///   - k: how many of the top classes count as a hit, in `1...C` (5 for the usual top-5).
    /// - Throws: `DescentError.invalidArgument` for empty input, `classCount < 1`, `k` outside
    ///   `1...C`, a label outside `[0, classCount)` or a NaN score (naming the first one);
    ///   `DescentError.shapeMismatch` when `scores` does not hold `N * C` values.
    public static func topKAccuracy(
        labels: [Int32], scores: [Float], classCount: Int, k: Int
    ) throws -> Double {
        try topKAccuracy(
            labels: labels, scores: scores, classCount: classCount, k: k,
            operation: "ClassificationMetrics.topKAccuracy")
    }

    /// The predicted class of each sample: the index of the first maximum of its row of scores,
    /// as `Backend.argmaxRows` computes on the device (a tie goes to the lower index).
    ///
    ///     predictions[i] = min { c : s[i, c] == max_j s[i, j] }
    ///
    /// - Parameters:
    ///   - scores: row-major `[N, C]` scores (logits or probabilities), `N >= 1`; no NaN.
    ///   - classCount: the number of classes `C >= 1`; `scores.count` must be a multiple of it.
    /// - Returns: `N = scores.count / C` class indices in `[0, C)`.
    /// - Throws: `DescentError.invalidArgument` for empty scores, `classCount < 1` or a NaN score;
    ///   `DescentError.shapeMismatch` when `scores.count` is not a multiple of `classCount`.
    public static func predictedClasses(scores: [Float], classCount: Int) throws -> [Int32] {
        let operation = "ClassificationMetrics.predictedClasses"
        try MetricsValidation.classCount(classCount, of: operation)
        guard !scores.isEmpty else {
            throw DescentError.invalidArgument(
                operation: operation, reason: "scores is empty: a metric needs at least one sample")
        }
        guard scores.count % classCount == 0 else {
            throw DescentError.shapeMismatch(
                operation: operation,
                expected:
                    "scores of N x \(classCount) values (row-major [N, C]), a multiple of \(classCount)",
                actual: "\(scores.count) values")
        }
        try MetricsValidation.noNaN(scores, classCount: classCount, of: operation)
        return stride(from: 0, to: scores.count, by: classCount).map { start in
            var best = start
            for index in start + 1..<start + classCount where scores[index] > scores[best] {
                best = index
            }
            return Int32(best - start)
        }
    }

    private static func topKAccuracy(
        labels: [Int32], scores: [Float], classCount: Int, k: Int, operation: String
    ) throws -> Double {
        try MetricsValidation.labels(labels, scores: scores, classCount: classCount, of: operation)
        guard (1...classCount).contains(k) else {
            throw DescentError.invalidArgument(
                operation: operation,
                reason: "k must be in 1...\(classCount) (the class count), got \(k)")
        }
        var hits = 0
        for (sample, label) in labels.enumerated() {
            let row = sample * classCount, label = Int(label), target = scores[row + label]
            var rank = 0
            for c in 0..<classCount {
                let score = scores[row + c]
                if score > target || (score == target && c < label) { rank += 1 }
            }
            if rank < k { hits += 1 }
        }
        return Double(hits) / Double(labels.count)
    }
}

/// The input checks shared by the classification metrics, each error naming the bad value.
package enum MetricsValidation {
    package static func classCount(_ classCount: Int, of operation: String) throws {
        guard classCount >= 1 else {
            throw DescentError.invalidArgument(
                operation: operation, reason: "classCount must be at least 1, got \(classCount)")
        }
    }

    /// Labels and predicted classes: as many of each, at least one, all in `[0, classCount)`.
    package static func classIndices(
        labels: [Int32], predictions: [Int32], classCount: Int, of operation: String
    ) throws {
        try self.classCount(classCount, of: operation)
        try nonEmpty(labels, of: operation)
        guard predictions.count == labels.count else {
            throw DescentError.shapeMismatch(
                operation: operation,
                expected: "predictions of \(labels.count) values (one per label)",
                actual: "\(predictions.count) values")
        }
        try inRange(labels, "labels", classCount: classCount, of: operation)
        try inRange(predictions, "predictions", classCount: classCount, of: operation)
    }

    /// Labels and row-major `[N, C]` scores: at least one label, all in `[0, classCount)`,
    /// `N * C` scores, no NaN.
    package static func labels(
        _ labels: [Int32], scores: [Float], classCount: Int, of operation: String
    ) throws {
        try self.classCount(classCount, of: operation)
        try nonEmpty(labels, of: operation)
        let (expected, overflow) = labels.count.multipliedReportingOverflow(by: classCount)
        guard !overflow, scores.count == expected else {
            throw DescentError.shapeMismatch(
                operation: operation,
                expected:
                    "scores of \(labels.count) x \(classCount) values (row-major [N, C], N = labels.count)",
                actual: "\(scores.count) values")
        }
        try inRange(labels, "labels", classCount: classCount, of: operation)
        try noNaN(scores, classCount: classCount, of: operation)
    }

    package static func nonEmpty(_ labels: [Int32], of operation: String) throws {
        guard !labels.isEmpty else {
            throw DescentError.invalidArgument(
                operation: operation, reason: "labels is empty: a metric needs at least one sample")
        }
    }

    package static func inRange(
        _ indices: [Int32], _ name: String, classCount: Int, of operation: String
    ) throws {
        if let index = indices.firstIndex(where: { $0 < 0 || Int($0) >= classCount }) {
            throw DescentError.invalidArgument(
                operation: operation,
                reason:
                    "\(name)[\(index)] = \(indices[index]) is outside [0, \(classCount)), the class indices"
            )
        }
    }

    package static func noNaN(_ scores: [Float], classCount: Int, of operation: String) throws {
        if let index = scores.firstIndex(where: \.isNaN) {
            throw DescentError.invalidArgument(
                operation: operation,
                reason:
                    "scores[\(index)] (sample \(index / classCount), class \(index % classCount)) is NaN; "
                    + "a NaN score has no rank (the model's outputs are not finite: has training diverged?)"
            )
        }
    }
}
