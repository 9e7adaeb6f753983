import ArgumentParser
import Descent

/// `--optimizer`: the optimizers the command line offers, PyTorch's definitions throughout;
/// momentum and nesterov are SGD with momentum 0.9, amsgrad is Adam's AMSGrad variant, lion is
/// Lion (Chen et al., 2023).
enum OptimizerChoice: String, CaseIterable, ExpressibleByArgument, CustomStringConvertible {
    case sgd, momentum, nesterov, adagrad, rmsprop, adadelta, adam, amsgrad, adamw, adamax, nadam
    case lion

    /// The choice called `text`.
    /// - Throws: a usage error listing the choices.
    init(parsing text: String) throws {
        guard let choice = Self(rawValue: text) else {
            throw usageError(
                "unknown optimizer '\(text)'; use "
                    + Self.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = choice
    }

    var description: String { rawValue }

    /// The rate when `--lr` is not given: the optimizer type's own default.
    var defaultLearningRate: Float {
        switch self {
        case .sgd, .momentum, .nesterov: SGD.defaultLearningRate
        case .adagrad: Adagrad.defaultLearningRate
        case .rmsprop: RMSprop.defaultLearningRate
        case .adadelta: Adadelta.defaultLearningRate
        case .adam, .amsgrad: Adam.defaultLearningRate
        case .adamw: AdamW.defaultLearningRate
        case .adamax: AdaMax.defaultLearningRate
        case .nadam: Nadam.defaultLearningRate
        case .lion: Lion.defaultLearningRate
        }
    }

    /// The optimizer with `learningRate` and `weightDecay` (the decoupled decay for adamw and
    /// lion, the L2 penalty for the others).
    func make(learningRate: Float, weightDecay: Float) -> any Optimizer {
        switch self {
        case .sgd: SGD(learningRate: learningRate, weightDecay: weightDecay)
        case .momentum: SGD(learningRate: learningRate, momentum: 0.9, weightDecay: weightDecay)
        case .nesterov:
            SGD(learningRate: learningRate, momentum: 0.9, nesterov: true, weightDecay: weightDecay)
        case .adagrad: Adagrad(learningRate: learningRate, weightDecay: weightDecay)
        case .rmsprop: RMSprop(learningRate: learningRate, weightDecay: weightDecay)
        case .adadelta: Adadelta(learningRate: learningRate, weightDecay: weightDecay)
        case .adam: Adam(learningRate: learningRate, weightDecay: weightDecay)
        case .amsgrad: Adam(learningRate: learningRate, amsgrad: true, weightDecay: weightDecay)
        case .adamw: AdamW(learningRate: learningRate, weightDecay: weightDecay)
        case .adamax: AdaMax(learningRate: learningRate, weightDecay: weightDecay)
        case .nadam: Nadam(learningRate: learningRate, weightDecay: weightDecay)
        case .lion: Lion(learningRate: learningRate, weightDecay: weightDecay)
        }
    }

    /// The default rates for `--help`, read from the optimizer types.
    static var defaultRates: String {
        "Defaults: "
            + allCases.map { "\($0) \(ProgressBar.format(Double($0.defaultLearningRate)))" }
            .joined(separator: ", ") + "."
    }
}
