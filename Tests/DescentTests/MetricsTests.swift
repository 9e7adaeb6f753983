import Descent
@testable import DescentTraining
@testable import DescentWorkshop
import DescentTestSupport
import Testing

/// Agreement to a few ulp: the metrics and these expectations compute the same ratios, sometimes
/// summed in another order.
private func expectNear(
    _ actual: Double, _ expected: Double, _ what: @autoclosure () -> String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let accepted = actual == expected || abs(actual - expected) <= 1e-15 + 1e-12 * abs(expected)
    #expect(accepted, "\(what()): \(actual), expected \(expected)", sourceLocation: sourceLocation)
}

private func expectNear(
    _ actual: ClassificationScores, _ expected: ClassificationScores, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    expectNear(
        actual.precision, expected.precision, "\(what) precision", sourceLocation: sourceLocation)
    expectNear(actual.recall, expected.recall, "\(what) recall", sourceLocation: sourceLocation)
    expectNear(actual.f1Score, expected.f1Score, "\(what) f1", sourceLocation: sourceLocation)
    #expect(actual.support == expected.support, "\(what) support", sourceLocation: sourceLocation)
}

private func scores(
    _ precision: Double, _ recall: Double, _ f1Score: Double, _ support: Int
) -> ClassificationScores {
    ClassificationScores(precision: precision, recall: recall, f1Score: f1Score, support: support)
}

/// Four classes: class 2 occurs twice but is never predicted, class 3 is predicted once but
/// never occurs.
///
///     true \ predicted  0  1  2  3
///     0                 3  1  0  0    support 4
///     1                 0  3  0  1    support 4
///     2                 1  1  0  0    support 2
///     3                 0  0  0  0    support 0
///     predicted         4  5  0  1    N = 10, correct 6
private enum Example {
    static let labels: [Int32] = [0, 0, 0, 1, 1, 1, 2, 2, 0, 1]
    static let predictions: [Int32] = [0, 1, 0, 1, 1, 3, 0, 1, 0, 1]
    static let names = ["cat", "dog", "bird", "fish"]
}

