import DescentCore

/// An optimization algorithm: its hyperparameters, and the update rule it applies at each step.
///
/// Optimizers are values; the state that changes as training goes (the step count, the state
/// arrays on the device) lives in `FusedOptimizer`. Every optimizer
/// follows PyTorch's `torch.optim` unless its `convention` is `.keras`; the README lists the
/// differences.
public protocol Optimizer: Sendable, CustomStringConvertible {
    /// The base learning rate: the rate of every step without a schedule.
    var learningRate: Float { get }
    /// Coupled L2 penalty added to the gradient (`weight_decay` in PyTorch's optimizers but AdamW).
    var weightDecay: Float { get }
    /// Decoupled weight decay, `w -= lr decay w` before the update (AdamW); 0 for the others.
    var decoupledWeightDecay: Float { get }
    /// Whether the optimizer's weight decay is decoupled (AdamW), so that a parameter group's
    /// `weightDecay` sets the decoupled decay rather than an L2 penalty, as in PyTorch.
    var decouplesWeightDecay: Bool { get }
    /// The per-element update rule each step applies (most optimizers are their own rule).
    var updateRule: any UpdateRule { get }
    /// The value state array `index` starts at (0, but for Adagrad's accumulator).
    func initialStateValue(_ index: Int) -> Float
}

extension Optimizer {
    public var decoupledWeightDecay: Float { 0 }
    public var decouplesWeightDecay: Bool { false }
    public func initialStateValue(_ index: Int) -> Float { 0 }
    /// How many state arrays of the parameters' size the optimizer keeps.
    public var stateCount: Int { updateRule.stateCount }
}

extension Optimizer where Self: UpdateRule {
    public var updateRule: any UpdateRule { self }
}
