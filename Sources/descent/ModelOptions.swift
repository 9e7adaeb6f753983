import ArgumentParser
import Descent

/// The network: hidden layers, their activation and regularization, and the loss.
struct ModelOptions: ParsableArguments {
    @Option(
        help: "Hidden layer widths, comma-separated (an empty string for none: a linear model).")
    var hidden = "256,128"

    @Option(
        help: "Hidden activation: relu, leaky-relu, elu, selu, gelu, softplus, tanh or sigmoid.")
    var activation = "relu"

    @Flag(
        name: .customLong("batch-norm"), inversion: .prefixedNo,
        help: "Batch normalization after each hidden layer's affine map.")
    var batchNorm = true

    @Option(
        name: .customLong("init"),
        help: ArgumentHelp(
            "The weight initializer of every dense layer: auto, zeros, constant:V, uniform:LOW,HIGH, normal:MEAN,STD, "
                + "glorot-uniform, glorot-normal, he-uniform, he-normal, lecun-uniform, lecun-normal or pytorch.",
            discussion: """
                auto: He (uniform) for the ReLU family, Glorot (uniform) otherwise, PyTorch's default for \
                the output layer. zeros and constant:V set the biases too, and plant the notes' zero \
                initialization: every unit of a layer starts, and stays, the same (symmetric-weights); \
                the others leave biases at PyTorch's default. normal:0,10 plants saturated sigmoid or \
                tanh units (saturated-activations).
                """))
    var initializer = "auto"

    @Option(help: "Dropout probability after each hidden layer (0 for none).")
    var dropout: Float = 0.3

    @Option(
        help: ArgumentHelp(
            "auto, cross-entropy, bce, mse, mae, huber or rmse.",
            discussion:
                "auto: cross-entropy for several classes, bce for two, mse for real-valued targets."
        ))
    var loss = "auto"

    /// The widest hidden layer: a million units.
    static let maximumWidth = 1_000_000
    /// The most trainable parameters a model may have: 2^27 (about 134 million, 3 GB of device
    /// memory with Adam's state and the gradients).
    static let maximumParameters = 1 << 27

