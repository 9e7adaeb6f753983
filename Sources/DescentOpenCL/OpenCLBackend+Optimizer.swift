import DescentCore

extension OpenCLBackend {
    /// The rule's `optimizer_step_<rule>` of `Kernels/optimizer.cl`: one launch for the whole
    /// group, each work-item updating `tuning.optimizerWidth` consecutive elements.
    public func optimizerStep(
        _ step: OptimizerStep, parameters: View, gradients: View, state: [View],
        gradientScale: View?
    ) throws {
        try Validation.optimizerStep(
            step, parameters: parameters, gradients: gradients, state: state,
            gradientScale: gradientScale)
        guard state.count <= OptimizerKernelArguments.stateSlots else {
            throw DescentError.invalidArgument(
                operation: "optimizerStep",
                reason:
                    "\(step.rule) keeps \(state.count) state arrays; the optimizer kernels take at most \(OptimizerKernelArguments.stateSlots)"
            )
        }
        let kernel = OptimizerKernelArguments(step)
        try launchElementwise(
            kernel.function,
            count: (parameters.count + tuning.optimizerWidth - 1) / tuning.optimizerWidth,
            kernel.arguments(
                count: parameters.count, gradientScale: gradientScale, parameters: parameters,
                gradients: gradients, state: state))
    }

    public func clipScaleForGlobalNorm(gradients: View, maxNorm: Float, scale: View) throws {
        try Validation.clipScale(gradients: gradients, maxNorm: maxNorm, scale: scale)
        try reduce(
            .sumOfSquares, gradients, axis: .all, output: scale,
            shape: MatrixShape(rows: 1, columns: max(gradients.count, 1)))
        try launch(.clipScaleFinish, global: [1], local: nil, [.float(maxNorm), .view(scale)])
    }

    public func maxNormConstraint(weights: View, shape: MatrixShape, maxNorm: Float) throws {
        try Validation.maxNorm(weights: weights, shape: shape, maxNorm: maxNorm)
        try launchElementwise(
            .maxNorm, count: shape.columns,
            [.int(shape.rows), .int(shape.columns), .float(maxNorm), .view(weights)])
    }
}