struct ClassificationMetricsTests {
    @Test func accuracyCountsMatches() throws {
        #expect(
            try ClassificationMetrics.accuracy(
                labels: Example.labels, predictions: Example.predictions, classCount: 4) == 0.6)
        #expect(
            try ClassificationMetrics.accuracy(
                labels: [0, 1, 2], predictions: [0, 1, 2], classCount: 3) == 1)
        #expect(
            try ClassificationMetrics.accuracy(labels: [2], predictions: [1], classCount: 3) == 0)
        #expect(
            try ClassificationMetrics.accuracy(
                labels: [0, 0, 0], predictions: [0, 0, 0], classCount: 1) == 1)
    }

    /// Ranks of each label (classes with a higher score, plus lower-indexed classes with an equal
    /// one): 1, 3, 2, 0, 0, 1.
    static let tiedLabels: [Int32] = [2, 3, 0, 0, 1, 0]
    static let tiedScores: [Float] = [
        0.1, 0.5, 0.5, 0.2,  //  label 2 ties class 1, which wins: rank 1
        0.3, 0.3, 0.3, 0.3,  //  label 3 ties all three lower classes: rank 3
        1, -.infinity, 2, 3,  // label 0 is below classes 2 and 3: rank 2
        2, 1, 0, -1,  //         rank 0
        0.1, 0.5, 0.5, 0.2,  //  label 1 ties class 2, and wins: rank 0
        0.25, 0.25, 0.4, 0.1,  // label 0 ties class 1, is below class 2: rank 1
    ]

    @Test(arguments: [(1, 2.0 / 6), (2, 4.0 / 6), (3, 5.0 / 6), (4, 1.0)])
    func topKAccuracyBreaksTiesTowardsTheLowerIndex(k: Int, expected: Double) throws {
        let accuracy = try ClassificationMetrics.topKAccuracy(
            labels: Self.tiedLabels, scores: Self.tiedScores, classCount: 4, k: k)
        expectNear(accuracy, expected, "top-\(k)")
    }

    @Test func predictedClassesAreTheFirstMaximum() throws {
        let predicted = try ClassificationMetrics.predictedClasses(
            scores: Self.tiedScores, classCount: 4)
        #expect(predicted == [1, 0, 3, 0, 1, 2])
        #expect(
            try ClassificationMetrics.predictedClasses(
                scores: [.infinity, .infinity, -.infinity, 0], classCount: 4) == [0])
        #expect(
            try ClassificationMetrics.predictedClasses(
                scores: [-.infinity, -.infinity], classCount: 1) == [0, 0])
    }

    @Test func topOneAccuracyIsTheAccuracyOfTheArgmax() throws {
        let predicted = try ClassificationMetrics.predictedClasses(
            scores: Self.tiedScores, classCount: 4)
        let fromIndices = try ClassificationMetrics.accuracy(
            labels: Self.tiedLabels, predictions: predicted, classCount: 4)
        let fromScores = try ClassificationMetrics.accuracy(
            labels: Self.tiedLabels, scores: Self.tiedScores, classCount: 4)
        #expect(fromIndices == 2.0 / 6)
        #expect(fromScores == fromIndices)
    }

    @Test func infiniteScoresRankLikeNumbers() throws {
        let scores: [Float] = [.infinity, .infinity, -.infinity, 0]
        #expect(
            try ClassificationMetrics.topKAccuracy(labels: [1], scores: scores, classCount: 4, k: 1)
                == 0)
        #expect(
            try ClassificationMetrics.topKAccuracy(labels: [1], scores: scores, classCount: 4, k: 2)
                == 1)
        #expect(
            try ClassificationMetrics.topKAccuracy(labels: [2], scores: scores, classCount: 4, k: 3)
                == 0)
    }

    /// The host argmax and the CPU backend's `argmaxRows` agree, ties included: scores drawn from
    /// five levels tie often.
    @Test func predictedClassesAgreeWithArgmaxRows() throws {
        let rows = 257, columns = 7
        let scores = TestData.uniform(rows * columns, seed: 42, in: 0...4.999).map {
            $0.rounded(.down)
        }
        let backend = CPUBackend()
        let output = try backend.makeBuffer(count: rows, elementType: .int32)
        try backend.argmaxRows(
            backend.view(scores), output: output.view,
            shape: MatrixShape(rows: rows, columns: columns))
        let onDevice = try backend.download(output.view, as: Int32.self)
        #expect(
            try ClassificationMetrics.predictedClasses(scores: scores, classCount: columns)
                == onDevice)
    }
}

struct ConfusionMatrixTests {
    @Test func countsTrueClassesInRowsAndPredictionsInColumns() throws {
        let matrix = try ConfusionMatrix(
            labels: Example.labels, predictions: Example.predictions, classCount: 4)
        #expect(matrix.counts == [[3, 1, 0, 0], [0, 3, 0, 1], [1, 1, 0, 0], [0, 0, 0, 0]])
        #expect(matrix.support == [4, 4, 2, 0])
        #expect(matrix.predictedCounts == [4, 5, 0, 1])
        #expect(matrix.sampleCount == 10)
        #expect(matrix.correctCount == 6)
        #expect(matrix.accuracy == 0.6)
        #expect(matrix.classNames == ["0", "1", "2", "3"])
        #expect(try matrix == ConfusionMatrix(counts: matrix.counts))
    }

    @Test func fromScoresUsesTheArgmax() throws {
        let labels = ClassificationMetricsTests.tiedLabels,
            scores = ClassificationMetricsTests.tiedScores
        let matrix = try ConfusionMatrix(
            labels: labels, scores: scores, classCount: 4, classNames: ["a", "b", "c", "d"])
        // Predicted 1, 0, 3, 0, 1, 2 for labels 2, 3, 0, 0, 1, 0.
        #expect(matrix.counts == [[1, 0, 1, 1], [0, 1, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0]])
        #expect(matrix.classNames == ["a", "b", "c", "d"])
    }

