import ArgumentParser
import Descent

/// `--loss`: the task's own loss (auto), or one that fits it.
enum LossChoice: String, CaseIterable, ExpressibleByArgument, CustomStringConvertible {
    case auto
    case crossEntropy = "cross-entropy"
    case bce, mse, mae, huber, rmse

    /// The choice called `text`.
    /// - Throws: a usage error listing the choices.
    init(parsing text: String) throws {
        guard let choice = Self(rawValue: text) else {
            throw usageError(
                "unknown loss '\(text)'; use auto, cross-entropy, bce, mse, mae, huber or rmse")
        }
        self = choice
    }

    var description: String { rawValue }

    /// The loss for `task`: the task's own for auto.
    /// - Throws: a usage error when the loss does not fit the task.
    func lossFunction(for task: LearningTask) throws -> LossFunction {
        let chosen: LossFunction =
            switch self {
            case .auto: task.defaultLoss
            case .crossEntropy: .softmaxCrossEntropy
            case .bce: .binaryCrossEntropy
            case .mse: .regression(.meanSquaredError)
            case .mae: .regression(.meanAbsoluteError)
            case .huber: .regression(.huber(delta: 1))
            case .rmse: .regression(.rootMeanSquaredError)
            }
        guard task.accepts(chosen) else {
            throw usageError(
                "--loss \(self) does not fit \(task); leave --loss auto or use --task to change the task"
            )
        }
        return chosen
    }
}
