/// A `__kernel` function as the backend creates and caches it: its name and the program that
/// defines it. The fixed kernels are the cases of `Kernel`; an optimizer's update rule names its
/// own `optimizer_step_*` kernel (`UpdateKernel`), so that a new rule needs no case here.
struct KernelFunction: Hashable, Sendable {
    let name: String
    let program: KernelProgram
}

extension Kernel {
    /// The function this case names.
    var function: KernelFunction { KernelFunction(name: rawValue, program: program) }
}
