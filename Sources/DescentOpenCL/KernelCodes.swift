// The numeric codes the kernels switch on, written once. The EmbedKernels build plugin reads
// this file and puts every case at the top of each program as a `#define` named after its type
// and case (`ActivationCode.leakyRelu = 4` becomes `#define ACTIVATION_LEAKY_RELU 4`; a type
// ending in `Code` loses that word), so Swift and OpenCL C cannot disagree. Keep the form the
// plugin reads: `enum NAME: Int32 {`, then one `case name = value` per line, then `}`.

/// `ACTIVATION_*`: the activation a kernel applies (`Kernels/activation_functions.cl`).
enum ActivationCode: Int32, CaseIterable {
    case identity = 0
    case sigmoid = 1
    case tanh = 2
    case relu = 3
    case leakyRelu = 4
    case elu = 5
    case selu = 6
    case softplus = 7
    case gelu = 8
}

/// `LOSS_*`: the elementwise loss of `Kernels/loss.cl`.
enum LossCode: Int32, CaseIterable {
    case binaryCrossEntropy = 0
    case meanSquaredError = 1
    case meanAbsoluteError = 2
    case huber = 3
    case rootMeanSquaredError = 4
}

/// `REDUCE_*`: the reduction of `Kernels/reduction.cl`.
enum ReduceCode: Int32, CaseIterable {
    case sum = 0
    case mean = 1
    case max = 2
    case sumOfSquares = 3
}

/// `OPTIMIZER_FLAG_*`: the bits of the optimizer kernels' `flags` argument.
enum OptimizerFlag: Int32, CaseIterable {
    case keras = 1
    case nesterov = 2
    case centered = 4
    case amsgrad = 8
    case firstStep = 16
}
