import DescentCore

/// A `Sequential` model built on a backend: one parameter arena, one gradient arena of the same
/// layout, and each layer's buffers for batches of up to `maxBatch` rows.
///
/// Parameters are laid out in two runs, the decaying ones (weights) in layer order and then the
/// others (biases, normalization parameters) in layer order, each starting at a multiple of
/// `alignment` elements, and initialized from Philox stream `(seed, 1000 + parameter index)`, so
/// every backend starts from the same weights.
public final class Model<B: Backend> {
    public let backend: B
    public let architecture: Sequential
    /// The shape of each input sample, and of each layer's output sample in layer order.
    public let inputShape: SampleShape
    public let layerShapes: [SampleShape]
    public let maxBatch: Int
    /// Every trainable parameter, in one buffer.
    public let parameters: B.Buffer
    /// Their gradients, in the same layout.
    public let gradients: B.Buffer
    /// Where each parameter lives: `layerIndex`, the spec and the arena offset.
    public let slots: [ParameterSlot]
    let runtimes: [any LayerRuntime<B>]
    /// The number of forward passes in training mode so far (the dropout step).
    public internal(set) var trainingSteps = 0
    /// Each layer's output of the last forward pass, in layer order: views valid until the next
    /// pass, for monitors that measure activations on the device.
    public private(set) var layerOutputs: [B.View] = []

    /// Arena offsets are multiples of this many elements (256 bytes), friendly to vector loads.
    public static var alignment: Int { 64 }

    /// Builds `architecture` on `backend` for feature vectors of `inputFeatures` values.
    /// - Throws: as `init(_:inputShape:on:maxBatch:)`.
    public convenience init(
        _ architecture: Sequential, inputFeatures: Int, on backend: B, maxBatch: Int
    ) throws {
        try self.init(
            architecture, inputShape: .features(inputFeatures), on: backend, maxBatch: maxBatch)
    }

    /// Builds `architecture` on `backend` for input samples of `inputShape` (a data set's
    /// `sampleShape`).
    /// - Throws: `DescentError.shapeMismatch` when a layer cannot take the previous one's output,
    ///   `.invalidArgument` for a `maxBatch` below 1.
    public init(
        _ architecture: Sequential, inputShape: SampleShape, on backend: B, maxBatch: Int
    )
        throws
    {
        guard maxBatch >= 1 else {
            throw DescentError.invalidArgument(
                operation: "Model", reason: "the batch size must be at least 1, got \(maxBatch)")
        }
        guard !architecture.layers.isEmpty else {
            throw DescentError.invalidArgument(
                operation: "Model", reason: "a model needs at least one layer")
        }
        self.backend = backend
        self.architecture = architecture
        self.inputShape = inputShape
        self.maxBatch = maxBatch

        var shape = inputShape
        var specs: [(layerIndex: Int, spec: ParameterSpec)] = [], layerShapes: [SampleShape] = []
        for (index, layer) in architecture.layers.enumerated() {
            let output = try layer.outputShape(for: shape)
            specs += layer.parameters(for: shape).map { (index, $0) }
            layerShapes.append(output)
            shape = output
        }
        self.layerShapes = layerShapes
        // Decaying parameters first, then the rest, so that the fused optimizer makes two launches
        // per step (see `parameterGroups`), not one per parameter.
        var offset = 0, offsets = [Int](repeating: 0, count: specs.count)
        for decays in [true, false] {
            for (index, entry) in specs.enumerated() where entry.spec.decays == decays {
                offsets[index] = offset
                offset += Self.paddedCount(entry.spec.count)
            }
        }
        let slots = specs.enumerated().map {
            ParameterSlot(layerIndex: $1.layerIndex, spec: $1.spec, offset: offsets[$0])
        }
        self.slots = slots
        let parameters = try backend.makeBuffer(count: max(offset, 1))
        let gradients = try backend.makeBuffer(count: max(offset, 1))
        self.parameters = parameters
        self.gradients = gradients
        try backend.fill(parameters.view, with: 0)
        try backend.fill(gradients.view, with: 0)

        for (index, slot) in slots.enumerated() {
            try slot.spec.initializer.fill(
                try parameters.view(offset: slot.offset, count: slot.spec.count), on: backend,
                fanIn: slot.spec.fanIn, fanOut: slot.spec.fanOut,
                key: RandomKey(seed: architecture.seed, stream: 1000 + UInt64(index)))
        }
        let seed = architecture.seed, dataParallel = DataParallelStep()
        self.dataParallel = dataParallel
        runtimes = try architecture.layers.enumerated().map { index, layer in
            let mine = slots.filter { $0.layerIndex == index }
            return try layer.makeRuntime(
                LayerContext(
                    backend: backend, inputShape: index == 0 ? inputShape : layerShapes[index - 1],
                    maxBatch: maxBatch,
                    parameters: try mine.map {
                        try parameters.view(offset: $0.offset, count: $0.spec.count)
                    },
                    gradients: try mine.map {
                        try gradients.view(offset: $0.offset, count: $0.spec.count)
                    },
                    index: index, seed: seed, needsInputGradient: index > 0,
                    dataParallel: dataParallel))
        }
    }

