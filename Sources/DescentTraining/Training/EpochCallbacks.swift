#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

/// Sets the learning rate after each epoch with a function of the epoch and the current rate
/// (Keras's `LearningRateScheduler`): after epoch `e` (0-based), the one learning rate
/// (`FusedOptimizer.learningRate`) becomes `update(e + 1, rate)`, the rate of epoch `e + 1`.
/// A shape that depends on the step alone is better given as the optimizer's schedule (in
/// `.epochs` if it should change per epoch); this callback is for rules of your own.
///
/// ```swift
/// LearningRateScheduler { epoch, rate in epoch < 10 ? rate : rate * 0.9 }
/// ```
public final class LearningRateScheduler: Callback, LearningRateController {
    public let update: @Sendable (_ epoch: Int, _ rate: Double) -> Double

    public init(_ update: @escaping @Sendable (_ epoch: Int, _ rate: Double) -> Double) {
        self.update = update
    }

    public func epochEnded<B: Backend>(
        _ record: EpochRecord, trainer: Trainer<B>
    ) throws -> CallbackAction {
        let rate = update(record.epoch + 1, Double(trainer.optimizer.learningRate))
        guard rate.isFinite && rate >= 0 else {
            throw DescentError.invalidArgument(
                operation: "LearningRateScheduler",
                reason:
                    "the rate for epoch \(record.epoch + 1) is \(rate); it must be finite and >= 0")
        }
        trainer.optimizer.learningRate = Float(rate)
        return .proceed
    }
}

/// Appends one line per epoch to a CSV file (Keras's `CSVLogger`): a header
/// (`EpochRecord.csvHeader`), then each epoch's `csvLine`; unmeasured values are empty. Each line is flushed as it is written, so an interrupted run
/// keeps every finished epoch.
public final class CSVLogger: Callback {
    public let path: String
    private var wroteHeader = false

    /// - Parameter append: keep an existing file's lines (no second header) instead of replacing it.
    public init(_ path: String, append: Bool = false) {
        self.path = path
        wroteHeader = append && access(path, F_OK) == 0
        if !append { unlink(path) }
    }

    public func epochEnded<B: Backend>(
        _ record: EpochRecord, trainer: Trainer<B>
    ) throws -> CallbackAction {
        let text = (wroteHeader ? "" : EpochRecord.csvHeader + "\n") + record.csvLine + "\n"
        guard let file = fopen(path, "a") else {
            throw DescentError.invalidArgument(
                operation: "CSVLogger",
                reason:
                    "cannot open \(path) for writing (errno \(errno)); check the directory exists")
        }
        let bytes = Array(text.utf8)
        let written = fwrite(bytes, 1, bytes.count, file)
        let closed = fclose(file)
        guard written == bytes.count, closed == 0 else {
            throw DescentError.invalidArgument(
                operation: "CSVLogger", reason: "could not write to \(path) (disk full?)")
        }
        wroteHeader = true
        return .proceed
    }
}
