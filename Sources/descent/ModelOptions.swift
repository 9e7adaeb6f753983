import ArgumentParser
import Descent

/// The network: hidden layers, their activation and regularization, and the loss.
struct ModelOptions: ParsableArguments {
    @Option(help: "Hidden layer widths, comma-separated (an empty string for none: a linear model).")
    var hidden = "256,128"

    @Option(help: "Hidden activation: relu, leaky-relu, elu, selu, gelu, softplus, tanh or sigmoid.")
    var activation = "relu"

    @Flag(name: .customLong("batch-norm"), inversion: .prefixedNo, help: "Batch normalization after each hidden layer's affine map.")
    var batchNorm = true

    @Option(help: "Dropout probability after each hidden layer (0 for none).")
    var dropout: Float = 0.3

    @Option(help: ArgumentHelp(
        "auto, cross-entropy, bce, mse, mae, huber or rmse.",
        discussion: "auto: cross-entropy for several classes, bce for two, mse for real-valued targets."))
    var loss = "auto"

    /// The hidden widths, each positive.
    func widths() throws -> [Int] {
        guard !hidden.isEmpty else { return [] }
        return try hidden.split(separator: ",", omittingEmptySubsequences: false).map { text in
            guard let width = Int(text.trimmingCharacters()), width > 0 else {
                throw usageError("--hidden takes positive widths separated by commas (e.g. 256,128), got '\(hidden)'")
            }
            return width
        }
    }

    func hiddenActivation() throws -> Activation {
        switch activation {
        case "relu": .relu
        case "leaky-relu": .leakyReLU(slope: 0.01)
        case "elu": .elu(alpha: 1)
        case "selu": .selu
        case "gelu": .gelu
        case "softplus": .softplus
        case "tanh": .tanh
        case "sigmoid": .sigmoid
        default: throw usageError("unknown activation '\(activation)'; use relu, leaky-relu, elu, selu, gelu, softplus, tanh or sigmoid")
        }
    }

    /// The loss for `task`: the task's own unless `--loss` names one that fits it.
    func lossFunction(for task: LearningTask) throws -> LossFunction {
        let chosen: LossFunction = switch loss {
        case "auto": task.defaultLoss
        case "cross-entropy": .softmaxCrossEntropy
        case "bce": .binaryCrossEntropy
        case "mse": .regression(.meanSquaredError)
        case "mae": .regression(.meanAbsoluteError)
        case "huber": .regression(.huber(delta: 1))
        case "rmse": .regression(.rootMeanSquaredError)
        default: throw usageError("unknown loss '\(loss)'; use auto, cross-entropy, bce, mse, mae, huber or rmse")
        }
        guard task.accepts(chosen) else {
            throw usageError("--loss \(loss) does not fit \(task); leave --loss auto or use --task to change the task")
        }
        return chosen
    }

    /// The MLP: for each hidden width a dense layer (He initialization for the ReLU family,
    /// Glorot otherwise), optional batch norm, the activation and optional dropout; then a linear
    /// output layer of the task's width.
    func architecture(inputs: Int, task: LearningTask, seed: UInt64) throws -> Sequential {
        guard (0..<1).contains(dropout) else { throw usageError("--dropout must be in [0, 1), got \(dropout)") }
        let function = try hiddenActivation()
        let initializer: Initializer = [.relu, .leakyReLU(slope: 0.01), .elu(alpha: 1)].contains(function) ? .heUniform : .glorotUniform
        var layers: [any Layer] = []
        var features = inputs
        for width in try widths() {
            layers.append(Dense(features, width, initializer: initializer))
            if batchNorm { layers.append(BatchNorm(width)) }
            layers.append(ActivationLayer(function))
            if dropout > 0 { layers.append(Dropout(dropout)) }
            features = width
        }
        layers.append(Dense(features, task.outputFeatures))
        return Sequential(seed: seed, layers: layers)
    }
}

extension Substring {
    /// Without leading and trailing spaces.
    func trimmingCharacters() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
