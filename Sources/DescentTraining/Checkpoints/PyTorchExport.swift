import DescentCore

/// A model as PyTorch's `nn.Sequential` holds it: the module list, and the state dict with
/// PyTorch's names and layouts, so that `model.load_state_dict(safetensors.torch.load_file(path))`
/// loads it into the matching `nn.Sequential`; call `model.eval()` before predicting, as Descent
/// predicts with batch norm's running statistics and without dropout.
///
/// Each layer is one module, but a `Dense` with a fused activation is two (`nn.Linear`, then the
/// activation), so the indices are the modules' and not Descent's layer indices. `nn.Linear`
/// keeps its weight `[out, in]` (Descent's `[in, out]` transposed); batch norm's gamma and beta
/// are its `weight` and `bias`, its running statistics keep their names (`num_batches_tracked`
/// is left out: `load_state_dict` fills it in as for a checkpoint from before it existed).
/// Keras's batch-norm momentum becomes PyTorch's (`1 - momentum`); at inference only epsilon
/// and the running statistics count, and they are the same. `GaussianNoise` is `nn.Identity()`.
public struct PyTorchExport: Sendable, Equatable {
    /// The header metadata key of the module list (a JSON list of the constructors' Python code).
    public static let modulesKey = "pytorch.modules"
    /// The header metadata key of the `nn.Sequential` code.
    public static let sequentialKey = "pytorch.sequential"

    /// Each module's constructor as Python code: `nn.Linear(784, 256)`, `nn.ReLU()`, ...
    public var modules: [String]
    /// The state dict: `0.weight`, `0.bias`, `1.weight`, `1.running_mean`, ...
    public var tensors: [SafeTensor]

    /// The `nn.Sequential` that loads `tensors`, as Python code (`import torch.nn as nn` first).
    public var sequential: String {
        "nn.Sequential(\n" + modules.map { "    \($0)," }.joined(separator: "\n") + "\n)"
    }

    /// The constructor of PyTorch's module for `activation`, nil for the identity.
    static func module(for activation: Activation) -> String? {
        switch activation {
        case .identity: nil
        case .sigmoid: "nn.Sigmoid()"
        case .tanh: "nn.Tanh()"
        case .relu: "nn.ReLU()"
        case .leakyReLU(let slope): "nn.LeakyReLU(negative_slope=\(slope))"
        case .elu(let alpha): "nn.ELU(alpha=\(alpha))"
        case .selu: "nn.SELU()"
        case .softplus: "nn.Softplus()"  // beta 1, threshold 20, as Descent's
        case .gelu: "nn.GELU(approximate='tanh')"
        }
    }
}

extension Model {
    /// This model as PyTorch's `nn.Sequential` holds it. Synchronizing: downloads the state.
    /// - Throws: `DescentError.invalidArgument` for a layer defined outside Descent.
    public func pyTorchExport() throws -> PyTorchExport {
        let state = Dictionary(
            try stateTensors().map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var modules: [String] = [], tensors: [SafeTensor] = []
        func add(_ module: String, _ named: [(String, String)] = []) {
            let index = modules.count
            modules.append(module)
            for (pyTorchName, descentName) in named {
                guard let tensor = state[descentName] else { continue }
                tensors.append(
                    SafeTensor(
                        name: "\(index).\(pyTorchName)", shape: tensor.shape, values: tensor.values)
                )
            }
        }
        for (index, layer) in architecture.layers.enumerated() {
            let prefix = "layers.\(index)."
            switch LayerDescription(layer) {
            case .dense(let inputs, let outputs, let activation, let useBias):
                guard let weight = state[prefix + "weight"]?.values,
                    weight.count == inputs * outputs
                else {
                    throw DescentError.invalidArgument(
                        operation: "Model.pyTorchExport",
                        reason: "layer \(index), \(layer), has no \(inputs) x \(outputs) weight")
                }
                // [in, out] to [out, in]: element (o, i) is W[i, o].
                let transposed = (0..<outputs * inputs).map {
                    weight[($0 % inputs) * outputs + $0 / inputs]
                }
                let linear = modules.count
                add(
                    "nn.Linear(\(inputs), \(outputs)\(useBias ? "" : ", bias=False"))",
                    [("bias", prefix + "bias")])
                tensors.insert(
                    SafeTensor(
                        name: "\(linear).weight", shape: [outputs, inputs], values: transposed),
                    at: tensors.count - (useBias ? 1 : 0))
                if let module = PyTorchExport.module(for: activation) { add(module) }
            case .batchNorm(let features, let hyperparameters):
                let images = (index == 0 ? inputShape : layerShapes[index - 1]).isImage
                add(
                    "nn.BatchNorm\(images ? "2" : "1")d(\(features), eps=\(hyperparameters.epsilon), momentum=\(hyperparameters.newBatchWeight))",
                    [
                        ("weight", prefix + "gamma"), ("bias", prefix + "beta"),
                        ("running_mean", prefix + "running_mean"),
                        ("running_var", prefix + "running_var"),
                    ])
            case .layerNorm(let features, let epsilon):
                add(
                    "nn.LayerNorm(\(features), eps=\(epsilon))",
                    [("weight", prefix + "gamma"), ("bias", prefix + "beta")])
            case .activation(let function):
                add(PyTorchExport.module(for: function) ?? "nn.Identity()")
            case .dropout(let probability): add("nn.Dropout(p=\(probability))")
            case .gaussianNoise: add("nn.Identity()")
            case .conv2D(let inputs, let outputs, let kernelSize, let stride, _, let useBias):
                let zeros = try (layer as? Conv2D)?.paddingCount() ?? 0
                add(
                    "nn.Conv2d(\(inputs), \(outputs), kernel_size=\(kernelSize), stride=\(stride), "
                        + "padding=\(zeros)\(useBias ? "" : ", bias=False"))",
                    [("weight", prefix + "weight"), ("bias", prefix + "bias")])
            case .pool2D(let pooling, let window, let stride):
                add(
                    "nn.\(pooling == .max ? "MaxPool2d" : "AvgPool2d")(\(window), stride=\(stride))"
                )
            case .globalAveragePool:
                add("nn.AdaptiveAvgPool2d(1)")
                add("nn.Flatten()")
            case .flatten: add("nn.Flatten()")
            case .randomCropFlip: add("nn.Identity()")
            case nil:
                throw DescentError.invalidArgument(
                    operation: "Model.pyTorchExport",
                    reason:
                        "layer \(index), \(layer), is defined outside Descent and has no PyTorch module"
                )
            }
        }
        return PyTorchExport(modules: modules, tensors: tensors)
    }
}

extension PyTorchExport {
    /// Writes the state dict as safetensors to `path`, atomically, with the module list and the
    /// `nn.Sequential` code in its header metadata.
    /// - Parameter metadata: more header metadata (the model's `descent.model` description, with
    ///   the inputs' standardization and the class names); the export's own keys win.
    /// - Throws: `DescentError.invalidArgument` when the file cannot be written.
    public func write(to path: String, metadata: [String: String] = [:]) throws {
        let own = [
            "format": "pt", Self.modulesKey: try JSON.text(modules), Self.sequentialKey: sequential,
        ]
        do {
            try SafeTensorsFile(tensors: tensors, metadata: metadata.merging(own) { $1 })
                .write(to: path)
        } catch let error as SafeTensorsError {
            throw DescentError.invalidArgument(
                operation: "PyTorchExport.write", reason: error.description)
        }
    }
}
