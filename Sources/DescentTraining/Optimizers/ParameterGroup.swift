import DescentCore

/// A contiguous range of the parameter arena with its own learning rate, penalties and constraints
/// (typical use: no weight decay on biases and normalization parameters).
///
/// Every value can change between steps: they are kernel arguments, so nothing is rebuilt.
public struct ParameterGroup: Sendable, Equatable {
    /// The elements of the arena the group holds.
    public var range: Range<Int>
    /// Multiplies the learning rate (the schedule's, or the optimizer's) for this group.
    public var learningRateScale: Float
    /// The group's weight decay, of the optimizer's kind (PyTorch's `weight_decay` of a param
    /// group): the L2 penalty added to the gradient, or AdamW's decoupled decay; nil takes the
    /// optimizer's. `Model.parameterGroups` sets 0 for biases and normalization parameters.
    public var weightDecay: Float?
    /// The L1 penalty `l1 sign(w)` added to the gradient.
    public var l1: Float
    /// Max-norm constraints on weight matrices inside the group, applied after each step.
    public var maxNorm: [MaxNormConstraint]

    public init(
        range: Range<Int>, learningRateScale: Float = 1, weightDecay: Float? = nil, l1: Float = 0,
        maxNorm: [MaxNormConstraint] = []
    ) {
        self.range = range
        self.learningRateScale = learningRateScale
        self.weightDecay = weightDecay
        self.l1 = l1
        self.maxNorm = maxNorm
    }
}

/// Keras's `MaxNorm` on one weight matrix of the arena: after each step, every column (one unit's
/// incoming weights) whose L2 norm exceeds `maxNorm` is scaled back to it [1].
///
/// [1]: Srivastava et al., "Dropout", JMLR 2014, section 5.1.
public struct MaxNormConstraint: Sendable, Equatable {
    /// Index of the matrix's first element in the arena.
    public var offset: Int
    /// inputs x units.
    public var shape: MatrixShape
    public var maxNorm: Float

    public init(offset: Int, shape: MatrixShape, maxNorm: Float) {
        self.offset = offset
        self.shape = shape
        self.maxNorm = maxNorm
    }
}

/// How gradients are clipped before the update.
public struct GradientClipping: Sendable, Equatable {
    /// Clip each element to `[-value, value]` (PyTorch's `clip_grad_value_`), or nil.
    public var value: Float?
    /// Scale all gradients by `min(1, maxNorm / (||g|| + 1e-6))` over the whole arena (PyTorch's
    /// `clip_grad_norm_`), or nil. The norm is computed on the device before value clipping.
    public var globalNorm: Float?

    public init(value: Float? = nil, globalNorm: Float? = nil) {
        self.value = value
        self.globalNorm = globalNorm
    }

    /// No clipping.
    public static let none = GradientClipping()
}