    /// The data-parallel step the model takes part in (set by `Trainer.fit` under a
    /// communicator of several ranks), which synchronized batch norm reads.
    public let dataParallel: DataParallelStep

    /// A data-parallel training step this rank has no rows of: the layers that talk to the other
    /// ranks inside the step (synchronized batch norm) join their collectives with nothing, in
    /// the order of a forward and a backward pass; the step counter advances as in a forward pass.
    func sitOutStep() throws {
        for runtime in runtimes { try (runtime as? BatchNormRuntime<B>)?.sitOut(backward: false) }
        for runtime in runtimes.reversed() {
            try (runtime as? BatchNormRuntime<B>)?.sitOut(backward: true)
        }
        trainingSteps += 1
    }

    /// The values of each input sample.
    public var inputFeatures: Int { inputShape.count }
    /// The shape of each output sample.
    public var outputShape: SampleShape { layerShapes.last ?? inputShape }
    /// The values of each output sample.
    public var outputFeatures: Int { outputShape.count }

    /// The number of trainable parameters (without alignment padding).
    public var parameterCount: Int { slots.reduce(0) { $0 + $1.spec.count } }

    /// The forward pass of `batch` rows of `input` (`batch x inputFeatures`); returns the output
    /// (`batch x outputFeatures`), a view valid until the next forward pass.
    /// - Parameter firstRow: in training mode, the rows' place within the step's global batch
    ///   (a rank's `RankSlice` offset in data-parallel training), where random layers draw.
    public func forward(
        _ input: B.View, batch: Int, training: Bool, firstRow: Int = 0
    ) throws
        -> B.View
    {
        guard batch >= 1, batch <= maxBatch else {
            throw DescentError.invalidArgument(
                operation: "Model.forward",
                reason: "the batch of \(batch) rows must be in 1...\(maxBatch)")
        }
        guard input.count == batch * inputFeatures else {
            throw DescentError.shapeMismatch(
                operation: "Model.forward",
                expected: "[\(batch), \(inputFeatures)] input (\(batch * inputFeatures) elements)",
                actual: "\(input.count) elements")
        }
        var x = input
        layerOutputs.removeAll(keepingCapacity: true)
        for runtime in runtimes {
            x = try runtime.forward(
                x, batch: batch, training: training,
                position: DrawPosition(step: trainingSteps, firstRow: firstRow))
            layerOutputs.append(x)
        }
        if training { trainingSteps += 1 }
        return x
    }

    /// The backward pass from the gradient of the loss with respect to the last output; writes
    /// every parameter's gradient into `gradients`.
    public func backward(_ outputGradient: B.View, batch: Int) throws {
        var gradient = outputGradient
        for runtime in runtimes.reversed() {
            gradient = try runtime.backward(gradient, batch: batch)
        }
    }

    /// Two parameter groups (one when every parameter is of one kind): the weights, which take
    /// the optimizer's weight decay, then the biases and normalization parameters, which take
    /// none. The arena holds the two kinds apart, so a fused step makes two launches.
    public var parameterGroups: [ParameterGroup] {
        [true, false].compactMap { decays in
            let mine = slots.filter { $0.spec.decays == decays }
            guard let first = mine.map(\.offset).min(),
                let end = mine.map({ $0.offset + Self.paddedCount($0.spec.count) }).max()
            else {
                return nil
            }
            return ParameterGroup(range: first..<end, weightDecay: decays ? nil : 0)
        }
    }

    /// `count` rounded up to a multiple of `alignment`.
    static func paddedCount(_ count: Int) -> Int {
        (count + alignment - 1) / alignment * alignment
    }

    /// The size of the arenas, padding included.
    public var arenaCount: Int { parameters.count }

    /// A Keras-like summary: each layer, its output shape and its parameter count.
    public var summary: String {
        let shapes = layerShapes.map {
            "[batch, " + $0.dimensions.map(String.init).joined(separator: ", ") + "]"
        }
        let width = max(30, architecture.layers.map(\.description.count).max() ?? 0)
        let shapeWidth = max(19, shapes.map(\.count).max() ?? 0)
        var lines = [
            "Layer".padding(width) + " " + "Output shape".padding(shapeWidth) + " Parameters"
        ]
        for (index, layer) in architecture.layers.enumerated() {
            let count = slots.filter { $0.layerIndex == index }.reduce(0) { $0 + $1.spec.count }
            lines.append(
                layer.description.padding(width) + " " + shapes[index].padding(shapeWidth) + " "
                    + String(count))
        }
        lines.append("Total trainable parameters: \(parameterCount)")
        return lines.joined(separator: "\n")
    }
}

/// A parameter's place in the arena.
public struct ParameterSlot: Sendable, Equatable {
    public let layerIndex: Int
    public let spec: ParameterSpec
    public let offset: Int
}

extension String {
    /// The string, cut or padded with spaces to `width` characters.
    func padding(_ width: Int) -> String {
        count >= width ? String(prefix(width)) : self + String(repeating: " ", count: width - count)
    }
}
