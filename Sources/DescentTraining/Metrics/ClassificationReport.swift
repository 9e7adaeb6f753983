import DescentCore

/// Precision, recall and F1 score of one class, or their average over the classes, with the
/// number of samples they describe.
public struct ClassificationScores: Sendable, Equatable, CustomStringConvertible {
    /// Of the samples predicted as the class, the fraction that belong to it: `TP / (TP + FP)`.
    public var precision: Double
    /// Of the samples of the class, the fraction predicted as it: `TP / (TP + FN)`.
    public var recall: Double
    /// The harmonic mean of precision and recall: `2 TP / (2 TP + FP + FN)`.
    public var f1Score: Double
    /// The number of samples whose true class is the class; for an average, all samples.
    public var support: Int

    public init(precision: Double, recall: Double, f1Score: Double, support: Int) {
        self.precision = precision
        self.recall = recall
        self.f1Score = f1Score
        self.support = support
    }

    public var description: String {
        "precision \(precision), recall \(recall), f1 \(f1Score), support \(support)"
    }
}

/// Accuracy, per-class precision, recall and F1 score with their support, and their macro and
/// weighted averages: the numbers of scikit-learn's `classification_report` [1], as a value.
///
/// For class `c`, with `TP = counts[c][c]`, `FP` the other samples predicted as `c` and `FN` the
/// other samples of class `c` (see `ConfusionMatrix`):
///
///     precision_c = TP / (TP + FP)          0 when nothing was predicted as c
///     recall_c    = TP / (TP + FN)          0 when no sample is of class c
///     f1_c        = 2 TP / (2 TP + FP + FN) 0 when c neither occurs nor is predicted
///     support_c   = TP + FN
///
/// The F1 score equals `2 P R / (P + R)` whenever that is defined. An undefined ratio (a zero
/// denominator) counts as 0: scikit-learn's default `zero_division="warn"`, which also gives 0,
/// without the warning. So a class that is never predicted has precision 0, and one absent from
/// the labels has recall 0 and support 0.
///
/// Averages, over all `C` classes of the matrix:
///
///     macro    = (1 / C) * sum_c m_c
///     weighted = (1 / N) * sum_c support_c * m_c
///
/// for each of precision, recall and F1; an average's `support` is `N`. A class with support 0
/// weighs nothing in the weighted average but counts as one of the `C` in the macro average, with
/// recall 0 and, unless it was predicted, precision 0 and F1 0: this equals scikit-learn with
/// `labels=range(C)`. scikit-learn's default averages only the classes that occur in the labels
/// or the predictions, so the two differ only when a class is neither. The micro average of
/// single-label classification equals the accuracy (each sample is one TP, or one FP and one FN),
/// so like scikit-learn the report gives the accuracy instead.
///
/// `description` prints the report in scikit-learn's layout, with 2 decimals:
///
///                   precision    recall  f1-score   support
///
///          Trouser       0.99      0.97      0.98      1000
///              ...
///
///         accuracy                           0.89     10000
///        macro avg       0.89      0.89      0.89     10000
///     weighted avg       0.89      0.89      0.89     10000
///
/// [1]: scikit-learn, `sklearn.metrics.classification_report` and
///      `precision_recall_fscore_support`.
public struct ClassificationReport: Sendable, Equatable, CustomStringConvertible {
    /// The counts the report is computed from, with the class names.
    public let confusionMatrix: ConfusionMatrix
    /// The fraction of correct predictions.
    public let accuracy: Double
    /// The scores of each class, indexed by class.
    public let perClass: [ClassificationScores]
    /// The unweighted mean of the per-class scores over all `C` classes.
    public let macroAverage: ClassificationScores
    /// The mean of the per-class scores weighted by their support.
    public let weightedAverage: ClassificationScores

    /// One name per class: the confusion matrix's.
    public var classNames: [String] { confusionMatrix.classNames }