    @Test func descriptionIsAnAlignedTable() throws {
        let matrix = try ConfusionMatrix(
            labels: Example.labels, predictions: Example.predictions, classCount: 4,
            classNames: Example.names)
        #expect(
            matrix.description == """
                true \\ predicted  cat  dog  bird  fish
                cat                 3    1     0     0
                dog                 0    3     0     1
                bird                1    1     0     0
                fish                0    0     0     0
                """)
    }

    @Test func descriptionWidensColumnsForNamesAndCounts() throws {
        let matrix = try ConfusionMatrix(
            counts: [[850, 3, 147], [12, 961, 27], [9, 0, 10991]],
            classNames: ["T-shirt/top", "Trouser", "Ankle boot"])
        #expect(
            matrix.description == """
                true \\ predicted  T-shirt/top  Trouser  Ankle boot
                T-shirt/top               850        3         147
                Trouser                    12      961          27
                Ankle boot                  9        0       10991
                """)
        let unnamed = try ConfusionMatrix(counts: [[1234, 5], [0, 7]])
        #expect(
            unnamed.description == """
                true \\ predicted     0  1
                0                 1234  5
                1                    0  7
                """)
    }
}

struct ClassificationReportTests {
    /// By hand from the example's matrix (scikit-learn's `precision_recall_fscore_support` agrees):
    /// precision = TP / predicted, recall = TP / support, F1 = 2 TP / (predicted + support).
    @Test func perClassScoresFollowTheZeroDivisionConvention() throws {
        let report = try ClassificationReport(
            labels: Example.labels, predictions: Example.predictions, classCount: 4)
        #expect(report.accuracy == 0.6)
        expectNear(report.perClass[0], scores(3.0 / 4, 3.0 / 4, 6.0 / 8, 4), "class 0")
        expectNear(report.perClass[1], scores(3.0 / 5, 3.0 / 4, 6.0 / 9, 4), "class 1")
        // Never predicted: precision 0/0 counts as 0.
        expectNear(report.perClass[2], scores(0, 0, 0, 2), "class 2 (never predicted)")
        // Absent from the labels: recall 0/0 counts as 0; precision 0/1.
        expectNear(report.perClass[3], scores(0, 0, 0, 0), "class 3 (absent)")
    }

    /// macro = mean over the 4 classes; weighted = sum of support * score / 10:
    /// precision (0.75 + 0.6) / 4 = 0.3375 and (4 * 0.75 + 4 * 0.6) / 10 = 0.54,
    /// recall (0.75 + 0.75) / 4 = 0.375 and (3 + 3) / 10 = 0.6,
    /// F1 (0.75 + 2/3) / 4 = 0.354166... and (3 + 8/3) / 10 = 0.566666...
    @Test func macroAndWeightedAverages() throws {
        let report = try ClassificationReport(
            labels: Example.labels, predictions: Example.predictions, classCount: 4)
        expectNear(report.macroAverage, scores(0.3375, 0.375, 0.354_166_666_666_666_6, 10), "macro")
        expectNear(
            report.weightedAverage, scores(0.54, 0.6, 0.566_666_666_666_666_7, 10), "weighted")
    }

    /// A fifth class that neither occurs nor is predicted scores 0 and counts in the macro mean
    /// (scikit-learn with `labels=range(5)`), and weighs nothing in the weighted one.
    @Test func aClassNeitherSeenNorPredictedLowersOnlyTheMacroAverage() throws {
        let report = try ClassificationReport(
            labels: Example.labels, predictions: Example.predictions, classCount: 5)
        expectNear(report.perClass[4], scores(0, 0, 0, 0), "class 4")
        expectNear(report.macroAverage, scores(0.27, 0.3, 0.283_333_333_333_333_3, 10), "macro")
        expectNear(
            report.weightedAverage, scores(0.54, 0.6, 0.566_666_666_666_666_7, 10), "weighted")
    }

