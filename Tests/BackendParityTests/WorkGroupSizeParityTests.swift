import DescentCore
import DescentCPU
import DescentOpenCL
import DescentTestSupport
import Testing

/// The row-wise kernels (work-group reductions) and the optimizer step built with the other kind
/// of device's tuning: the rest of the suite runs this device's own (16 items a row and 16
/// parameters a work-item on CPUs, 128 and 4 on GPUs), so both are tested on every device.
@Suite(.requiresOpenCL)
struct WorkGroupSizeParityTests {
    /// A backend with the tuning `OpenCLTuning.forDevice` gives the other kind of device.
    static func otherKindBackend() throws -> OpenCLBackend {
        let device = try OpenCLTestSupport.makeBackend().device
        let other: OpenCLDeviceKind = device.kind == .cpu ? .gpu : .cpu
        // (On a device whose work-groups hold at most 16 items both sizes are 16: a plain rerun.)
        return try OpenCLBackend(
            device: .fromEnvironment,
            tuning: .forDevice(maxWorkGroupSize: device.maxWorkGroupSize, kind: other))
    }

    @Test(arguments: ParityShapes.matrices)
    func rowKernelsMatchReference(shape: MatrixShape) throws {
        let backend = try Self.otherKindBackend(), reference = CPUBackend()
        let softmax = SoftmaxParityTests()
        expectClose(
            try softmax.run(on: backend, shape: shape, logitScale: 3, inPlace: false),
            try softmax.run(on: reference, shape: shape, logitScale: 3, inPlace: false), .reduction,
            "softmax \(shape)")
        let loss = LossParityTests()
        expectClose(
            try loss.crossEntropy(on: backend, shape: shape, smoothing: 0.1, weighted: true),
            try loss.crossEntropy(on: reference, shape: shape, smoothing: 0.1, weighted: true),
            .reduction,
            "cross-entropy \(shape)")
        let normalization = NormalizationParityTests()
        expectClose(
            try normalization.layerNorm(on: backend, shape: shape, inPlace: false),
            try normalization.layerNorm(on: reference, shape: shape, inPlace: false), .reduction,
            "layer norm \(shape)")
        let reduction = ReductionParityTests(), values = TestData.uniform(shape.count, seed: 50)
        for axis in ReductionAxis.allCases {
            expectClose(
                try reduction.reduce(on: backend, .sum, axis: axis, shape: shape, values: values),
                try reduction.reduce(on: reference, .sum, axis: axis, shape: shape, values: values),
                .reduction,
                "sum over \(axis) of \(shape)")
        }
        let quantized = values.map { ($0 * 4).rounded() }
        #expect(
            try reduction.argmax(on: backend, shape: shape, values: quantized)
                == reduction.argmax(on: reference, shape: shape, values: quantized),
            "argmax of \(shape)")
    }

    @Test(arguments: UpdateRuleVariants.all)
    func optimizerStepMatchesReference(variant: UpdateRuleVariant) throws {
        let backend = try Self.otherKindBackend(), optimizer = OptimizerParityTests()
        for count in [1, 33, 1000] {
            expectClose(
                try optimizer.train(on: backend, variant, count: count, clipNorm: nil),
                try optimizer.train(on: CPUBackend(), variant, count: count, clipNorm: nil),
                .elementwise,
                "\(variant.name), \(count) parameters")
        }
    }
}
