/// The `__kernel` function of an update rule in `Kernels/optimizer.cl` and the rule's arguments
/// to it, in named slots shared by every rule (a rule leaves the slots it has no use for as they
/// are: false and 0). Every `optimizer_step_*` kernel takes the same parameter list,
/// `OPTIMIZER_PARAMETERS`, so the OpenCL backend launches any rule the same way.
public struct UpdateKernel: Sendable, Equatable {
    /// The kernel function's name, `optimizer_step_<rule>`.
    public var name: String
    /// Keras's form of the rule where it differs from PyTorch's (`OPTIMIZER_FLAG_KERAS`).
    public var keras = false
    /// Nesterov momentum (`OPTIMIZER_FLAG_NESTEROV`).
    public var nesterov = false
    /// RMSprop's centered variance (`OPTIMIZER_FLAG_CENTERED`).
    public var centered = false
    /// Adam's AMSGrad maximum (`OPTIMIZER_FLAG_AMSGRAD`).
    public var amsgrad = false
    /// The first step, where PyTorch's SGD starts its momentum buffer at the gradient
    /// (`OPTIMIZER_FLAG_FIRST_STEP`).
    public var firstStep = false
    public var momentum: Float = 0
    public var dampening: Float = 0
    public var alpha: Float = 0
    public var rho: Float = 0
    public var beta1: Float = 0
    public var beta2: Float = 0
    public var epsilon: Float = 0

    /// The kernel `optimizer_step_<rule>`, every slot at false or 0.
    public init(rule: String) {
        name = "optimizer_step_" + rule
    }
}