    @Test func fromScoresMatchesFromPredictions() throws {
        let labels = ClassificationMetricsTests.tiedLabels,
            scores = ClassificationMetricsTests.tiedScores
        let fromScores = try ClassificationReport(labels: labels, scores: scores, classCount: 4)
        let fromPredictions = try ClassificationReport(
            labels: labels, predictions: [1, 0, 3, 0, 1, 2], classCount: 4)
        #expect(fromScores == fromPredictions)
    }

    /// Golden strings printed by scikit-learn 1.9's `classification_report` for the same inputs.
    /// 0.3375 (stored just above) rounds up to 0.34 and 0.375 (exact) to even, 0.38.
    @Test func descriptionMatchesScikitLearn() throws {
        let report = try ClassificationReport(
            labels: Example.labels, predictions: Example.predictions, classCount: 4,
            classNames: Example.names)
        #expect(
            report.description == """
                              precision    recall  f1-score   support

                         cat       0.75      0.75      0.75         4
                         dog       0.60      0.75      0.67         4
                        bird       0.00      0.00      0.00         2
                        fish       0.00      0.00      0.00         0

                    accuracy                           0.60        10
                   macro avg       0.34      0.38      0.35        10
                weighted avg       0.54      0.60      0.57        10
                """)
    }

    /// Exact ties round to even: precision 1/8 = 0.125 gives 0.12, as in Python.
    @Test func descriptionRoundsTiesToEven() throws {
        let report = try ClassificationReport(
            ConfusionMatrix(counts: [[1, 0], [7, 0]], classNames: ["A", "B"]))
        #expect(
            report.description == """
                              precision    recall  f1-score   support

                           A       0.12      1.00      0.22         1
                           B       0.00      0.00      0.00         7

                    accuracy                           0.12         8
                   macro avg       0.06      0.50      0.11         8
                weighted avg       0.02      0.12      0.03         8
                """)
    }

    @Test func descriptionWidensTheNameColumnForLongNames() throws {
        let matrix = try ConfusionMatrix(
            counts: [[850, 3, 147], [12, 961, 27], [9, 0, 991]],
            classNames: ["T-shirt/top", "Trouser", "Sneaker (low-top)"])
        #expect(
            ClassificationReport(matrix).description == """
                                   precision    recall  f1-score   support

                      T-shirt/top       0.98      0.85      0.91      1000
                          Trouser       1.00      0.96      0.98      1000
                Sneaker (low-top)       0.85      0.99      0.92      1000

                         accuracy                           0.93      3000
                        macro avg       0.94      0.93      0.93      3000
                     weighted avg       0.94      0.93      0.93      3000
                """)
    }

    @Test func formattedWithMoreDigits() throws {
        let report = try ClassificationReport(
            labels: Example.labels, predictions: Example.predictions, classCount: 5)
        #expect(
            try report.formatted(digits: 4) == """
                              precision    recall  f1-score   support

                           0     0.7500    0.7500    0.7500         4
                           1     0.6000    0.7500    0.6667         4
                           2     0.0000    0.0000    0.0000         2
                           3     0.0000    0.0000    0.0000         0
                           4     0.0000    0.0000    0.0000         0

                    accuracy                         0.6000        10
                   macro avg     0.2700    0.3000    0.2833        10
                weighted avg     0.5400    0.6000    0.5667        10
                """)
    }

    /// The fixed-point formatter against Python's `format(value, ".Nf")`.
    @Test(
        arguments: [
            (0.125, 2, "0.12"), (0.375, 2, "0.38"), (0.3375, 2, "0.34"), (0.675, 2, "0.68"),
            (0.995, 2, "0.99"),
            (0.015, 2, "0.01"), (0.025, 2, "0.03"), (2.0 / 3, 2, "0.67"), (1, 2, "1.00"),
            (0, 2, "0.00"),
            (0.5, 0, "0"), (1.5, 0, "2"), (2.5, 0, "2"), (0.123_456_789, 4, "0.1235"),
            (-0.001, 2, "-0.00"), (12.5, 1, "12.5"),
        ] as [(Double, Int, String)])
    func fixedRoundsHalfToEvenOnTheBinaryValue(value: Double, digits: Int, expected: String) {
        #expect(TextTable.fixed(value, digits: digits) == expected)
    }
}

