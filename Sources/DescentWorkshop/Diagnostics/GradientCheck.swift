import DescentCore
import DescentCPU
import DescentTraining

/// Numeric gradient checks (seed notes 002, "Gradient checks"; CS231n): the analytic gradient of
/// a model's loss against centered differences `(f(x + h) - f(x - h)) / 2h`, in double precision,
/// on a few samples, per parameter tensor and for the input.
///
/// The check runs on a double-precision twin of the model (`ReferenceLayer`), because a step of
/// 1e-5 is below float32's resolution. `compare(on:data:)` then checks each backend's float32
/// gradients (`Model.backward`, read from the gradient arena) against the twin's analytic ones.
/// Both run in one mode: batch norm in training mode (normalizing with the batch's own
/// statistics), dropout and Gaussian noise off, as the notes advise ("turn off any
/// non-deterministic effects"). Where a step crosses a kink (a ReLU input changes sign between
/// `x - h` and `x + h`) the element is flagged and left out of the verdict: its numeric estimate
/// is meaningless, and the error there is not a bug.
///
/// ```swift
/// let check = GradientCheck(architecture, inputShape: .features(2), loss: .softmaxCrossEntropy)
/// let report = try check.run(data)                  // analytic vs numeric, double precision
/// let gpu = try check.compare(on: OpenCLBackend(), data: data)   // float32 vs the reference
/// ```
public struct GradientCheck: Sendable {
    public var architecture: Sequential
    public var inputShape: SampleShape
    /// The values of each input sample.
    public var inputFeatures: Int { inputShape.count }
    public var loss: LossFunction
    /// The samples of the batch checked: the first ones of the data ("use only few datapoints").
    public var sampleCount: Int
    /// The step `h` of the centered differences (the notes: "approximately 1e-5 or so").
    public var step: Double
    /// At most this many elements of each tensor get a numeric estimate (two forward passes
    /// each), chosen at random with `seed`; smaller tensors are checked in full.
    public var entriesPerTensor: Int
    public var seed: UInt64

    /// The mode both checks run in.
    public static let mode =
        "batch norm in training mode (batch statistics), dropout and Gaussian noise off"

    public init(
        _ architecture: Sequential, inputShape: SampleShape, loss: LossFunction,
        sampleCount: Int = 4,
        step: Double = 1e-5,
        entriesPerTensor: Int = 64, seed: UInt64 = 0
    ) {
        self.architecture = architecture
        self.inputShape = inputShape
        self.loss = loss
        self.sampleCount = sampleCount
        self.step = step
        self.entriesPerTensor = entriesPerTensor
        self.seed = seed
    }

    /// The architecture with dropout and Gaussian noise set to 0 (the identity), so that a
    /// training-mode forward pass is deterministic; the layer indices, and so the parameter
    /// layout and initial weights, stay those of `architecture`.
    public var deterministicArchitecture: Sequential {
        Sequential(
            seed: architecture.seed,
            layers: architecture.layers.map { layer -> any Layer in
                if layer is Dropout { return Dropout(0) }
                if layer is GaussianNoise { return GaussianNoise(0) }
                if layer is RandomCropFlip { return RandomCropFlip(padding: 0, flip: false) }
                return layer
            })
    }

    /// Checks the analytic gradients of the double-precision reference against centered
    /// differences, at `parameters` (a model's arena, `Model.parameters` downloaded) or at the
    /// initial weights.
    /// - Throws: `DescentError.invalidArgument` for a layer without a `ReferenceLayer` conformance
    ///   or labels the loss does not take; errors of building the model.
    public func run(_ data: Dataset, parameters: [Float]? = nil) throws -> GradientCheckReport {
        let batch = try firstSamples(of: data)
        let model = try Model(
            deterministicArchitecture, inputShape: inputShape, on: CPUBackend(),
            maxBatch: batch.sampleCount)
        let arena = try parameters ?? model.backend.download(model.parameters.view)
        let network = try ReferenceNetwork(model, loss: loss)
        let values = try slotValues(arena, model.slots)
        let input = ReferenceMatrix(
            rows: batch.sampleCount, columns: inputFeatures, values: batch.features.map(Double.init)
        )
        let labels = ReferenceLabels(batch)
        let analytic = try network.gradients(input, parameters: values, labels: labels)
        var generator = SplitMix(seed: seed)

        func estimate(
            _ perturbed: (Double) -> (ReferenceMatrix, [[Double]])
        ) throws -> (Double, Bool) {
            let (inputUp, parametersUp) = perturbed(step),
                (inputDown, parametersDown) = perturbed(-step)
            let up = try network.value(inputUp, parameters: parametersUp, labels: labels)
            let down = try network.value(inputDown, parameters: parametersDown, labels: labels)
            let crossed = zip(up.kinks, down.kinks).contains { ($0 > 0) != ($1 > 0) }
            return ((up.loss - down.loss) / (2 * step), crossed)
        }

        var tensors: [TensorGradientCheck] = []
        for (index, slot) in model.slots.enumerated() {
            let entries = try generator.indices(count: slot.spec.count, limit: entriesPerTensor).map
            { element in
                let (numeric, crossed) = try estimate { h in
                    var shifted = values
                    shifted[index][element] += h
                    return (input, shifted)
                }
                return GradientEntry(
                    index: element, analytic: analytic.parameters[index][element], numeric: numeric,
                    crossedKink: crossed)
            }
            tensors.append(
                tensor(
                    Self.name(of: slot, in: architecture), slot.layerIndex, slot.spec.shape, entries
                ))
        }
        let inputEntries = try generator.indices(count: input.values.count, limit: entriesPerTensor)
            .map { element in
                let (numeric, crossed) = try estimate { h in
                    var shifted = input
                    shifted.values[element] += h
                    return (shifted, values)
                }
                return GradientEntry(
                    index: element, analytic: analytic.input.values[element], numeric: numeric,
                    crossedKink: crossed)
            }
        tensors.append(tensor("input", nil, [batch.sampleCount, inputFeatures], inputEntries))
        return GradientCheckReport(tensors: tensors, step: step, mode: Self.mode)
    }

