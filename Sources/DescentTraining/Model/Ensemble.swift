import DescentCore

/// Several trained classifiers voting by their averaged predicted probabilities: the notes'
/// "a few more percent" from model ensembles (all members take the same input features and
/// predict the same classes of one classification task). The members of a binary task have one
/// output, trained with sigmoid + binary cross-entropy: their probability of class 1 is
/// `sigmoid(logit)`.
public final class Ensemble<B: Backend> {
    public let members: [Model<B>]
    /// The classification task every member learns.
    public let task: LearningTask
    /// The largest batch every member takes.
    public let maxBatch: Int
    private let probabilities: B.Buffer
    private let average: B.Buffer

    /// - Throws: `DescentError.invalidArgument` for no members or a regression task,
    ///   `.shapeMismatch` when a member's input or output width is not the others' or the task's.
    public init(_ members: [Model<B>], task: LearningTask) throws {
        guard let first = members.first else {
            throw DescentError.invalidArgument(
                operation: "Ensemble", reason: "an ensemble needs at least one model")
        }
        guard task.isClassification else {
            throw DescentError.invalidArgument(
                operation: "Ensemble",
                reason: "an ensemble averages class probabilities; \(task) has none")
        }
        for member in members
        where member.inputFeatures != first.inputFeatures
            || member.outputFeatures != task.outputFeatures
        {
            throw DescentError.shapeMismatch(
                operation: "Ensemble",
                expected:
                    "members of \(first.inputFeatures) inputs and \(task.outputFeatures) outputs (\(task))",
                actual:
                    "a member of \(member.inputFeatures) inputs and \(member.outputFeatures) outputs"
            )
        }
        self.members = members
        self.task = task
        maxBatch = members.reduce(first.maxBatch) { min($0, $1.maxBatch) }
        let count = maxBatch * first.outputFeatures
        probabilities = try first.backend.makeBuffer(count: count)
        average = try first.backend.makeBuffer(count: count)
    }

    /// The mean over members of `softmax(logits)` for `batch` rows (inference mode), a view
    /// valid until the next call; for one-output members, the mean of `sigmoid(logit)`, the
    /// probability of class 1.
    public func predictProbabilities(_ input: B.View, batch: Int) throws -> B.View {
        let backend = members[0].backend
        let shape = MatrixShape(rows: batch, columns: members[0].outputFeatures)
        guard batch <= maxBatch else {
            throw DescentError.invalidArgument(
                operation: "Ensemble", reason: "the batch of \(batch) rows exceeds \(maxBatch)")
        }
        let mean = try average.view(offset: 0, count: shape.count)
        let member = try probabilities.view(offset: 0, count: shape.count)
        try backend.fill(mean, with: 0)
        for model in members {
            let logits = try model.forward(input, batch: batch, training: false)
            if task == .binaryClassification {
                try backend.activationForward(.sigmoid, input: logits, output: member)
            } else {
                try backend.softmaxForward(input: logits, output: member, shape: shape)
            }
            try backend.axpy(alpha: 1 / Float(members.count), x: member, y: mean)
        }
        return mean
    }

    /// The classification report of the ensemble and of each member on `data` (inference mode).
    /// - Throws: `DescentError.invalidArgument` for data without class labels or of another width.
    public func evaluate(
        _ data: Dataset
    ) throws -> (ensemble: ClassificationReport, members: [ClassificationReport]) {
        let backend = members[0].backend
        guard let labels = data.classIndices, data.featureCount == members[0].inputFeatures,
            data.sampleCount > 0
        else {
            throw DescentError.invalidArgument(
                operation: "Ensemble.evaluate",
                reason:
                    "needs a non-empty data set of \(members[0].inputFeatures) features with class labels"
            )
        }
        let features = try backend.makeBuffer(data.features)
        var ensembleScores: [Float] = [],
            memberScores = [[Float]](repeating: [], count: members.count)
        for start in stride(from: 0, to: data.sampleCount, by: maxBatch) {
            let batch = min(maxBatch, data.sampleCount - start)
            let x = try features.view(
                offset: start * data.featureCount, count: batch * data.featureCount)
            let probabilities = try backend.download(try predictProbabilities(x, batch: batch))
            ensembleScores +=
                task == .binaryClassification
                ? probabilities.flatMap { [1 - $0, $0] } : probabilities
            for (index, model) in members.enumerated() {
                let logits = try backend.download(
                    try model.forward(x, batch: batch, training: false))
                memberScores[index] += task.scores(fromOutputs: logits)
            }
        }
        let names = data.classNames, reportClasses = max(task.outputFeatures, 2)
        return (
            try ClassificationReport(
                labels: labels, scores: ensembleScores, classCount: reportClasses, classNames: names
            ),
            try memberScores.map {
                try ClassificationReport(
                    labels: labels, scores: $0, classCount: reportClasses, classNames: names)
            }
        )
    }
}