struct RegressionMetricsTests {
    /// scikit-learn's documentation example. Errors -0.5, 0.5, 0, 1: MSE 1.5 / 4, MAE 2 / 4;
    /// mean target 2.875, SS_tot 29.1875, so R^2 = 1 - 1.5 / 29.1875.
    @Test func handComputed() throws {
        let targets: [Float] = [3, -0.5, 2, 7], predictions: [Float] = [2.5, 0, 2, 8]
        let metrics = try RegressionMetrics(targets: targets, predictions: predictions)
        #expect(metrics.sampleCount == 4)
        #expect(metrics.meanSquaredError == 0.375)
        #expect(metrics.meanAbsoluteError == 0.5)
        expectNear(metrics.rootMeanSquaredError, 0.612_372_435_695_794_5, "RMSE")
        expectNear(metrics.coefficientOfDetermination, 0.948_608_137_044_967_9, "R^2")
        #expect(
            try RegressionMetrics.meanSquaredError(targets: targets, predictions: predictions)
                == 0.375)
        #expect(
            try RegressionMetrics.meanAbsoluteError(targets: targets, predictions: predictions)
                == 0.5)
        expectNear(
            try RegressionMetrics.rootMeanSquaredError(targets: targets, predictions: predictions),
            0.612_372_435_695_794_5, "RMSE")
        expectNear(
            try RegressionMetrics.coefficientOfDetermination(
                targets: targets, predictions: predictions), 0.948_608_137_044_967_9, "R^2")
    }

    /// Reversed predictions: errors 2, 0, -2, so MSE 8/3 and MAE 4/3; SS_tot 2 and SS_res 8 give
    /// R^2 = 1 - 4 = -3, worse than predicting the mean.
    @Test func worseThanTheMeanIsNegative() throws {
        let metrics = try RegressionMetrics(targets: [1, 2, 3], predictions: [3, 2, 1])
        expectNear(metrics.meanSquaredError, 8.0 / 3, "MSE")
        expectNear(metrics.meanAbsoluteError, 4.0 / 3, "MAE")
        expectNear(metrics.rootMeanSquaredError, 1.632_993_161_855_452, "RMSE")
        #expect(metrics.coefficientOfDetermination == -3)
        #expect(
            try RegressionMetrics(targets: [1, 2, 3], predictions: [2, 2, 2])
                .coefficientOfDetermination == 0)
        #expect(
            try RegressionMetrics(targets: [1, 2, 3], predictions: [1, 2, 3])
                .coefficientOfDetermination == 1)
    }

    /// SS_tot = 0: R^2 is 1 for exact predictions and 0 otherwise, as scikit-learn's
    /// `force_finite=True`; one sample is a constant target.
    @Test func constantTargets() throws {
        #expect(
            try RegressionMetrics(targets: [0.1, 0.1, 0.1], predictions: [0.1, 0.1, 0.1])
                .coefficientOfDetermination == 1)
        let off = try RegressionMetrics(targets: [2, 2, 2], predictions: [2, 2, 3])
        #expect(off.coefficientOfDetermination == 0)
        expectNear(off.meanSquaredError, 1.0 / 3, "MSE")
        #expect(
            try RegressionMetrics(targets: [5], predictions: [5]).coefficientOfDetermination == 1)
        #expect(
            try RegressionMetrics(targets: [5], predictions: [4]).coefficientOfDetermination == 0)
    }

    @Test func description() throws {
        let metrics = try RegressionMetrics(targets: [3, -0.5, 2, 7], predictions: [2.5, 0, 2, 8])
        #expect(
            metrics.description
                == "MSE 0.375, RMSE 0.6123724356957945, MAE 0.5, R^2 0.9486081370449679 (4 samples)"
        )
    }
}