    /// The hidden widths, each in `1...maximumWidth`.
    func widths() throws -> [Int] {
        guard !hidden.isEmpty else { return [] }
        return try hidden.split(separator: ",", omittingEmptySubsequences: false).map { text in
            guard let width = Int(text.trimmingCharacters()), width > 0 else {
                throw usageError(
                    "--hidden takes positive widths separated by commas (e.g. 256,128), got '\(hidden.prefix(80))'"
                )
            }
            guard width <= Self.maximumWidth else {
                throw usageError(
                    "--hidden: a layer of \(width) units is over the limit of \(Self.maximumWidth)")
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
        default:
            throw usageError(
                "unknown activation '\(activation)'; use relu, leaky-relu, elu, selu, gelu, softplus, tanh or sigmoid"
            )
        }
    }

    /// The `--init` initializer, nil for auto.
    func weightInitializer() throws -> Initializer? {
        let parts = initializer.split(
            separator: ":", maxSplits: 1, omittingEmptySubsequences: false
        ).map(String.init)
        let name = parts[0], takesNumbers = ["constant", "uniform", "normal"].contains(name)
        guard takesNumbers == (parts.count > 1) else {
            throw usageError(
                takesNumbers
                    ? "--init \(name) needs its numbers: constant:V, uniform:LOW,HIGH or normal:MEAN,STD"
                    : "--init \(name) takes no numbers, got '\(initializer)'")
        }
        func numbers(_ count: Int, _ form: String) throws -> [Float] {
            let values = parts[1].split(separator: ",", omittingEmptySubsequences: false).map {
                Float($0.trimmingCharacters())
            }
            guard values.count == count, values.allSatisfy({ $0?.isFinite == true }) else {
                throw usageError(
                    "--init \(name) takes the form \(form) with finite numbers, got '\(initializer)'"
                )
            }
            return values.map { $0! }
        }
        switch name {
        case "auto": return nil
        case "zeros": return .zeros
        case "constant": return .constant(try numbers(1, "constant:V")[0])
        case "uniform":
            let bounds = try numbers(2, "uniform:LOW,HIGH")
            guard bounds[0] < bounds[1] else {
                throw usageError("--init uniform:LOW,HIGH needs LOW < HIGH, got '\(initializer)'")
            }
            return .uniform(low: bounds[0], high: bounds[1])
        case "normal":
            let moments = try numbers(2, "normal:MEAN,STD")
            guard moments[1] >= 0 else {
                throw usageError("--init normal:MEAN,STD needs STD >= 0, got '\(initializer)'")
            }
            return .normal(mean: moments[0], standardDeviation: moments[1])
        case "glorot-uniform": return .glorotUniform
        case "glorot-normal": return .glorotNormal
        case "he-uniform": return .heUniform
        case "he-normal": return .heNormal
        case "lecun-uniform": return .lecunUniform
        case "lecun-normal": return .lecunNormal
        case "pytorch": return .pytorchLinear
        default:
            throw usageError(
                "unknown --init '\(initializer)'; use auto, zeros, constant:V, uniform:LOW,HIGH, normal:MEAN,STD, "
                    + "glorot-uniform, glorot-normal, he-uniform, he-normal, lecun-uniform, lecun-normal or pytorch"
            )
        }
    }

    /// The biases' initializer: the weights' for zeros and constant (all parameters equal, the
    /// notes' fault), PyTorch's default otherwise.
    private func biasInitializer(for weights: Initializer?) -> Initializer {
        switch weights {
        case .zeros?, .constant?: weights!
        default: .pytorchLinear
        }
    }

    /// The loss for `task`: the task's own unless `--loss` names one that fits it.
    func lossFunction(for task: LearningTask) throws -> LossFunction {
        let chosen: LossFunction =
            switch loss {
            case "auto": task.defaultLoss
            case "cross-entropy": .softmaxCrossEntropy
            case "bce": .binaryCrossEntropy
            case "mse": .regression(.meanSquaredError)
            case "mae": .regression(.meanAbsoluteError)
            case "huber": .regression(.huber(delta: 1))
            case "rmse": .regression(.rootMeanSquaredError)
            default:
                throw usageError(
                    "unknown loss '\(loss)'; use auto, cross-entropy, bce, mse, mae, huber or rmse")
            }
        guard task.accepts(chosen) else {
            throw usageError(
                "--loss \(loss) does not fit \(task); leave --loss auto or use --task to change the task"
            )
        }
        return chosen
    }

    /// The MLP: for each hidden width a dense layer (`--init`, or He initialization for the ReLU
    /// family and Glorot otherwise), optional batch norm, the activation and optional dropout;
    /// then a linear output layer of the task's width (`--init`, or PyTorch's default).
    func architecture(inputs: Int, task: LearningTask, seed: UInt64) throws -> Sequential {
        guard (0..<1).contains(dropout) else {
            throw usageError("--dropout must be in [0, 1), got \(dropout)")
        }
        let function = try hiddenActivation()
        let chosen = try weightInitializer()
        let initializer =
            chosen
            ?? ([.relu, .leakyReLU(slope: 0.01), .elu(alpha: 1)].contains(function)
                ? .heUniform : .glorotUniform)
        let all = [inputs] + (try widths()) + [task.outputFeatures]
        // At most a million units a layer and a few hundred thousand inputs: no overflow here.
        let parameters = zip(all, all.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 }
        guard parameters <= Self.maximumParameters else {
            throw usageError(
                "--hidden \(hidden.prefix(80)) makes \(parameters) parameters for \(inputs) inputs, "
                    + "over the limit of \(Self.maximumParameters); use narrower layers")
        }
        var layers: [any Layer] = []
        var features = inputs
        for width in try widths() {
            layers.append(
                Dense(
                    features, width, initializer: initializer,
                    biasInitializer: biasInitializer(for: chosen)))
            if batchNorm { layers.append(BatchNorm(width)) }
            layers.append(ActivationLayer(function))
            if dropout > 0 { layers.append(Dropout(dropout)) }
            features = width
        }
        layers.append(
            Dense(
                features, task.outputFeatures, initializer: chosen ?? .pytorchLinear,
                biasInitializer: biasInitializer(for: chosen)))
        return Sequential(seed: seed, layers: layers)
    }
}

extension Substring {
    /// Without leading and trailing spaces.
    func trimmingCharacters() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
