import DescentCore

/// Checkpoints in the safetensors format, readable by `safetensors.numpy.load_file` and
/// `safetensors.torch.load_file` unchanged.
///
/// Tensors are named by layer: `layers.<index>.<parameter>` ("layers.0.weight", "layers.0.bias",
/// "layers.1.gamma", "layers.1.beta"), plus each BatchNorm's running statistics as
/// "layers.<index>.running_mean" and "layers.<index>.running_var". Shapes are the parameters'
/// shapes (a `Dense` weight is `[inputs, outputs]`, row-major). The header metadata holds
/// `"format": "descent"`, `"architecture"` (the `Sequential`'s description) and
/// `"descent.model"`: the `ModelDescription` that `Model.load(contentsOf:on:)` rebuilds the
/// model from, with what prediction needs to know about the inputs and outputs.
extension Model {
    /// Writes every parameter and running statistic to `path`, atomically (temporary file in the
    /// same directory, fsync, rename): a crash leaves the previous file or the new one, never half.
    /// Synchronizing: downloads the parameters.
    /// - Parameters:
    ///   - task, loss, classNames, featureNames, standardization: what the trainer knows about
    ///     the inputs and outputs, kept in the file's `ModelDescription` for prediction.
    ///   - metadata: more header metadata (for example how the model was trained); the keys
    ///     `format`, `architecture`, `input_features` and `descent.model` are the model's own
    ///     and win.
    /// - Throws: `DescentError.invalidArgument` when the file cannot be written.
    public func save(
        to path: String, task: LearningTask? = nil, loss: LossFunction? = nil,
        classNames: [String]? = nil, featureNames: [String]? = nil,
        standardization: ModelDescription.Standardization? = nil,
        metadata: [String: String] = [:]
    ) throws {
        let tensors = try stateTensors()
        var own = [
            "format": "descent", "architecture": architecture.description,
            "input_features": String(inputFeatures),
        ]
        let layers = architecture.layers.compactMap(LayerDescription.init)
        // A layer defined outside Descent cannot be described: the file then holds the tensors
        // and the architecture's text, and loading needs the model built by hand.
        if layers.count == architecture.layers.count {
            let description = ModelDescription(
                seed: architecture.seed, inputShape: inputShape, layers: layers, task: task,
                loss: loss, classNames: classNames, featureNames: featureNames,
                standardization: standardization, tensorLayout: try tensorLayout)
            own[ModelDescription.metadataKey] = try JSON.text(description)
        }
        let file = SafeTensorsFile(
            tensors: tensors, metadata: metadata.merging(own) { _, model in model })
        do {
            try file.write(to: path)
        } catch let error as SafeTensorsError {
            throw DescentError.invalidArgument(operation: "Model.save", reason: error.description)
        }
    }

    /// Rebuilds a model from a file written by `save(to:)` alone: its architecture from the
    /// file's `ModelDescription`, its weights and running statistics from the tensors.
    /// - Returns: the model on `backend`, for batches of up to `maxBatch` rows, and the
    ///   description (task, class names, input standardization) prediction needs.
    /// - Throws: `DescentError.invalidArgument` for a file that cannot be read or is not valid
    ///   safetensors, that has no model description (written by an older Descent, or holding a
    ///   layer defined outside Descent) or one of another version, or whose tensors do not fit it.
    public static func load(
        contentsOf path: String, on backend: B, maxBatch: Int = 256
    ) throws -> (model: Model<B>, description: ModelDescription) {
        let operation = "Model.load(contentsOf:)"
        let file = try SafeTensorsFile(contentsOf: path, for: operation)
        guard let text = file.metadata[ModelDescription.metadataKey] else {
            throw DescentError.invalidArgument(
                operation: operation,
                reason:
                    "\(path) has no model description (header metadata '\(ModelDescription.metadataKey)'): "
                    + "it was written by an older Descent or holds a layer defined outside Descent; "
                    + "build the model as it was trained and call model.load(from:), or train again"
            )
        }
        let description: ModelDescription
        do {
            description = try JSON.decode(ModelDescription.self, from: text)
        } catch {
            throw DescentError.invalidArgument(
                operation: operation,
                reason:
                    "\(path): its '\(ModelDescription.metadataKey)' metadata is not a model description "
                    + "(\(JSON.reason(error)))")
        }
        guard description.version == ModelDescription.currentVersion else {
            throw DescentError.invalidArgument(
                operation: operation,
                reason:
                    "\(path) describes its model in version \(description.version), and this Descent "
                    + "reads version \(ModelDescription.currentVersion); use the Descent that wrote it"
            )
        }
        try description.check(against: file.tensors, file: path)
        let model = try Model(
            description.architecture, inputShape: try description.inputShape, on: backend,
            maxBatch: maxBatch)
        try model.restore(
            file.tensors, operation: operation, from: path,
            savedArchitecture: file.metadata["architecture"])
        return (model, description)
    }

