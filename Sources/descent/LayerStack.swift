import Descent

/// `--layers`: any stack of layers, comma-separated, before the output layer the task implies:
/// `conv:32:3,bn,relu,maxpool:2,conv:64:3,bn,relu,maxpool:2,flatten,dense:128,relu,dropout:0.3`.
///
/// | item | layer |
/// |---|---|
/// | `conv:OUT:K[:STRIDE[:PAD]]` | `Conv2D` of OUT channels, a KxK kernel, stride 1 unless given; padding `same`, `valid` or a number of zeros (unless given: `same` at stride 1, K / 2 above) |
/// | `dense:N` | `Dense` of N units |
/// | `bn` | `BatchNorm` of the previous layer's channels or features |
/// | `maxpool:K[:S]`, `avgpool:K[:S]` | pooling over KxK windows, stride S (K unless given) |
/// | `gap` | `GlobalAveragePool` |
/// | `flatten` | `Flatten` |
/// | `dropout:P` | `Dropout` |
/// | an activation (`relu`, `gelu`, ...) | `ActivationLayer` |
struct LayerStack: Equatable {
    /// One item of the stack.
    enum Item: Equatable {
        case conv(outputs: Int, kernel: Int, stride: Int, padding: Conv2D.Padding)
        case dense(units: Int)
        case batchNorm
        case pool(Pooling, window: Int, stride: Int?)
        case globalAveragePool
        case flatten
        case dropout(Float)
        case activation(ActivationChoice)
    }

    let items: [Item]
    /// The text it was read from, as `--layers` takes it.
    let text: String

    /// The stack `text` describes.
    /// - Throws: a usage error naming the item it cannot read and what it takes.
    init(parsing text: String) throws {
        self.text = text
        items = try text.split(separator: ",", omittingEmptySubsequences: false).map {
            try Self.item(String($0.trimmingCharacters()))
        }
    }

    private static func item(_ text: String) throws -> Item {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func number(_ index: Int, _ what: String) throws -> Int {
            guard index < parts.count, let value = Int(parts[index]), value >= 1,
                value <= ModelOptions.maximumWidth
            else {
                throw usageError(
                    "--layers: '\(text)' needs \(what) as a whole number in 1...\(ModelOptions.maximumWidth)"
                        + " (items: conv:OUT:K[:STRIDE[:PAD]], dense:N, bn, maxpool:K[:S], avgpool:K[:S], gap, "
                        + "flatten, dropout:P or an activation)")
            }
            return value
        }
        func arity(_ range: ClosedRange<Int>) throws {
            guard range.contains(parts.count) else {
                throw usageError(
                    "--layers: '\(text)' takes \(range.lowerBound - 1)...\(range.upperBound - 1) values after its name"
                )
            }
        }
        switch parts[0] {
        case "conv":
            try arity(3...5)
            let kernel = try number(2, "a kernel size")
            let stride = parts.count >= 4 ? try number(3, "a stride") : 1
            // Unless given: "same" at stride 1, and kernel / 2 zeros (PyTorch's usual choice) above.
            var padding = stride == 1 ? Conv2D.Padding.same : .explicit(kernel / 2)
            if parts.count == 5 {
                switch parts[4] {
                case "same": padding = .same
                case "valid": padding = .valid
                default:
                    guard let count = Int(parts[4]), count >= 0, count <= 1024 else {
                        throw usageError(
                            "--layers: '\(text)': the padding is same, valid or a number of zeros in 0...1024"
                        )
                    }
                    padding = .explicit(count)
                }
            }
            return .conv(
                outputs: try number(1, "an output channel count"), kernel: kernel, stride: stride,
                padding: padding)
        case "dense":
            try arity(2...2)
            return .dense(units: try number(1, "a unit count"))
        case "bn":
            try arity(1...1)
            return .batchNorm
        case "maxpool", "avgpool":
            try arity(2...3)
            return .pool(
                parts[0] == "maxpool" ? .max : .average, window: try number(1, "a window size"),
                stride: parts.count == 3 ? try number(2, "a stride") : nil)
        case "gap":
            try arity(1...1)
            return .globalAveragePool
        case "flatten":
            try arity(1...1)
            return .flatten
        case "dropout":
            try arity(2...2)
            guard let probability = Float(parts[1]), (0..<1).contains(probability) else {
                throw usageError("--layers: '\(text)': the drop probability must be in [0, 1)")
            }
            return .dropout(probability)
        default:
            guard parts.count == 1, let activation = ActivationChoice(rawValue: parts[0]) else {
                throw usageError(
                    "--layers: unknown item '\(text)'; use conv:OUT:K[:STRIDE[:PAD]], dense:N, bn, "
                        + "maxpool:K[:S], avgpool:K[:S], gap, flatten, dropout:P or an activation "
                        + "(relu, leaky-relu, elu, selu, gelu, softplus, tanh, sigmoid)")
            }
            return .activation(activation)
        }
    }

    /// The layers for samples of `inputShape`, each weight layer initialized with `initializer`
    /// (nil: He uniform when the next activation of the stack is of the ReLU family, Glorot
    /// uniform otherwise) and its bias with `biasInitializer`, with their output shape and their
    /// trainable parameters' count.
    /// - Throws: a usage error naming the item whose input does not fit it.
    func layers(
        for inputShape: SampleShape, initializer: Initializer?, biasInitializer: Initializer
    ) throws -> (layers: [any Layer], output: SampleShape, parameterCount: Int) {
        var layers: [any Layer] = [], shape = inputShape, parameterCount = 0
        for (index, item) in items.enumerated() {
            let next = items[(index + 1)...].lazy.compactMap { item -> ActivationChoice? in
                if case .activation(let activation) = item { return activation }
                return nil
            }.first
            let weights =
                initializer
                ?? ((next?.prefersHeInitialization ?? false) ? .heUniform : .glorotUniform)
            let layer: any Layer
            switch item {
            case .conv(let outputs, let kernel, let stride, let padding):
                guard let image = shape.image else {
                    throw usageError(
                        "--layers: item \(index + 1) (conv) needs images, and its input is \(shape); "
                            + "a convolution needs image data (Fashion-MNIST's are [1, 28, 28]) "
                            + "and no flatten or dense before it")
                }
                // Batch norm right after cancels a bias: leave it out, as PyTorch's models do.
                let normalized = index + 1 < items.count && items[index + 1] == .batchNorm
                layer = Conv2D(
                    image.channels, outputs, kernelSize: kernel, stride: stride, padding: padding,
                    useBias: !normalized, initializer: weights, biasInitializer: biasInitializer)
            case .dense(let units):
                layer = Dense(
                    shape.count, units, initializer: weights, biasInitializer: biasInitializer)
            case .batchNorm:
                layer = BatchNorm(shape.image?.channels ?? shape.count)
            case .pool(let pooling, let window, let stride):
                layer = Pool2D(pooling, window: window, stride: stride)
            case .globalAveragePool:
                layer = GlobalAveragePool()
            case .flatten:
                layer = Flatten()
            case .dropout(let probability):
                layer = Dropout(probability)
            case .activation(let activation):
                layer = ActivationLayer(activation.activation)
            }
            parameterCount += layer.parameters(for: shape).reduce(0) { $0 + $1.count }
            do {
                shape = try layer.outputShape(for: shape)
            } catch let error as DescentError {
                throw usageError(
                    "--layers: item \(index + 1), \(layer), does not fit its input \(shape): \(error)"
                )
            }
            layers.append(layer)
        }
        return (layers, shape, parameterCount)
    }
}
