import DescentCore

extension CPUBackend {
    public func activationForward(_ activation: Activation, input: View, output: View) throws {
        try Validation.activationForward(activation, input: input, output: output)
        let x = input.floats, y = output.floats
        for i in 0..<x.count { y[i] = ActivationMath.forward(activation, x[i]) }
    }

    public func activationBackward(
        _ activation: Activation, input: View, output: View, outputGradient: View,
        inputGradient: View
    ) throws {
        try Validation.activationBackward(
            activation, input: input, output: output, outputGradient: outputGradient,
            inputGradient: inputGradient)
        let x = input.floats, y = output.floats, dy = outputGradient.floats,
            dx = inputGradient.floats
        for i in 0..<x.count {
            dx[i] = ActivationMath.derivative(activation, x: x[i], y: y[i]) * dy[i]
        }
    }
}
