import DescentKernels

/// The OpenCL program of Descent: every kernel file in `Kernels/`, embedded at build time and
/// built as one program.
///
/// One program, not one per file: the compiler starts once (PoCL spends ~0.2 s per program
/// before it compiles a line, so thirteen programs cost 2.3 s cold where one costs 1.0 s and a
/// warm load 0.05 s instead of 0.57 s). Drivers such as PoCL compile each kernel's machine code
/// only when it is first launched, so kernels a run never uses cost little.
enum KernelProgram {
    /// The name the program is cached and reported under.
    static let name = "descent"

    /// The build options for `tuning`: its `-D` defines, and `-w`. PoCL's compiler prints a count
    /// of warnings to stderr at every cold build ("78 warnings generated."), every one of them
    /// the note that float16 arguments of its builtins change the ABI without AVX-512, which is
    /// harmless here; without `-w` that line lands in the middle of `descent train`'s output.
    static func options(for tuning: OpenCLTuning) -> String {
        "-w " + tuning.buildOptions
    }

    /// The source: first the files without kernels that others use (`activation_functions.cl`,
    /// `group.cl` for work-group reductions, `philox.cl`, the generator shared with
    /// `Philox.swift`), then every kernel file.
    static let source = [
        KernelSource.activationFunctions, KernelSource.group, KernelSource.philox,
        KernelSource.activation, KernelSource.batchnorm, KernelSource.bias, KernelSource.dropout,
        KernelSource.elementwise, KernelSource.layernorm, KernelSource.loss, KernelSource.matmul,
        KernelSource.optimizer, KernelSource.peak, KernelSource.random, KernelSource.reduction,
        KernelSource.softmax,
    ].joined(separator: "\n")
}
