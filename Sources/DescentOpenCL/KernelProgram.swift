import DescentKernels

/// The OpenCL programs of Descent: one per kernel file in `Kernels/`, embedded at build time.
enum KernelProgram: String, CaseIterable, Sendable {
    case activation, batchnorm, bias, dropout, elementwise, layernorm, matmul, random, reduction, softmax

    /// The program's OpenCL C source. Programs that draw random numbers start with `philox.cl`,
    /// which holds the generator shared with `Philox.swift` and no kernels.
    var source: String {
        switch self {
        case .activation: KernelSource.activation
        case .batchnorm: KernelSource.batchnorm
        case .bias: KernelSource.bias
        case .dropout: KernelSource.philox + KernelSource.dropout
        case .elementwise: KernelSource.elementwise
        case .layernorm: KernelSource.layernorm
        case .matmul: KernelSource.matmul
        case .random: KernelSource.philox + KernelSource.random
        case .reduction: KernelSource.reduction
        case .softmax: KernelSource.softmax
        }
    }
}
