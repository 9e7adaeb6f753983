#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentTraining

/// The labels of a batch in the double-precision reference.
public enum ReferenceLabels: Sendable, Equatable {
    case classes([Int])
    /// Row-major `batch x outputs` targets.
    case targets([Double])

    /// The labels of `data`, as the reference takes them.
    init(_ data: Dataset) {
        if let classes = data.classIndices {
            self = .classes(classes.map(Int.init))
        } else {
            self = .targets((data.targets ?? []).map(Double.init))
        }
    }

    /// The labels as `loss` reads them: binary cross-entropy takes class labels 0/1 as targets,
    /// as `Trainer` does for a two-class task with one output.
    func read(by loss: LossFunction) -> ReferenceLabels {
        if loss == .binaryCrossEntropy, case .classes(let classes) = self {
            return .targets(classes.map(Double.init))
        }
        return self
    }
}

extension LossFunction {
    /// The mean loss over the batch in double precision, the same formulas as the backends'
    /// (`Backend.softmaxCrossEntropy`, `.binaryCrossEntropy`, `.regressionLoss`) without weights.
    /// Appends the kinks it evaluated (the residuals of the mean absolute error) to `kinks`.
    func referenceValue(
        _ output: ReferenceMatrix, labels: ReferenceLabels, kinks: inout [Double]
    ) throws -> Double {
        let (n, d) = (Double(output.rows), Double(output.columns))
        switch (self, labels.read(by: self)) {
        case (.softmaxCrossEntropy(let smoothing), .classes(let classes)):
            let eps = Double(smoothing)
            var total = 0.0
            for r in 0..<output.rows {
                let negativeLog = Self.negativeLogSoftmax(output, row: r)
                total += (1 - eps) * negativeLog[classes[r]] + eps / d * negativeLog.reduce(0, +)
            }
            return total / n
        case (.binaryCrossEntropy, .targets(let t)):
            var total = 0.0
            for (z, t) in zip(output.values, t) {
                total += (1 - t) * z + log1p(exp(-abs(z))) + max(-z, 0)
            }
            return total / (n * d)
        case (.regression(let loss), .targets(let t)):
            var total = 0.0
            for (p, t) in zip(output.values, t) {
                let x = p - t
                switch loss {
                case .meanSquaredError, .rootMeanSquaredError: total += x * x
                case .meanAbsoluteError:
                    kinks.append(x)
                    total += abs(x)
                case .huber(let delta):
                    let delta = Double(delta)
                    total += abs(x) < delta ? 0.5 * x * x : delta * (abs(x) - 0.5 * delta)
                }
            }
            return loss == .rootMeanSquaredError ? sqrt(total / (n * d)) : total / (n * d)
        default:
            throw DescentError.invalidArgument(
                operation: "GradientCheck", reason: "\(self) does not take these labels")
        }
    }

    /// The gradient of `referenceValue` with respect to the output.
    func referenceGradient(
        _ output: ReferenceMatrix, labels: ReferenceLabels
    ) throws -> ReferenceMatrix {
        let (n, d) = (Double(output.rows), Double(output.columns))
        var gradient = output
        switch (self, labels.read(by: self)) {
        case (.softmaxCrossEntropy(let smoothing), .classes(let classes)):
            let eps = Double(smoothing)
            for r in 0..<output.rows {
                let negativeLog = Self.negativeLogSoftmax(output, row: r)
                for c in 0..<output.columns {
                    let p = exp(-negativeLog[c])
                    gradient[r, c] =
                        ((1 - eps) * (p - (c == classes[r] ? 1 : 0)) + eps * (p - 1 / d)) / n
                }
            }
        case (.binaryCrossEntropy, .targets(let t)):
            for i in gradient.values.indices {
                gradient.values[i] =
                    ((1 - t[i]) - ActivationMath.sigmoid(-output.values[i])) / (n * d)
            }
        case (.regression(let loss), .targets(let t)):
            var meanSquare = 0.0
            for (p, t) in zip(output.values, t) { meanSquare += (p - t) * (p - t) / (n * d) }
            for i in gradient.values.indices {
                let x = output.values[i] - t[i]
                let derivative: Double
                switch loss {
                case .meanSquaredError: derivative = 2 * x
                case .rootMeanSquaredError: derivative = meanSquare > 0 ? x / sqrt(meanSquare) : 0
                case .meanAbsoluteError: derivative = x > 0 ? 1 : x < 0 ? -1 : 0
                case .huber(let delta):
                    let delta = Double(delta)
                    derivative = abs(x) < delta ? x : (x > 0 ? delta : -delta)
                }
                gradient.values[i] = derivative / (n * d)
            }
        default:
            throw DescentError.invalidArgument(
                operation: "GradientCheck", reason: "\(self) does not take these labels")
        }
        return gradient
    }

