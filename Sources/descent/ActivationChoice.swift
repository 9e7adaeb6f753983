import ArgumentParser
import Descent

/// `--activation`: the hidden layers' activation.
enum ActivationChoice: String, CaseIterable, ExpressibleByArgument, CustomStringConvertible {
    case relu
    case leakyRelu = "leaky-relu"
    case elu, selu, gelu, softplus, tanh, sigmoid

    /// The choice called `text`.
    /// - Throws: a usage error listing the choices.
    init(parsing text: String) throws {
        guard let choice = Self(rawValue: text) else {
            throw usageError(
                "unknown activation '\(text)'; use relu, leaky-relu, elu, selu, gelu, softplus, tanh or sigmoid"
            )
        }
        self = choice
    }

    var description: String { rawValue }

    /// The activation, with PyTorch's default parameters (leaky ReLU's slope 0.01, ELU's alpha 1).
    var activation: Activation {
        switch self {
        case .relu: .relu
        case .leakyRelu: .leakyReLU(slope: 0.01)
        case .elu: .elu(alpha: 1)
        case .selu: .selu
        case .gelu: .gelu
        case .softplus: .softplus
        case .tanh: .tanh
        case .sigmoid: .sigmoid
        }
    }

    /// Whether He initialization suits it (the ReLU family); Glorot suits the others.
    var prefersHeInitialization: Bool {
        switch self {
        case .relu, .leakyRelu, .elu: true
        case .selu, .gelu, .softplus, .tanh, .sigmoid: false
        }
    }
}
