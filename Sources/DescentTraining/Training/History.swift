/// What one epoch of training measured.
public struct EpochRecord: Sendable, Equatable {
    /// 0-based.
    public var epoch: Int
    /// The mean training loss over the epoch's batches (weighted by batch size).
    public var loss: Double
    /// Training accuracy over the epoch (classification), from the predictions made while training.
    public var accuracy: Double?
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    /// The learning rate of the epoch's last step.
    public var learningRate: Double
    /// The learning rate along the epoch: its first step, about `ratePointsPerEpoch` evenly
    /// spaced steps, and its last, so a schedule's shape within an epoch shows in a chart.
    public var learningRateCurve: [RatePoint]
    /// Wall time of the epoch, validation included, in seconds.
    public var seconds: Double
    /// Training samples per second.
    public var samplesPerSecond: Double

    public init(
        epoch: Int, loss: Double, accuracy: Double?, validationLoss: Double?,
        validationAccuracy: Double?,
        learningRate: Double, seconds: Double, samplesPerSecond: Double,
        learningRateCurve: [RatePoint] = []
    ) {
        self.epoch = epoch
        self.loss = loss
        self.accuracy = accuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
        self.samplesPerSecond = samplesPerSecond
        self.learningRateCurve = learningRateCurve
    }

    /// About how many points `learningRateCurve` keeps per epoch.
    public static let ratePointsPerEpoch = 32

    /// The value of a monitored quantity by name: "loss", "accuracy", "val_loss", "val_accuracy".
    public func value(of name: String) -> Double? {
        switch name {
        case "loss": loss
        case "accuracy": accuracy
        case "val_loss": validationLoss
        case "val_accuracy": validationAccuracy
        default: nil
        }
    }
}

/// The learning rate of one step, at its place in the run counted in epochs: step `i` (0-based)
/// of `n` in epoch `e` (0-based) is at `e + i / n`.
public struct RatePoint: Sendable, Equatable {
    public var epoch: Double
    public var rate: Double

    public init(epoch: Double, rate: Double) {
        self.epoch = epoch
        self.rate = rate
    }
}

/// The record of a `fit`: one entry per epoch run.
public struct History: Sendable, Equatable {
    public var epochs: [EpochRecord] = []
    /// Why training ended before its last epoch (early stopping, a NaN loss), or nil.
    public var stopReason: String?

    public init(epochs: [EpochRecord] = [], stopReason: String? = nil) {
        self.epochs = epochs
        self.stopReason = stopReason
    }
}
