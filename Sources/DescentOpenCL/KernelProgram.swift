import DescentKernels

/// The OpenCL programs of Descent: one per file in `Kernels/`, embedded at build time.
enum KernelProgram: String, CaseIterable, Sendable {
    case activation, bias, elementwise, matmul, random, reduction, softmax

    /// The program's OpenCL C source.
    var source: String {
        switch self {
        case .activation: KernelSource.activation
        case .bias: KernelSource.bias
        case .elementwise: KernelSource.elementwise
        case .matmul: KernelSource.matmul
        case .random: KernelSource.random
        case .reduction: KernelSource.reduction
        case .softmax: KernelSource.softmax
        }
    }
}
