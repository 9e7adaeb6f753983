import DescentCore

/// Several trained classifiers voting by their averaged predicted probabilities: the notes'
/// "a few more percent" from model ensembles (all members take the same input features and
/// predict the same classes).
public final class Ensemble<B: Backend> {
    public let members: [Model<B>]
    private let probabilities: B.Buffer
    private let average: B.Buffer

    /// - Throws: `DescentError.invalidArgument` for no members, `.shapeMismatch` when members
    ///   disagree on the input or class count.
    public init(_ members: [Model<B>]) throws {
        guard let first = members.first else {
            throw DescentError.invalidArgument(operation: "Ensemble", reason: "an ensemble needs at least one model")
        }
        for member in members where member.inputFeatures != first.inputFeatures || member.outputFeatures != first.outputFeatures {
            throw DescentError.shapeMismatch(
                operation: "Ensemble",
                expected: "members of \(first.inputFeatures) inputs and \(first.outputFeatures) classes",
                actual: "a member of \(member.inputFeatures) inputs and \(member.outputFeatures) classes")
        }
        self.members = members
        let count = members.map(\.maxBatch).min()! * first.outputFeatures
        probabilities = try first.backend.makeBuffer(count: count)
        average = try first.backend.makeBuffer(count: count)
    }

    /// The largest batch every member takes.
    public var maxBatch: Int { members.map(\.maxBatch).min()! }

    /// The mean over members of `softmax(logits)` for `batch` rows (inference mode), a view
    /// valid until the next call.
    public func predictProbabilities(_ input: B.View, batch: Int) throws -> B.View {
        let backend = members[0].backend
        let shape = MatrixShape(rows: batch, columns: members[0].outputFeatures)
        guard batch <= maxBatch else {
            throw DescentError.invalidArgument(operation: "Ensemble", reason: "the batch of \(batch) rows exceeds \(maxBatch)")
        }
        let mean = try average.view(offset: 0, count: shape.count)
        let member = try probabilities.view(offset: 0, count: shape.count)
        try backend.fill(mean, with: 0)
        for model in members {
            try backend.softmaxForward(input: try model.forward(input, batch: batch, training: false), output: member, shape: shape)
            try backend.axpy(alpha: 1 / Float(members.count), x: member, y: mean)
        }
        return mean
    }
}
