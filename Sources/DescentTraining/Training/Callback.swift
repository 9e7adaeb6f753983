#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

/// What a callback asks of the training loop after an epoch.
public enum CallbackAction: Sendable, Equatable {
    case proceed
    /// End training, with a reason for `History.stopReason`.
    case stop(reason: String)
}

/// Code that runs at the end of every epoch of `Trainer.fit` (Keras's `on_epoch_end`), and may
/// stop training. Write your own by conforming a class.
public protocol Callback: AnyObject {
    /// Called after each epoch with its record and the trainer (for its model and optimizer).
    func epochEnded<B: Backend>(_ record: EpochRecord, trainer: Trainer<B>) throws -> CallbackAction
    /// Called after each training step was enqueued (`batch` of `batchCount`, 1-based), on the
    /// host: it must not read the device, or it would stall the step.
    func batchEnded(batch: Int, of batchCount: Int, epoch: Int, samplesDone: Int)
    /// Called once when `fit` returns normally.
    func trainingEnded<B: Backend>(trainer: Trainer<B>) throws
    /// Whether the epoch must end after the current step (a monitor found a fatal problem); the
    /// epoch then ends as usual, and `epochEnded` says why training stops.
    var requestsStop: Bool { get }
}

extension Callback {
    public func batchEnded(batch: Int, of batchCount: Int, epoch: Int, samplesDone: Int) {}
    public var requestsStop: Bool { false }
    public func trainingEnded<B: Backend>(trainer: Trainer<B>) throws {}
}

/// A callback that sets the learning rate (`FusedOptimizer.learningRate`) between epochs. At most
/// one may run in a `fit`: two would each set the rate from their own rule, and one would undo the
/// other without a word (`Trainer.fit` throws instead).
public protocol LearningRateController: Callback {}

/// Whether a monitored value should go down (losses) or up (accuracies).
public enum MonitorMode: Sendable, Equatable {
    case min, max
    /// `max` for names containing "acc", else `min`, as Keras's "auto".
    public static func automatic(for monitor: String) -> MonitorMode {
        monitor.contains("acc") ? .max : .min
    }
}

/// Keras's `EarlyStopping`: stops when `monitor` has not improved by more than `minDelta` for
/// `patience` epochs (counting from `startFromEpoch`), optionally against a `baseline`, and can
/// put back the best epoch's model when training ends. `restoreBestWeights` restores the whole
/// state a checkpoint holds, not only the parameters: batch norm's running statistics too, so the
/// model evaluates exactly as it did at the end of its best epoch.
public final class EarlyStopping: Callback {
    public let monitor: String
    public let minDelta: Double
    public let patience: Int
    public let mode: MonitorMode
    public let baseline: Double?
    public let restoreBestWeights: Bool
    public let startFromEpoch: Int
    public internal(set) var best: Double?
    public internal(set) var bestEpoch: Int?
    public internal(set) var wait = 0
    /// The best epoch's model, kept to restore at the end (`restoreBestWeights`).
    var bestState: [SafeTensor]?

    public init(
        monitor: String = "val_loss", minDelta: Double = 0, patience: Int = 0,
        mode: MonitorMode? = nil,
        baseline: Double? = nil, restoreBestWeights: Bool = false, startFromEpoch: Int = 0
    ) {
        self.monitor = monitor
        self.minDelta = abs(minDelta)
        self.patience = patience
        self.mode = mode ?? .automatic(for: monitor)
        self.baseline = baseline
        self.restoreBestWeights = restoreBestWeights
        self.startFromEpoch = startFromEpoch
    }

    func improves(_ value: Double, on reference: Double) -> Bool {
        mode == .min ? value < reference - minDelta : value > reference + minDelta
    }

    public func epochEnded<B: Backend>(
        _ record: EpochRecord, trainer: Trainer<B>
    ) throws -> CallbackAction {
        guard record.epoch >= startFromEpoch else { return .proceed }
        guard let value = record.value(of: monitor) else {
            throw DescentError.invalidArgument(
                operation: "EarlyStopping",
                reason: "'\(monitor)' is not measured (pass validation data for val_ metrics)")
        }
        if restoreBestWeights && bestState == nil { bestState = try trainer.model.stateTensors() }
        wait += 1
        if improves(value, on: best ?? (mode == .min ? .infinity : -.infinity)) {
            best = value
            bestEpoch = record.epoch
            if restoreBestWeights { bestState = try trainer.model.stateTensors() }
            // Keras: the patience restarts only for an improvement that also beats the baseline.
            if baseline.map({ improves(value, on: $0) }) ?? true {
                wait = 0
                return .proceed
            }
        }
        guard wait >= patience && record.epoch > 0 else { return .proceed }
        return .stop(
            reason:
                "early stopping: \(monitor) did not improve for \(wait) epochs (best \(best.map { "\($0)" } ?? "none") at epoch \(bestEpoch.map { String($0 + 1) } ?? "none"))"
        )
    }

    /// Puts the best epoch's model back (parameters and running statistics), whether training
    /// stopped early or ran to its end.
    public func trainingEnded<B: Backend>(trainer: Trainer<B>) throws {
        if let bestState { try trainer.model.restore(bestState) }
    }
}

/// Drives a `PlateauReducer` from a monitored value once per epoch (Keras's `ReduceLROnPlateau`,
/// with PyTorch's semantics): it lowers the one learning rate (`FusedOptimizer.learningRate`),
/// under the optimizer's schedule if it has one.
public final class ReduceLROnPlateau: Callback, LearningRateController {
    public let monitor: String
    public internal(set) var reducer: PlateauReducer

    public init(monitor: String = "val_loss", reducer: PlateauReducer) {
        self.monitor = monitor
        self.reducer = reducer
    }

    public func epochEnded<B: Backend>(
        _ record: EpochRecord, trainer: Trainer<B>
    ) throws -> CallbackAction {
        guard let value = record.value(of: monitor) else {
            throw DescentError.invalidArgument(
                operation: "ReduceLROnPlateau", reason: "'\(monitor)' is not measured")
        }
        let rate = reducer.observe(value, learningRate: Double(trainer.optimizer.learningRate))
        trainer.optimizer.learningRate = Float(rate)
        return .proceed
    }
}