    /// What each tensor of the file is, by name: its shape and the meaning of its axes.
    var tensorLayout: [String: String] {
        get throws {
            var layout: [String: String] = [:]
            for entry in try checkpointEntries {
                let kind = entry.name.split(separator: ".").last.map(String.init) ?? ""
                let meaning =
                    switch kind {
                    case "weight" where entry.shape.count == 4:
                        "[outputChannels, inputChannels, kernelHeight, kernelWidth] (OIHW, as "
                            + "PyTorch's nn.Conv2d)"
                    case "weight":
                        "[inputs, outputs], row-major: y = x W + b (PyTorch's nn.Linear keeps W^T)"
                    case "bias": "[outputs]"
                    case "gamma":
                        "[features or channels]: the normalization's scale (PyTorch's weight)"
                    case "beta": "[features]: the normalization's shift (PyTorch's bias)"
                    case "running_mean": "[features]: batch norm's running mean"
                    case "running_var":
                        "[features]: batch norm's running variance (unbiased in the pytorch "
                            + "convention, biased in the keras one)"
                    default: "\(entry.shape)"
                    }
                layout[entry.name] = "\(entry.shape) \(meaning)"
            }
            return layout
        }
    }

    /// Reads the parameters and running statistics saved by `save(to:)` from `path`.
    ///
    /// The whole file is read and checked first: its structure, and that it holds exactly this
    /// model's tensors, each with this model's shape. Only then is anything written to the
    /// device, so a truncated, corrupt or mismatching file leaves the model as it was. The
    /// architecture metadata is not compared (a different seed or activation loads fine); names
    /// and shapes are.
    /// - Throws: `DescentError.invalidArgument` for a file that cannot be read or is not valid
    ///   safetensors, or whose tensors are missing or extra; `.shapeMismatch` for a tensor whose
    ///   shape differs from the model's.
    public func load(from path: String) throws {
        let file = try SafeTensorsFile(contentsOf: path, for: "Model.load")
        try restore(
            file.tensors, operation: "Model.load", from: path,
            savedArchitecture: file.metadata["architecture"])
    }

    /// Puts back a state taken with `stateTensors()`: every parameter and every buffer (batch
    /// norm's running statistics), the same tensors a checkpoint holds. All tensors are checked
    /// before anything is written to the device.
    /// - Throws: `DescentError.invalidArgument` when tensors are missing or extra;
    ///   `.shapeMismatch` for a tensor whose shape differs from the model's.
    public func restore(_ tensors: [SafeTensor]) throws {
        try restore(tensors, operation: "Model.restore", from: "the state", savedArchitecture: nil)
    }

    private func restore(
        _ tensors: [SafeTensor], operation: String, from source: String, savedArchitecture: String?
    ) throws {
        let entries = try checkpointEntries
        let stored = Dictionary(
            tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let expectedNames = Set(entries.map(\.name))
        let missing = entries.map(\.name).filter { stored[$0] == nil }
        let extra = tensors.map(\.name).filter { !expectedNames.contains($0) }
        guard missing.isEmpty && extra.isEmpty else {
            var problems: [String] = []
            if !missing.isEmpty { problems.append("missing \(missing.joined(separator: ", "))") }
            if !extra.isEmpty { problems.append("unexpected \(extra.joined(separator: ", "))") }
            let saved = savedArchitecture.map { " It was saved from \($0)." } ?? ""
            throw DescentError.invalidArgument(
                operation: operation,
                reason:
                    "\(source) does not fit this model (\(problems.joined(separator: "; "))).\(saved) This model is \(architecture.description)"
            )
        }
        var values: [(view: B.View, values: [Float])] = []
        for entry in entries {
            guard let tensor = stored[entry.name] else { continue }
            guard tensor.shape == entry.shape, tensor.values.count == entry.view.count else {
                throw DescentError.shapeMismatch(
                    operation: "\(operation) \(source), tensor '\(entry.name)'",
                    expected: "\(entry.shape)", actual: "\(tensor.shape)")
            }
            values.append((entry.view, tensor.values))
        }
        for (view, tensorValues) in values { try backend.upload(tensorValues, to: view) }
    }

    /// Every tensor a checkpoint holds, with its name, shape and current values (a "state dict").
    /// Synchronizing.
    public func stateTensors() throws -> [SafeTensor] {
        try checkpointEntries.map {
            SafeTensor(name: $0.name, shape: $0.shape, values: try backend.download($0.view))
        }
    }

    /// The buffers of the model's state besides the parameter arena: each batch norm's running
    /// mean and variance, in layer order.
    var stateBuffers: [B.View] {
        runtimes.compactMap { $0 as? BatchNormRuntime<B> }.flatMap {
            [$0.runningMean.view, $0.runningVariance.view]
        }
    }

    /// Each tensor a checkpoint holds, in order: name, shape and where it lives on the device.
    var checkpointEntries: [(name: String, shape: [Int], view: B.View)] {
        get throws {
            var entries: [(name: String, shape: [Int], view: B.View)] = []
            for (index, runtime) in runtimes.enumerated() {
                for slot in slots where slot.layerIndex == index {
                    entries.append(
                        (
                            "layers.\(index).\(slot.spec.name)", slot.spec.shape,
                            try parameters.view(offset: slot.offset, count: slot.spec.count)
                        ))
                }
                if let norm = runtime as? BatchNormRuntime<B> {
                    entries.append(
                        (
                            "layers.\(index).running_mean", [norm.runningMean.count],
                            norm.runningMean.view
                        ))
                    entries.append(
                        (
                            "layers.\(index).running_var", [norm.runningVariance.count],
                            norm.runningVariance.view
                        ))
                }
            }
            return entries
        }
    }
}