    /// The report of the predictions counted in `confusionMatrix`.
    public init(_ confusionMatrix: ConfusionMatrix) {
        self.confusionMatrix = confusionMatrix
        let support = confusionMatrix.support, predicted = confusionMatrix.predictedCounts
        let sampleCount = confusionMatrix.sampleCount, classCount = confusionMatrix.classCount
        // In Double, so that 2 TP and the sums cannot overflow.
        func ratio(_ numerator: Double, _ denominator: Double) -> Double {
            denominator == 0 ? 0 : numerator / denominator
        }
        let perClass = (0..<classCount).map { c in
            let truePositives = Double(confusionMatrix.counts[c][c])
            let predicted = Double(predicted[c]), actual = Double(support[c])
            return ClassificationScores(
                precision: ratio(truePositives, predicted), recall: ratio(truePositives, actual),
                f1Score: ratio(2 * truePositives, predicted + actual), support: support[c])
        }
        func average(_ weight: (Int) -> Double, _ total: Double) -> ClassificationScores {
            func mean(_ metric: KeyPath<ClassificationScores, Double>) -> Double {
                perClass.indices.reduce(0) { $0 + weight($1) * perClass[$1][keyPath: metric] }
                    / total
            }
            return ClassificationScores(
                precision: mean(\.precision), recall: mean(\.recall), f1Score: mean(\.f1Score),
                support: sampleCount)
        }
        self.accuracy = confusionMatrix.accuracy
        self.perClass = perClass
        self.macroAverage = average({ _ in 1 }, Double(classCount))
        self.weightedAverage = average({ Double(support[$0]) }, Double(sampleCount))
    }

    /// The report of `predictions` against `labels`; see `ConfusionMatrix.init(labels:predictions:classCount:classNames:)`.
    /// - Throws: `DescentError.invalidArgument` for empty input, `classCount < 1` or a class index
    ///   outside `[0, classCount)`; `DescentError.shapeMismatch` when the counts differ or
    ///   `classNames` does not hold `classCount` names.
    public init(
        labels: [Int32], predictions: [Int32], classCount: Int, classNames: [String]? = nil
    ) throws {
        try self.init(
            ConfusionMatrix(
                labels: labels, predictions: predictions, classCount: classCount,
                classNames: classNames))
    }

    /// The report of the argmax of each row of `scores` against `labels`; see
    /// `ConfusionMatrix.init(labels:scores:classCount:classNames:)`.
    /// - Throws: `DescentError.invalidArgument` for empty input, `classCount < 1`, a label outside
    ///   `[0, classCount)` or a NaN score; `DescentError.shapeMismatch` when `scores` does not hold
    ///   `N * C` values or `classNames` does not hold `classCount` names.
    public init(
        labels: [Int32], scores: [Float], classCount: Int, classNames: [String]? = nil
    ) throws {
        try self.init(
            ConfusionMatrix(
                labels: labels, scores: scores, classCount: classCount, classNames: classNames))
    }

    /// The report as scikit-learn's `classification_report(digits: digits)` prints it, without
    /// its final newline: a name column right-aligned to the longest class name (at least 12
    /// characters, "weighted avg"), then four columns of width 9 one space apart, scores rounded
    /// half to even on their binary value as Python's `format`.
    /// - Parameter digits: decimals of the scores, in `0...15`.
    /// - Throws: `DescentError.invalidArgument` for `digits` outside `0...15`.
    public func formatted(digits: Int) throws -> String {
        guard (0...15).contains(digits) else {
            throw DescentError.invalidArgument(
                operation: "ClassificationReport.formatted",
                reason: "digits must be in 0...15, got \(digits)")
        }
        return table(digits: digits)
    }

    /// The report with 2 decimals, as scikit-learn prints it by default.
    public var description: String { table(digits: 2) }

    private func table(digits: Int) -> String {
        let width = max(classNames.map(\.count).max() ?? 0, "weighted avg".count, digits)
        func line(_ heading: String, _ cells: [String]) -> String {
            cells.reduce(TextTable.aligned(heading, to: width) + " ") {
                $0 + " " + TextTable.aligned($1, to: 9)
            }
        }
        func line(_ heading: String, _ scores: ClassificationScores) -> String {
            line(
                heading,
                [scores.precision, scores.recall, scores.f1Score].map {
                    TextTable.fixed($0, digits: digits)
                } + [String(scores.support)])
        }
        let header = line("", ["precision", "recall", "f1-score", "support"])
        let rows = zip(classNames, perClass).map(line)
        let accuracyRow = line(
            "accuracy",
            [
                "", "", TextTable.fixed(accuracy, digits: digits),
                String(confusionMatrix.sampleCount),
            ])
        let averages = [
            accuracyRow, line("macro avg", macroAverage), line("weighted avg", weightedAverage),
        ]
        return ([header, ""] + rows + [""] + averages).joined(separator: "\n")
    }
}