    /// `-log p_c` of row `row`, as `(max - z_c) + log sum e^(z - max)`.
    private static func negativeLogSoftmax(_ z: ReferenceMatrix, row: Int) -> [Double] {
        let logits = (0..<z.columns).map { z[row, $0] }
        let top = logits.max() ?? 0
        let logSum = log(logits.reduce(0) { $0 + exp($1 - top) })
        return logits.map { (top - $0) + logSum }
    }
}

/// A `Sequential` model evaluated in double precision: the loss of a batch and its analytic
/// gradients with respect to every parameter and to the input.
struct ReferenceNetwork {
    let layers: [any ReferenceLayer]
    let loss: LossFunction
    /// For each layer, the indices of its parameters in the model's slot order.
    let slotsOfLayer: [[Int]]
    /// Each layer's input sample shape.
    let inputShapes: [SampleShape]

    /// - Throws: `DescentError.invalidArgument` naming a layer that is not a `ReferenceLayer`.
    init(_ model: Model<some Backend>, loss: LossFunction) throws {
        let architecture = model.architecture, slots = model.slots
        inputShapes = [model.inputShape] + model.layerShapes.dropLast()
        layers = try architecture.layers.map { layer in
            guard let reference = layer as? any ReferenceLayer else {
                throw DescentError.invalidArgument(
                    operation: "GradientCheck",
                    reason:
                        "\(layer) has no double-precision reference: conform it to ReferenceLayer")
            }
            return reference
        }
        self.loss = loss
        slotsOfLayer = architecture.layers.indices.map { layer in
            slots.indices.filter { slots[$0].layerIndex == layer }
        }
    }

    /// The mean loss of the batch, with the kinks every layer and the loss evaluated.
    func value(
        _ input: ReferenceMatrix, parameters: [[Double]], labels: ReferenceLabels
    ) throws -> (loss: Double, kinks: [Double]) {
        var kinks: [Double] = [], x = input
        for (index, (layer, slots)) in zip(layers, slotsOfLayer).enumerated() {
            x.sampleShape = inputShapes[index]
            x = try layer.referenceForward(
                x, parameters: slots.map { parameters[$0] }, kinks: &kinks)
        }
        return (try loss.referenceValue(x, labels: labels, kinks: &kinks), kinks)
    }

    /// The analytic gradients of the mean loss: one array per parameter slot, and the input's.
    func gradients(
        _ input: ReferenceMatrix, parameters: [[Double]], labels: ReferenceLabels
    ) throws -> (parameters: [[Double]], input: ReferenceMatrix) {
        var inputs: [ReferenceMatrix] = [], x = input, unused: [Double] = []
        for (index, (layer, slots)) in zip(layers, slotsOfLayer).enumerated() {
            x.sampleShape = inputShapes[index]
            inputs.append(x)
            x = try layer.referenceForward(
                x, parameters: slots.map { parameters[$0] }, kinks: &unused)
        }
        var gradient = try loss.referenceGradient(x, labels: labels)
        var result = parameters.map { [Double](repeating: 0, count: $0.count) }
        for index in layers.indices.reversed() {
            let slots = slotsOfLayer[index]
            let (dx, dp) = try layers[index].referenceBackward(
                inputs[index], parameters: slots.map { parameters[$0] }, outputGradient: gradient)
            for (slot, values) in zip(slots, dp) { result[slot] = values }
            gradient = dx
        }
        return (result, gradient)
    }
}
