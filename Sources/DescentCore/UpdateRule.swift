/// The per-element update rule of a fused optimizer step: everything about one rule, written in
/// the one file of the optimizer that uses it (`Sources/DescentTraining/Optimizers/`), plus its
/// `__kernel` function in `Kernels/optimizer.cl`.
///
/// Both backends run the same steps around the rule (see `OptimizerStep`): the gradient is
/// scaled, clipped and penalized, and the decoupled weight decay is applied, before the rule
/// sees them. Notation in the rules' documentation: `w` a parameter, `g` its gradient after those,
/// `lr` the step's learning rate, `t` the 1-based step number. State arrays (`m`, `v`, ...) have
/// the parameters' layout.
///
/// Adding a rule: write its optimizer type conforming to `Optimizer` and `UpdateRule` in a file of
/// its own, and its kernel `optimizer_step_<name>` with `OPTIMIZER_BEGIN` and `OPTIMIZER_END`; a
/// hyperparameter or flag that none of `UpdateKernel`'s slots fits gets a new slot there. Then
/// list it in the tests' `UpdateRuleVariants` (parity on every driver, its kernel created) and,
/// to offer it to `descent train`, in the CLI's `OptimizerChoice`.
public protocol UpdateRule: Sendable, CustomStringConvertible {
    /// How many state arrays the rule keeps, laid out like the parameters.
    var stateCount: Int { get }
    /// Throws `DescentError.invalidArgument` naming a hyperparameter out of its range.
    func checkHyperparameters(_ check: HyperparameterCheck) throws
    /// The per-step scalars at step `stepNumber` with learning rate `learningRate`, computed on
    /// the host in Double (bias corrections, schedules of the rule's own).
    func scalars(learningRate: Double, stepNumber: Int) -> OptimizerScalars
    /// The OpenCL kernel of the rule and its arguments at step `stepNumber`.
    func kernel(stepNumber: Int) -> UpdateKernel
    /// The reference update, which the CPU backend runs and the kernel must match: updates
    /// `arrays.parameters` and `arrays.state` in place from `arrays.gradients`.
    func apply(
        to arrays: UpdateArrays, learningRate: Float, stepNumber: Int, scalars: OptimizerScalars)
}

extension UpdateRule {
    /// The step size is the learning rate, and the other scalars are unused.
    public func scalars(learningRate: Double, stepNumber: Int) -> OptimizerScalars {
        OptimizerScalars(stepSize: Float(learningRate))
    }
}

/// The arrays one update rule works on, as the CPU reference hands them over: all of one length.
public struct UpdateArrays {
    /// The parameters, after the decoupled weight decay; the rule updates them.
    public let parameters: UnsafeMutableBufferPointer<Float>
    /// The gradient after the global-norm scale, clipping and the coupled penalties.
    public let gradients: UnsafeBufferPointer<Float>
    /// The rule's state arrays, `stateCount` of them, in the order its documentation gives.
    public let state: [UnsafeMutableBufferPointer<Float>]

    public init(
        parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
        state: [UnsafeMutableBufferPointer<Float>]
    ) {
        self.parameters = parameters
        self.gradients = gradients
        self.state = state
    }

    /// How many elements each array has.
    public var count: Int { parameters.count }
}

/// The checks a rule runs on its hyperparameters, each throwing
/// `DescentError.invalidArgument` for `operation` with the value named.
public struct HyperparameterCheck: Sendable {
    /// The operation that is refused, as errors name it.
    public let operation: String

    public init(operation: String) {
        self.operation = operation
    }

    public func require(_ condition: Bool, _ reason: @autoclosure () -> String) throws {
        if !condition { throw DescentError.invalidArgument(operation: operation, reason: reason()) }
    }

    /// `value` is finite and >= 0.
    public func nonNegative(_ value: Float, _ name: String) throws {
        try require(value.isFinite && value >= 0, "\(name) must be finite and >= 0, got \(value)")
    }

    /// `value` is a decay rate in [0, 1), as betas, rho and alpha are.
    public func decayRate(_ value: Float, _ name: String) throws {
        try require(value >= 0 && value < 1, "\(name) must be in [0, 1), got \(value)")
    }

    /// `value` is finite and > 0, as an epsilon is.
    public func epsilon(_ value: Float) throws {
        try require(value.isFinite && value > 0, "epsilon must be finite and > 0, got \(value)")
    }

    /// The two moment decay rates and the epsilon of Adam's family (Adam, AdaMax, Nadam).
    public func moments(beta1: Float, beta2: Float, epsilon: Float) throws {
        try decayRate(beta1, "beta1")
        try decayRate(beta2, "beta2")
        try self.epsilon(epsilon)
    }
}
