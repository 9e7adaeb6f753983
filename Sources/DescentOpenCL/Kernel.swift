/// Every kernel of `Kernels/` but the optimizers' update rules, named as its `__kernel` function
/// is, so a misspelt or missing name is a compile error, not a failed `clCreateKernel` at run
/// time. Each update rule names its own `optimizer_step_*` kernel (`UpdateRule.kernel`).
/// `KernelTests` creates every case and every rule's kernel on every driver of the device matrix
/// and checks that the sources hold no kernel beyond those.
enum Kernel: String, CaseIterable, Sendable {
    case activationForward = "activation_forward"
    case activationForwardPiecewiseLinear = "activation_forward_piecewise_linear"
    case activationBackward = "activation_backward"
    case activationBackwardPiecewiseLinear = "activation_backward_piecewise_linear"
    case addBias = "add_bias"
    case augmentImages = "augment_images"
    case batchnormForwardTraining = "batchnorm_forward_training"
    case batchnormInference = "batchnorm_inference"
    case batchnormBackward = "batchnorm_backward"
    case batchnormInputGradient = "batchnorm_input_gradient"
    case convolutionIm2col = "convolution_im2col"
    case convolutionCol2im = "convolution_col2im"
    case convolutionToNCHW = "convolution_to_nchw"
    case convolutionToChannelMajor = "convolution_to_channel_major"
    case dropoutApply = "dropout_apply"
    case elementwiseAdd = "elementwise_add"
    case elementwiseSubtract = "elementwise_subtract"
    case elementwiseMultiply = "elementwise_multiply"
    case scale = "scale"
    case axpy = "axpy"
    case layernormForward = "layernorm_forward"
    case layernormBackwardParameters = "layernorm_backward_parameters"
    case layernormBackwardInput = "layernorm_backward_input"
    case softmaxForward = "softmax_forward"
    case softmaxBackward = "softmax_backward"
    case softmaxCrossEntropyRows = "softmax_cross_entropy_rows"
    case recordInvalidLabel = "record_invalid_label"
    case elementwiseLossRows = "elementwise_loss_rows"
    case lossFinish = "loss_finish"
    case lossScaleGradient = "loss_scale_gradient"
    case reduceAllPartial = "reduce_all_partial"
    case reduceAllFinal = "reduce_all_final"
    case reduceRows = "reduce_rows"
    case reduceColumns = "reduce_columns"
    case argmaxRows = "argmax_rows"
    case clipScaleFinish = "clip_scale_finish"
    case maxNorm = "max_norm"
    case maxPoolForward = "max_pool_forward"
    case averagePoolForward = "average_pool_forward"
    case maxPoolBackward = "max_pool_backward"
    case maxPoolBackwardDisjoint = "max_pool_backward_disjoint"
    case averagePoolBackward = "average_pool_backward"
    case randomUniform = "random_uniform"
    case randomNormal = "random_normal"
    case streamCopy = "stream_copy"
    case fmaChain = "fma_chain"
    // matmul.cl
    case matmulTiled = "matmul_tiled"
    case matmulBlocked = "matmul_blocked"
    case matmulBlockedDot = "matmul_blocked_dot"
    case denseForward = "dense_forward"
    case denseForwardBlocked = "dense_forward_blocked"
    case denseForwardBlockedPiecewiseLinear = "dense_forward_blocked_piecewise_linear"

    /// The program that holds the kernel: the products and the fused dense forward of
    /// `matmul.cl` are built with the matmul variant's tunables, everything else in one program.
    var program: KernelProgram { matmulStrategy == nil ? .core : .matmul }

    /// The matmul strategy whose build of `matmul.cl` defines the kernel (each strategy's
    /// kernels are behind its `MATMUL_*` define); nil for the kernels of the core program.
    var matmulStrategy: OpenCLTuning.MatmulStrategy? {
        switch self {
        case .matmulTiled, .denseForward: .tiled
        case .matmulBlocked, .matmulBlockedDot, .denseForwardBlocked,
            .denseForwardBlockedPiecewiseLinear:
            .registerBlocked
        case .activationForward, .activationForwardPiecewiseLinear, .activationBackward,
            .activationBackwardPiecewiseLinear, .addBias, .augmentImages, .batchnormForwardTraining,
            .batchnormInference, .batchnormBackward, .batchnormInputGradient, .convolutionIm2col,
            .convolutionCol2im,
            .convolutionToNCHW, .convolutionToChannelMajor, .dropoutApply, .elementwiseAdd,
            .elementwiseSubtract, .elementwiseMultiply, .scale, .axpy, .layernormForward,
            .layernormBackwardParameters, .layernormBackwardInput, .softmaxForward,
            .softmaxBackward, .softmaxCrossEntropyRows, .recordInvalidLabel, .elementwiseLossRows,
            .lossFinish, .lossScaleGradient, .reduceAllPartial, .reduceAllFinal, .reduceRows,
            .reduceColumns, .argmaxRows, .clipScaleFinish, .maxNorm, .maxPoolForward,
            .averagePoolForward,
            .maxPoolBackward, .maxPoolBackwardDisjoint, .averagePoolBackward, .randomUniform,
            .randomNormal,
            .streamCopy, .fmaChain:
            nil
        }
    }
}
