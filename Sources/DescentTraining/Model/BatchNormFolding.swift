#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

extension Model {
    /// An inference model in which every `BatchNorm` that directly follows a linear `Dense` (one
    /// without its own activation) is folded into it: with `s = gamma / sqrt(running var + eps)`,
    /// the weights become `W s` (column by column) and the bias `(b - running mean) s + beta`. The
    /// result has one layer and one pass less per folded pair and predicts the same in inference
    /// mode, within rounding. Other layers, a BatchNorm after a nonlinear Dense included, are
    /// copied with their parameters and running statistics.
    public func foldingBatchNorm() throws -> Model<B> {
        var layers: [any Layer] = []
        var values: [[Float]] = []
        var index = 0
        while index < architecture.layers.count {
            let layer = architecture.layers[index]
            let own = try parameterValues(ofLayer: index)
            if let dense = layer as? Dense, dense.activation == .identity,
                index + 1 < architecture.layers.count,
                let norm = architecture.layers[index + 1] as? BatchNorm
            {
                guard let runtime = runtimes[index + 1] as? BatchNormRuntime<B> else {
                    throw DescentError.invalidArgument(
                        operation: "foldingBatchNorm",
                        reason: "layer \(index + 1) is not built as a BatchNorm")
                }
                let normValues = try parameterValues(ofLayer: index + 1)
                let (gamma, beta) = (normValues[0], normValues[1])
                let mean = try backend.download(runtime.runningMean.view)
                let variance = try backend.download(runtime.runningVariance.view)
                let scale = (0..<norm.features).map {
                    gamma[$0] / sqrtf(variance[$0] + norm.hyperparameters.epsilon)
                }
                let weights = own[0].enumerated().map {
                    $0.element * scale[$0.offset % dense.outputs]
                }
                let bias = dense.useBias ? own[1] : [Float](repeating: 0, count: dense.outputs)
                let foldedBias = (0..<dense.outputs).map {
                    (bias[$0] - mean[$0]) * scale[$0] + beta[$0]
                }
                var folded = dense
                folded.useBias = true
                layers.append(folded)
                values += [weights, foldedBias]
                index += 2
            } else {
                layers.append(layer)
                values += own
                index += 1
            }
        }
        let model = try Model(
            Sequential(seed: architecture.seed, layers: layers), inputFeatures: inputFeatures,
            on: backend, maxBatch: maxBatch)
        for (slot, value) in zip(model.slots, values) {
            try backend.upload(
                value, to: try model.parameters.view(offset: slot.offset, count: slot.spec.count))
        }
        try model.copyRunningStatistics(from: self)
        return model
    }

    /// The values of each parameter of layer `index`, in the layer's order. Synchronizing.
    func parameterValues(ofLayer index: Int) throws -> [[Float]] {
        try slots.filter { $0.layerIndex == index }.map {
            try backend.download(try parameters.view(offset: $0.offset, count: $0.spec.count))
        }
    }

    /// Copies the running statistics of the unfolded batch norms of `source`, in order.
    private func copyRunningStatistics(from source: Model<B>) throws {
        let targets = runtimes.compactMap { $0 as? BatchNormRuntime<B> }
        let sources = source.runtimes.enumerated().compactMap {
            index, runtime -> BatchNormRuntime<B>? in
            guard let norm = runtime as? BatchNormRuntime<B> else { return nil }
            let folded =
                index > 0 && source.architecture.layers[index - 1] is Dense
                && (source.architecture.layers[index - 1] as? Dense)?.activation == .identity
            return folded ? nil : norm
        }
        for (target, origin) in zip(targets, sources) {
            try backend.copy(origin.runningMean.view, to: target.runningMean.view)
            try backend.copy(origin.runningVariance.view, to: target.runningVariance.view)
        }
    }
}
