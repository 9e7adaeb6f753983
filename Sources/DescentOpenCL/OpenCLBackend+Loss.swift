import DescentCore

extension OpenCLBackend {
    public func softmaxCrossEntropy(
        logits: View, labels: View, shape: MatrixShape, options: CrossEntropyOptions<Buffer>,
        sampleWeights: View?, outputs: LossOutputs<Buffer>
    ) throws {
        try Validation.softmaxCrossEntropy(
            logits: logits, labels: labels, shape: shape, options: options,
            sampleWeights: sampleWeights, outputs: outputs)
        let rowBuffers = try rowScratch(rows: shape.rows)
        let invalidRow = try scratch(.invalidLabel, count: 1, elementType: .int32)
        try enqueueFill(try invalidRow.view(offset: 0, count: 1), pattern: Int32.max)
        try launch(
            .softmaxCrossEntropyRows, global: [shape.rows * tuning.groupSize],
            local: [tuning.groupSize],
            [
                .int(shape.columns), .float(options.labelSmoothing), .view(logits), .view(labels),
                .optionalView(options.classWeights), .optionalView(sampleWeights),
                .optionalView(outputs.perSampleLoss),
                .optionalView(outputs.inputGradient),
            ] + rowBuffers + [.memory(invalidRow.memory)])
        try launch(
            .recordInvalidLabel, global: [1], local: nil,
            [
                .int(shape.rows), .int(shape.columns), .memory(invalidRow.memory), .view(labels),
                .memory(deviceStatus.memory),
            ])
        expectDeviceStatus()
        try finishLoss(rowBuffers, shape: shape, rootOfMean: false, outputs: outputs)
    }

    public func binaryCrossEntropy(
        logits: View, targets: View, shape: MatrixShape, positiveWeight: View?,
        sampleWeights: View?,
        outputs: LossOutputs<Buffer>
    ) throws {
        try Validation.binaryCrossEntropy(
            logits: logits, targets: targets, shape: shape, positiveWeight: positiveWeight,
            sampleWeights: sampleWeights, outputs: outputs)
        try elementwiseLoss(
            kind: .binaryCrossEntropy, delta: 0, input: logits, targets: targets,
            positiveWeight: positiveWeight, shape: shape,
            sampleWeights: sampleWeights, outputs: outputs)
    }

    public func regressionLoss(
        _ loss: RegressionLoss, predictions: View, targets: View, shape: MatrixShape,
        sampleWeights: View?,
        outputs: LossOutputs<Buffer>
    ) throws {
        try Validation.regressionLoss(
            loss, predictions: predictions, targets: targets, shape: shape,
            sampleWeights: sampleWeights, outputs: outputs)
        let delta: Float = if case .huber(let delta) = loss { delta } else { 0 }
        try elementwiseLoss(
            kind: loss.kernelCode, delta: delta, input: predictions, targets: targets,
            positiveWeight: nil, shape: shape,
            sampleWeights: sampleWeights, outputs: outputs)
    }

    /// `elementwise_loss_rows` for the loss `kind`.
    private func elementwiseLoss(
        kind: LossCode, delta: Float, input: View, targets: View, positiveWeight: View?,
        shape: MatrixShape,
        sampleWeights: View?, outputs: LossOutputs<Buffer>
    ) throws {
        let rowBuffers = try rowScratch(rows: shape.rows)
        try launchElementwise(
            .elementwiseLossRows, count: shape.rows,
            [
                .code(kind), .float(delta), .int(shape.rows), .int(shape.columns), .view(input),
                .view(targets),
                .optionalView(positiveWeight), .optionalView(sampleWeights),
                .optionalView(outputs.perSampleLoss),
                .optionalView(outputs.inputGradient),
            ] + rowBuffers)
        try finishLoss(
            rowBuffers, shape: shape, rootOfMean: kind == .rootMeanSquaredError, outputs: outputs)
    }

    /// The scratch `row_loss` and `row_weight` arguments of the loss kernels, for `rows` samples.
    private func rowScratch(rows: Int) throws -> [KernelArgument] {
        [
            .memory(try scratch(.rowLoss, count: rows).memory),
            .memory(try scratch(.rowWeight, count: rows).memory),
        ]
    }

    /// `loss_finish` and, when a gradient is asked for, `loss_scale_gradient`.
    private func finishLoss(
        _ rowBuffers: [KernelArgument], shape: MatrixShape, rootOfMean: Bool,
        outputs: LossOutputs<Buffer>
    ) throws {
        let scale = try scratch(.lossScale, count: 1)
        try launch(
            .lossFinish, global: [tuning.groupSize], local: [tuning.groupSize],
            [.int(shape.rows), .int(rootOfMean ? 1 : 0)] + rowBuffers + [
                .view(outputs.loss), .memory(scale.memory),
            ])
        guard let gradient = outputs.inputGradient else { return }
        try launchElementwise(
            .lossScaleGradient, count: gradient.count,
            [.int(gradient.count), .memory(scale.memory), .view(gradient)])
    }
}

extension RegressionLoss {
    /// The kernels' code for the loss.
    var kernelCode: LossCode {
        switch self {
        case .meanSquaredError: .meanSquaredError
        case .meanAbsoluteError: .meanAbsoluteError
        case .huber: .huber
        case .rootMeanSquaredError: .rootMeanSquaredError
        }
    }
}

extension OpenCLBackend {
    /// What a scratch buffer is for: each use has its own, so uses never overlap.
    enum ScratchUse: Hashable {
        case rowLoss, rowWeight, lossScale, invalidLabel
    }

    /// A scratch buffer of at least `count` elements for `use`. The in-order queue makes reuse
    /// by later ops safe; a buffer that is replaced by a larger one is freed by OpenCL only after
    /// the kernels already queued on it finish.
    func scratch(
        _ use: ScratchUse, count: Int, elementType: ElementType = .float32
    ) throws -> OpenCLBuffer {
        try scratchBuffers.withLock { buffers in
            if let buffer = buffers[use], buffer.count >= count { return buffer }
            let buffer = try makeBuffer(
                count: max(count, 2 * (buffers[use]?.count ?? 0)), elementType: elementType)
            buffers[use] = buffer
            return buffer
        }
    }
}
