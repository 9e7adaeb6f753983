import DescentKernels

/// Descent's OpenCL programs: every kernel file in `Kernels/`, embedded at build time, built as
/// two programs: the matrix products, and everything else.
///
/// Few programs, not one per file: the compiler starts once per program (PoCL spends ~0.2 s per
/// program before it compiles a line, so thirteen programs cost 2.3 s cold where one costs 1.0 s
/// and a warm load 0.05 s instead of 0.57 s). The products are a program of their own because
/// they are what the matmul variants change: the autotuner builds one program per candidate, and
/// a driver that compiles every kernel of a program at build time (Intel's CPU runtime: ~10 s for
/// all of Descent's) then compiles only matmul.cl per candidate. Drivers such as PoCL compile each
/// kernel's machine code only when it is first launched, so kernels a run never uses cost little.
enum KernelProgram: CaseIterable {
    /// Every kernel but the products: activations, normalization, losses, optimizers, reductions...
    case core
    /// The products and the fused dense forward (`matmul.cl`), built with the matmul variant's
    /// tunables.
    case matmul

    /// The name the program is cached and reported under.
    var name: String {
        switch self {
        case .core: "descent"
        case .matmul: "descent-matmul"
        }
    }

    /// The build options for `tuning`: the `-D` defines this program's files read, and `-w`.
    /// PoCL's compiler prints a count of warnings to stderr at every cold build ("78 warnings
    /// generated."), every one of them the note that float16 arguments of its builtins change the
    /// ABI without AVX-512, which is harmless here; without `-w` that line lands in the middle of
    /// `descent train`'s output.
    func options(for tuning: OpenCLTuning) -> String {
        switch self {
        case .core: "-w " + tuning.coreBuildOptions
        case .matmul: "-w " + tuning.matmulBuildOptions
        }
    }

    /// The source: first the numeric codes generated from `KernelCodes.swift`, then the files
    /// without kernels that others use (`activation_functions.cl`,
    /// `group.cl` for work-group reductions, `philox.cl`, the generator shared with
    /// `Philox.swift`), then the kernel files.
    var source: String {
        switch self {
        case .core: Self.coreSource
        case .matmul: Self.matmulSource
        }
    }

    private static let coreSource = [
        KernelSource.codes, KernelSource.activationFunctions, KernelSource.group,
        KernelSource.philox,
        KernelSource.activation, KernelSource.augmentation, KernelSource.batchnorm,
        KernelSource.bias,
        KernelSource.convolution, KernelSource.dropout, KernelSource.elementwise,
        KernelSource.layernorm, KernelSource.loss, KernelSource.optimizer, KernelSource.peak,
        KernelSource.pooling, KernelSource.random, KernelSource.reduction, KernelSource.softmax,
    ].joined(separator: "\n")

    private static let matmulSource = [
        KernelSource.codes, KernelSource.activationFunctions, KernelSource.matmul,
    ].joined(separator: "\n")
}
