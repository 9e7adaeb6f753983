import DescentTraining

/// Where a non-finite value (NaN or infinity) first showed up at a monitored step.
public struct NonFiniteValue: Sendable, Equatable {
    /// Which pass produced it.
    public enum Pass: String, Sendable, Equatable {
        /// The batch loss.
        case loss
        /// A layer's output.
        case forward
        /// A parameter's gradient.
        case backward
        /// A parameter after the optimizer's step.
        case update
    }

    public var pass: Pass
    /// The layer, nil for the loss.
    public var layerIndex: Int?
    /// The layer's or parameter's name ("layer 1 relu", "layer 0 Dense(2, 8) weight"), or "loss".
    public var name: String

    public init(pass: Pass, layerIndex: Int?, name: String) {
        self.pass = pass
        self.layerIndex = layerIndex
        self.name = name
    }
}

/// A layer's output at a monitored step.
public struct LayerStatistics: Sendable, Equatable {
    public var layerIndex: Int
    /// `"layer 1 relu"`.
    public var name: String
    /// The mean and standard deviation over the batch and the features.
    public var mean: Double
    public var standardDeviation: Double
    /// For layers that end in a ReLU: the fraction of units that are 0 for the whole batch.
    public var deadFraction: Double?
    /// For layers that end in a sigmoid or tanh: the fraction of outputs within 1e-2 of the
    /// function's bounds, where its derivative is below 2e-2 and learning stalls.
    public var saturatedFraction: Double?
    /// Whether the output holds a NaN or an infinity (or overflows float32 when squared).
    public var nonFinite: Bool

    public init(
        layerIndex: Int, name: String, mean: Double, standardDeviation: Double,
        deadFraction: Double?,
        saturatedFraction: Double?, nonFinite: Bool
    ) {
        self.layerIndex = layerIndex
        self.name = name
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.deadFraction = deadFraction
        self.saturatedFraction = saturatedFraction
        self.nonFinite = nonFinite
    }
}

/// A parameter tensor at a monitored step.
public struct ParameterStatistics: Sendable, Equatable {
    /// Its index in `Model.slots`.
    public var slotIndex: Int
    public var layerIndex: Int
    /// `"layer 0 Dense(2, 8) weight"`.
    public var name: String
    /// The number of elements.
    public var count: Int
    /// Whether it is a weight matrix (weight decay applies), as opposed to a bias or normalization parameter.
    public var isWeight: Bool
    /// `||w||` after the step.
    public var weightNorm: Double
    /// `||g||` of the step's gradient (before clipping and weight decay).
    public var gradientNorm: Double
    /// `||w_after - w_before||`: the step's update, learning rate included.
    public var updateNorm: Double
    public var nonFinite: Bool

    public init(
        slotIndex: Int, layerIndex: Int, name: String, count: Int, isWeight: Bool,
        weightNorm: Double, gradientNorm: Double,
        updateNorm: Double, nonFinite: Bool
    ) {
        self.slotIndex = slotIndex
        self.layerIndex = layerIndex
        self.name = name
        self.count = count
        self.isWeight = isWeight
        self.weightNorm = weightNorm
        self.gradientNorm = gradientNorm
        self.updateNorm = updateNorm
        self.nonFinite = nonFinite
    }

    /// The update-to-weight ratio `||lr * update|| / ||w||` of the notes ("somewhere around 1e-3").
    public var updateRatio: Double {
        weightNorm > 0 ? updateNorm / weightNorm : (updateNorm > 0 ? .infinity : 0)
    }

    /// `||g|| / sqrt(count)`: a gradient scale comparable between tensors of different sizes.
    public var gradientRMS: Double { gradientNorm / Double(max(count, 1)).squareRoot() }
}

/// Everything a `TrainingMonitor` measured at one step.
public struct MonitorSnapshot: Sendable, Equatable {
    /// The 1-based optimizer step since monitoring began.
    public var step: Int
    public var epoch: Int
    /// The step's batch loss.
    public var loss: Double
    public var layers: [LayerStatistics]
    public var parameters: [ParameterStatistics]
    /// The first non-finite value, in the order loss, forward, backward, update; nil when all are finite.
    public var nonFinite: NonFiniteValue?

    public init(
        step: Int, epoch: Int, loss: Double, layers: [LayerStatistics],
        parameters: [ParameterStatistics],
        nonFinite: NonFiniteValue?
    ) {
        self.step = step
        self.epoch = epoch
        self.loss = loss
        self.layers = layers
        self.parameters = parameters
        self.nonFinite = nonFinite
    }
}

/// A parameter tensor before training, for the initialization rules.
public struct InitialParameterStatistics: Sendable, Equatable {
    public var slotIndex: Int
    public var layerIndex: Int
    public var name: String
    public var shape: [Int]
    public var isWeight: Bool
    public var mean: Double
    public var standardDeviation: Double
    /// For a weight matrix `inputs x units` with more than one unit: whether every unit has the
    /// same incoming weights (each row is constant), so every unit gets the same gradient and
    /// they never become different.
    public var identicalUnits: Bool

    public init(
        slotIndex: Int, layerIndex: Int, name: String, shape: [Int], isWeight: Bool, mean: Double,
        standardDeviation: Double,
        identicalUnits: Bool
    ) {
        self.slotIndex = slotIndex
        self.layerIndex = layerIndex
        self.name = name
        self.shape = shape
        self.isWeight = isWeight
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.identicalUnits = identicalUnits
    }
}

/// The record of a monitored run, for the diagnosis and for plots: one snapshot every
/// `interval` steps (and at the first step), thinned to a bounded number on long runs, and the
/// initial parameters.
public struct MonitorRecord: Sendable, Equatable {
    public var interval: Int
    public var initialParameters: [InitialParameterStatistics]
    public var snapshots: [MonitorSnapshot]
    /// Each kept snapshot's number among all appended (0 for the first), and how far apart the
    /// kept ones are: `append(_:keepingAtMost:)`'s bookkeeping.
    private var ordinals: [Int] = []
    private var spacing = 1

    public init(
        interval: Int, initialParameters: [InitialParameterStatistics] = [],
        snapshots: [MonitorSnapshot] = []
    ) {
        self.interval = interval
        self.initialParameters = initialParameters
        self.snapshots = snapshots
    }

    /// Appends `snapshot`, keeping at most `limit` snapshots evenly spread over the whole run:
    /// when there would be more, the spacing between kept snapshots doubles (every 2nd, 4th,
    /// 8th... of all appended), and later ones are kept at that spacing. The first is always
    /// kept, and so is the newest, until a newer one replaces it if it is off the spacing.
    public mutating func append(_ snapshot: MonitorSnapshot, keepingAtMost limit: Int) {
        if ordinals.count != snapshots.count { ordinals = Array(snapshots.indices) }
        let number = (ordinals.last ?? -1) + 1
        if let last = ordinals.last, last % spacing != 0, ordinals.count > 1 {
            snapshots.removeLast()
            ordinals.removeLast()
        }
        snapshots.append(snapshot)
        ordinals.append(number)
        while snapshots.count > max(limit, 2) {
            spacing *= 2
            let kept = ordinals.indices.filter {
                ordinals[$0] % spacing == 0 || $0 == ordinals.count - 1
            }
            snapshots = kept.map { snapshots[$0] }
            ordinals = kept.map { ordinals[$0] }
        }
    }
}
