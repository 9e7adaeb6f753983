import DescentCore

extension CPUBackend {
    public func dropoutForward(input: View, output: View, probability: Float, key: RandomKey) throws
    {
        try Validation.dropout(
            "dropoutForward", input: input, output: output, probability: probability)
        applyDropoutMask(input.floats, output.floats, probability: probability, key: key)
    }

    public func dropoutBackward(
        outputGradient: View, inputGradient: View, probability: Float, key: RandomKey
    ) throws {
        try Validation.dropout(
            "dropoutBackward", input: outputGradient, output: inputGradient,
            probability: probability)
        applyDropoutMask(
            outputGradient.floats, inputGradient.floats, probability: probability, key: key)
    }

    /// `destination[i] = source[i] * scale` where the mask keeps element i, else 0: the forward
    /// and the backward pass are the same map.
    private func applyDropoutMask(
        _ source: UnsafeMutableBufferPointer<Float>,
        _ destination: UnsafeMutableBufferPointer<Float>,
        probability: Float, key: RandomKey
    ) {
        let scale = DropoutMask.scale(probability: probability)
        for i in 0..<source.count {
            let kept = DropoutMask.keeps(
                index: key.offset &+ UInt64(i), seed: key.seed, stream: key.stream,
                probability: probability)
            destination[i] = kept ? source[i] * scale : 0
        }
    }
}
