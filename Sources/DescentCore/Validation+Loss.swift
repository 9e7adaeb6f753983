/// Operand checks of the losses.
extension Validation {
    public static func softmaxCrossEntropy<Buffer>(
        logits: BufferView<Buffer>, labels: BufferView<Buffer>, shape: MatrixShape,
        options: CrossEntropyOptions<Buffer>, sampleWeights: BufferView<Buffer>?,
        outputs: LossOutputs<Buffer>
    ) throws {
        let name = "softmaxCrossEntropy"
        try lossOperands(
            name, input: logits, inputName: "logits", shape: shape, sampleWeights: sampleWeights,
            outputs: outputs)
        try operand(labels, "labels", of: name, count: shape.rows, type: .int32)
        if let classWeights = options.classWeights {
            try operand(classWeights, "class weights", of: name, count: shape.columns)
        }
        try outputsDisjoint(
            name, outputs, from: [("labels", labels), ("class weights", options.classWeights)])
        guard options.labelSmoothing >= 0 && options.labelSmoothing <= 1 else {
            throw DescentError.invalidArgument(
                operation: name,
                reason: "label smoothing must be in [0, 1], got \(options.labelSmoothing)")
        }
    }

    public static func binaryCrossEntropy<Buffer>(
        logits: BufferView<Buffer>, targets: BufferView<Buffer>, shape: MatrixShape,
        positiveWeight: BufferView<Buffer>?,
        sampleWeights: BufferView<Buffer>?, outputs: LossOutputs<Buffer>
    ) throws {
        let name = "binaryCrossEntropy"
        try lossOperands(
            name, input: logits, inputName: "logits", shape: shape, sampleWeights: sampleWeights,
            outputs: outputs)
        try operand(targets, "targets", of: name, shape: shape)
        if let positiveWeight {
            try operand(positiveWeight, "positive weight", of: name, count: shape.columns)
        }
        try outputsDisjoint(
            name, outputs, from: [("targets", targets), ("positive weight", positiveWeight)])
    }

    public static func regressionLoss<Buffer>(
        _ loss: RegressionLoss, predictions: BufferView<Buffer>, targets: BufferView<Buffer>,
        shape: MatrixShape,
        sampleWeights: BufferView<Buffer>?, outputs: LossOutputs<Buffer>
    ) throws {
        let name = "regressionLoss(\(loss))"
        try lossOperands(
            name, input: predictions, inputName: "predictions", shape: shape,
            sampleWeights: sampleWeights, outputs: outputs)
        try operand(targets, "targets", of: name, shape: shape)
        try outputsDisjoint(name, outputs, from: [("targets", targets)])
        if case .huber(let delta) = loss, !(delta.isFinite && delta > 0) {
            throw DescentError.invalidArgument(
                operation: name, reason: "Huber's delta must be finite and > 0, got \(delta)")
        }
    }

    /// The message for the first label outside `[0, classes)`, shared by every backend.
    public static func invalidLabelReason(label: Int32, sample: Int, classes: Int) -> String {
        "label \(label) of sample \(sample) is outside [0, \(classes)); labels must be class indices 0..<\(classes)"
    }

    /// Checks that no output of a loss shares an element with one of its (optional) operands.
    private static func outputsDisjoint<Buffer>(
        _ name: String, _ outputs: LossOutputs<Buffer>,
        from operands: [(String, BufferView<Buffer>?)]
    ) throws {
        let written = [
            ("loss", outputs.loss), ("per-sample loss", outputs.perSampleLoss),
            ("input gradient", outputs.inputGradient),
        ]
        for (outputName, output) in written {
            guard let output else { continue }
            for (operandName, operand) in operands {
                if let operand {
                    try disjoint(output, operand, "\(outputName) and \(operandName)", of: name)
                }
            }
        }
    }

    private static func lossOperands<Buffer>(
        _ name: String, input: BufferView<Buffer>, inputName: String, shape: MatrixShape,
        sampleWeights: BufferView<Buffer>?, outputs: LossOutputs<Buffer>
    ) throws {
        try self.shape(shape, of: name)
        try operand(input, inputName, of: name, shape: shape)
        try operand(outputs.loss, "loss", of: name, count: 1)
        if let sampleWeights {
            try operand(sampleWeights, "sample weights", of: name, count: shape.rows)
        }
        if let perSample = outputs.perSampleLoss {
            try operand(perSample, "per-sample loss", of: name, count: shape.rows)
        }
        if let gradient = outputs.inputGradient {
            try operand(gradient, "input gradient", of: name, shape: shape)
        }
        try outputsDisjoint(
            name, outputs, from: [(inputName, input), ("sample weights", sampleWeights)])
        let written = [
            ("loss", outputs.loss), ("per-sample loss", outputs.perSampleLoss),
            ("input gradient", outputs.inputGradient),
        ]
        .compactMap { name, view in view.map { (name, $0) } }
        for (index, first) in written.enumerated() {
            for second in written[(index + 1)...] {
                try disjoint(first.1, second.1, "\(first.0) and \(second.0)", of: name)
            }
        }
    }
}