    /// Compares `backend`'s float32 gradients of the model's parameters (one training-mode
    /// forward pass, the loss and `Model.backward`) with the double-precision analytic ones, at
    /// `parameters` or at the initial weights (the same on every backend). The elements of a
    /// tensor pass within `BackendGradientReport`'s tolerance.
    /// - Throws: as `run`, and the backend's errors.
    public func compare<B: Backend>(
        on backend: B, data: Dataset, parameters: [Float]? = nil
    ) throws -> BackendGradientReport {
        let batch = try firstSamples(of: data)
        let model = try Model(
            deterministicArchitecture, inputShape: inputShape, on: backend,
            maxBatch: batch.sampleCount)
        if let parameters { try backend.upload(parameters, to: model.parameters.view) }
        let arena = try parameters ?? backend.download(model.parameters.view)
        let network = try ReferenceNetwork(model, loss: loss)
        let input = ReferenceMatrix(
            rows: batch.sampleCount, columns: inputFeatures, values: batch.features.map(Double.init)
        )
        let reference = try network.gradients(
            input, parameters: try slotValues(arena, model.slots), labels: ReferenceLabels(batch))

        let features = try backend.makeBuffer(batch.features)
        let output = try model.forward(features.view, batch: batch.sampleCount, training: true)
        let gradient = try backend.makeBuffer(count: output.count),
            lossValue = try backend.makeBuffer(count: 1)
        let labels =
            try loss.takesClasses
            ? backend.makeBuffer(batch.classIndices ?? [])
            : backend.makeBuffer(batch.targetValues)
        try loss.enqueue(
            on: backend, output: output, labels: labels.view,
            shape: MatrixShape(rows: batch.sampleCount, columns: model.outputFeatures),
            outputs: LossOutputs(loss: lossValue.view, inputGradient: gradient.view))
        try model.backward(gradient.view, batch: batch.sampleCount)
        let gradients = try backend.download(model.gradients.view)

        let tensors = model.slots.enumerated().map { index, slot in
            let expected = reference.parameters[index]
            let scale = expected.map(abs).max() ?? 0
            let entries = expected.indices.map { element in
                GradientEntry(
                    index: element, analytic: Double(gradients[slot.offset + element]),
                    numeric: expected[element],
                    crossedKink: false)
            }
            let passed = entries.allSatisfy { entry in
                entry.absoluteError <= BackendGradientReport.relativeTolerance * abs(entry.numeric)
                    + BackendGradientReport.scaledTolerance * scale
                    + BackendGradientReport.absoluteTolerance
            }
            return TensorGradientCheck(
                name: Self.name(of: slot, in: architecture), layerIndex: slot.layerIndex,
                shape: slot.spec.shape,
                entries: entries, passed: passed)
        }
        return BackendGradientReport(deviceName: backend.deviceName, tensors: tensors)
    }

    /// `"layer 0 Dense(2, 8, relu) weight"`.
    static func name(of slot: ParameterSlot, in architecture: Sequential) -> String {
        "layer \(slot.layerIndex) \(architecture.layers[slot.layerIndex]) \(slot.spec.name)"
    }

    /// An element passes at a relative error below 1e-4 or an absolute one below 1e-10.
    private func tensor(
        _ name: String, _ layer: Int?, _ shape: [Int], _ entries: [GradientEntry]
    ) -> TensorGradientCheck {
        let passed = entries.allSatisfy {
            $0.crossedKink || $0.band <= .okayWithKinks || $0.isNegligible
        }
        return TensorGradientCheck(
            name: name, layerIndex: layer, shape: shape, entries: entries, passed: passed)
    }

    private func firstSamples(of data: Dataset) throws -> Dataset {
        guard sampleCount >= 1, step > 0, step.isFinite, entriesPerTensor >= 1 else {
            throw DescentError.invalidArgument(
                operation: "GradientCheck",
                reason: "the sample count, step and entries per tensor must be positive")
        }
        guard data.featureCount == inputFeatures else {
            throw DescentError.shapeMismatch(
                operation: "GradientCheck", expected: "\(inputFeatures) features",
                actual: "\(data.featureCount)")
        }
        return try data.gathering(Array(0..<min(sampleCount, data.sampleCount)))
    }

    private func slotValues(_ arena: [Float], _ slots: [ParameterSlot]) throws -> [[Double]] {
        try slots.map { slot in
            guard slot.offset + slot.spec.count <= arena.count else {
                throw DescentError.shapeMismatch(
                    operation: "GradientCheck",
                    expected:
                        "a parameter arena of at least \(slot.offset + slot.spec.count) values",
                    actual: "\(arena.count)")
            }
            return arena[slot.offset..<slot.offset + slot.spec.count].map(Double.init)
        }
    }
}

/// SplitMix64 (Steele, Lea & Flood, 2014): the small seeded generator that picks which elements
/// of a large tensor the gradient check estimates.
struct SplitMix {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Every index of `0..<count` when it has at most `limit`, else `limit` distinct ones in order.
    mutating func indices(count: Int, limit: Int) -> [Int] {
        guard count > limit else { return Array(0..<count) }
        var chosen = Set<Int>()
        while chosen.count < limit { chosen.insert(Int(next() % UInt64(count))) }
        return chosen.sorted()
    }
}
