import DescentKernels

/// The OpenCL programs of Descent: one per kernel file in `Kernels/`, embedded at build time.
enum KernelProgram: String, CaseIterable, Sendable {
    case activation, batchnorm, bias, dropout, elementwise, layernorm, loss, matmul, optimizer, peak, random, reduction, softmax

    /// The program's OpenCL C source. Files without kernels are prepended where needed:
    /// `philox.cl` (the generator shared with `Philox.swift`) to the programs that draw random
    /// numbers, `group.cl` (work-group reductions) to the row-wise ones, and
    /// `activation_functions.cl` to those that apply an activation.
    var source: String {
        switch self {
        case .activation: KernelSource.activationFunctions + KernelSource.activation
        case .batchnorm: KernelSource.batchnorm
        case .bias: KernelSource.bias
        case .dropout: KernelSource.philox + KernelSource.dropout
        case .elementwise: KernelSource.elementwise
        case .layernorm: KernelSource.group + KernelSource.layernorm
        case .loss: KernelSource.group + KernelSource.activationFunctions + KernelSource.loss
        case .matmul: KernelSource.activationFunctions + KernelSource.matmul
        case .optimizer: KernelSource.optimizer
        case .peak: KernelSource.peak
        case .random: KernelSource.philox + KernelSource.random
        case .reduction: KernelSource.reduction
        case .softmax: KernelSource.group + KernelSource.softmax
        }
    }
}
