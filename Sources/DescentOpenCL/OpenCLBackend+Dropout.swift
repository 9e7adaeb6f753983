import DescentCore

extension OpenCLBackend {
    public func dropoutForward(input: View, output: View, probability: Float, key: RandomKey) throws
    {
        try Validation.dropout(
            "dropoutForward", input: input, output: output, probability: probability)
        try applyDropoutMask(input, output, probability: probability, key: key)
    }

    public func dropoutBackward(
        outputGradient: View, inputGradient: View, probability: Float, key: RandomKey
    ) throws {
        try Validation.dropout(
            "dropoutBackward", input: outputGradient, output: inputGradient,
            probability: probability)
        try applyDropoutMask(outputGradient, inputGradient, probability: probability, key: key)
    }

    /// `dropout_apply`: the forward and the backward pass are the same map.
    private func applyDropoutMask(
        _ source: View, _ destination: View, probability: Float, key: RandomKey
    ) throws {
        try launchElementwise(
            .dropoutApply, count: source.count,
            [
                .int(source.count), .ulong(key.seed), .ulong(key.stream), .ulong(key.offset),
                .float(probability),
                .float(DropoutMask.scale(probability: probability)), .view(source),
                .view(destination),
            ])
    }
}
