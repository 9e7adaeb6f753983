import Descent
import Testing

/// One call with bad input, the error it must throw, and a phrase its message must contain so
/// that it names what is wrong.
struct InvalidMetricInput: Sendable, CustomTestStringConvertible {
    enum Kind: Sendable { case invalidArgument, shapeMismatch }

    let name: String
    let kind: Kind
    let operation: String
    let mentions: String
    let call: @Sendable () throws -> Void

    var testDescription: String { name }

    private static let accuracy = "ClassificationMetrics.accuracy",
        topK = "ClassificationMetrics.topKAccuracy"
    private static let argmax = "ClassificationMetrics.predictedClasses",
        regression = "RegressionMetrics"

    static let all: [InvalidMetricInput] = [
        .init(
            name: "accuracy empty", kind: .invalidArgument, operation: accuracy,
            mentions: "labels is empty"
        ) {
            _ = try ClassificationMetrics.accuracy(labels: [], predictions: [], classCount: 3)
        },
        .init(
            name: "accuracy lengths differ", kind: .shapeMismatch, operation: accuracy,
            mentions: "predictions of 3 values"
        ) {
            _ = try ClassificationMetrics.accuracy(
                labels: [0, 1, 2], predictions: [0, 1], classCount: 3)
        },
        .init(
            name: "accuracy label too large", kind: .invalidArgument, operation: accuracy,
            mentions: "labels[2] = 3 is outside [0, 3)"
        ) {
            _ = try ClassificationMetrics.accuracy(
                labels: [0, 1, 3], predictions: [0, 1, 2], classCount: 3)
        },
        .init(
            name: "accuracy label negative", kind: .invalidArgument, operation: accuracy,
            mentions: "labels[0] = -1"
        ) {
            _ = try ClassificationMetrics.accuracy(labels: [-1], predictions: [0], classCount: 3)
        },
        .init(
            name: "accuracy prediction too large", kind: .invalidArgument, operation: accuracy,
            mentions: "predictions[1] = 10"
        ) {
            _ = try ClassificationMetrics.accuracy(
                labels: [0, 1], predictions: [0, 10], classCount: 10)
        },
        .init(
            name: "accuracy no classes", kind: .invalidArgument, operation: accuracy,
            mentions: "classCount must be at least 1, got 0"
        ) {
            _ = try ClassificationMetrics.accuracy(labels: [0], predictions: [0], classCount: 0)
        },
        .init(
            name: "accuracy scores NaN", kind: .invalidArgument, operation: accuracy,
            mentions: "scores[3] (sample 1, class 1) is NaN"
        ) {
            _ = try ClassificationMetrics.accuracy(
                labels: [0, 1], scores: [1, 0, 0, .nan], classCount: 2)
        },
        .init(
            name: "top-k k 0", kind: .invalidArgument, operation: topK,
            mentions: "k must be in 1...2 (the class count), got 0"
        ) {
            _ = try ClassificationMetrics.topKAccuracy(
                labels: [0], scores: [1, 0], classCount: 2, k: 0)
        },
        .init(name: "top-k k above C", kind: .invalidArgument, operation: topK, mentions: "got 3") {
            _ = try ClassificationMetrics.topKAccuracy(
                labels: [0], scores: [1, 0], classCount: 2, k: 3)
        },
        .init(
            name: "top-k scores short", kind: .shapeMismatch, operation: topK,
            mentions: "scores of 2 x 3 values"
        ) {
            _ = try ClassificationMetrics.topKAccuracy(
                labels: [0, 1], scores: [1, 0, 0, 1, 0], classCount: 3, k: 1)
        },
        .init(
            name: "top-k scores NaN", kind: .invalidArgument, operation: topK,
            mentions: "scores[2] (sample 1, class 0) is NaN"
        ) {
            _ = try ClassificationMetrics.topKAccuracy(
                labels: [0, 1], scores: [1, 0, .nan, 1], classCount: 2, k: 1)
        },
        .init(
            name: "top-k label outside", kind: .invalidArgument, operation: topK,
            mentions: "labels[1] = 2 is outside [0, 2)"
        ) {
            _ = try ClassificationMetrics.topKAccuracy(
                labels: [0, 2], scores: [1, 0, 0, 1], classCount: 2, k: 1)
        },
        .init(
            name: "top-k empty", kind: .invalidArgument, operation: topK,
            mentions: "labels is empty"
        ) {
            _ = try ClassificationMetrics.topKAccuracy(labels: [], scores: [], classCount: 2, k: 1)
        },
        .init(
            name: "argmax not a multiple", kind: .shapeMismatch, operation: argmax,
            mentions: "a multiple of 3"
        ) {
            _ = try ClassificationMetrics.predictedClasses(scores: [1, 2, 3, 4], classCount: 3)
        },
        .init(
            name: "argmax empty", kind: .invalidArgument, operation: argmax,
            mentions: "scores is empty"
        ) {
            _ = try ClassificationMetrics.predictedClasses(scores: [], classCount: 3)
        },
        .init(
            name: "argmax NaN", kind: .invalidArgument, operation: argmax,
            mentions: "scores[0] (sample 0, class 0) is NaN"
        ) {
            _ = try ClassificationMetrics.predictedClasses(scores: [.nan, 1], classCount: 2)
        },
        .init(
            name: "argmax negative class count", kind: .invalidArgument, operation: argmax,
            mentions: "got -2"
        ) {
            _ = try ClassificationMetrics.predictedClasses(scores: [1, 2], classCount: -2)
        },
        .init(
            name: "matrix names count", kind: .shapeMismatch, operation: "ConfusionMatrix",
            mentions: "3 class names"
        ) {
            _ = try ConfusionMatrix(
                labels: [0], predictions: [0], classCount: 3, classNames: ["a", "b"])
        },
        .init(
            name: "matrix lengths differ", kind: .shapeMismatch, operation: "ConfusionMatrix",
            mentions: "predictions of 1 values"
        ) {
            _ = try ConfusionMatrix(labels: [0], predictions: [0, 1], classCount: 3)
        },
        .init(
            name: "matrix scores NaN", kind: .invalidArgument, operation: "ConfusionMatrix",
            mentions: "is NaN"
        ) {
            _ = try ConfusionMatrix(labels: [0], scores: [.nan, 0], classCount: 2)
        },
        .init(
            name: "counts not square", kind: .shapeMismatch, operation: "ConfusionMatrix(counts:)",
            mentions: "row 1 of 1 counts"
        ) {
            _ = try ConfusionMatrix(counts: [[1, 0], [1]])
        },
        .init(
            name: "counts empty", kind: .shapeMismatch, operation: "ConfusionMatrix(counts:)",
            mentions: "no rows"
        ) {
            _ = try ConfusionMatrix(counts: [])
        },
        .init(
            name: "counts negative", kind: .invalidArgument, operation: "ConfusionMatrix(counts:)",
            mentions: "counts[1][0] = -1"
        ) {
            _ = try ConfusionMatrix(counts: [[1, 0], [-1, 2]])
        },
        .init(
            name: "counts all zero", kind: .invalidArgument, operation: "ConfusionMatrix(counts:)",
            mentions: "every count is 0"
        ) {
            _ = try ConfusionMatrix(counts: [[0, 0], [0, 0]])
        },
        .init(
            name: "counts overflow", kind: .invalidArgument, operation: "ConfusionMatrix(counts:)",
            mentions: "Int.max"
        ) {
            _ = try ConfusionMatrix(counts: [[Int.max, 1], [0, 0]])
        },
        .init(
            name: "report digits", kind: .invalidArgument,
            operation: "ClassificationReport.formatted", mentions: "got 16"
        ) {
            _ = try ClassificationReport(labels: [0], predictions: [0], classCount: 1).formatted(
                digits: 16)
        },
        .init(
            name: "report label outside", kind: .invalidArgument, operation: "ConfusionMatrix",
            mentions: "labels[0] = 5"
        ) {
            _ = try ClassificationReport(labels: [5], predictions: [0], classCount: 2)
        },
        .init(
            name: "regression empty", kind: .invalidArgument, operation: regression,
            mentions: "targets is empty"
        ) {
            _ = try RegressionMetrics(targets: [], predictions: [])
        },
        .init(
            name: "regression lengths differ", kind: .shapeMismatch,
            operation: "RegressionMetrics.meanSquaredError",
            mentions: "predictions of 2 values"
        ) {
            _ = try RegressionMetrics.meanSquaredError(targets: [1, 2], predictions: [1, 2, 3])
        },
        .init(
            name: "regression NaN target", kind: .invalidArgument,
            operation: "RegressionMetrics.meanAbsoluteError",
            mentions: "targets[1] is nan"
        ) {
            _ = try RegressionMetrics.meanAbsoluteError(targets: [1, .nan], predictions: [1, 2])
        },
        .init(
            name: "regression infinite prediction", kind: .invalidArgument,
            operation: "RegressionMetrics.coefficientOfDetermination",
            mentions: "predictions[0] is inf"
        ) {
            _ = try RegressionMetrics.coefficientOfDetermination(
                targets: [1, 2], predictions: [.infinity, 2])
        },
        .init(
            name: "regression NaN prediction", kind: .invalidArgument,
            operation: "RegressionMetrics.rootMeanSquaredError",
            mentions: "diverged"
        ) {
            _ = try RegressionMetrics.rootMeanSquaredError(
                targets: [1, 2], predictions: [1, .nan])
        },
    ]
}

struct MetricsErrorTests {
    @Test(arguments: InvalidMetricInput.all)
    func badInputThrowsANamedError(_ input: InvalidMetricInput) {
        let error = #expect(throws: DescentError.self) { try input.call() }
        guard let error else { return }
        switch (input.kind, error) {
        case (.invalidArgument, .invalidArgument(let operation, _)),
            (.shapeMismatch, .shapeMismatch(let operation, _, _)):
            #expect(operation == input.operation)
        default:
            Issue.record("expected \(input.kind), got \(error)")
        }
        #expect(error.description.contains(input.mentions), "\(error.description)")
    }
}
