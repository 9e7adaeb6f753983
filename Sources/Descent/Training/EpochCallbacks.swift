#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

/// Sets the learning rate once per epoch from a schedule indexed by epoch (Keras's
/// `LearningRateScheduler`; PyTorch's schedulers stepped once per epoch): after epoch `e`, the
/// optimizer's base rate becomes `schedule.learningRate(at: e + 1)`. Construct the trainer's first
/// rate with `schedule.learningRate(at: 0)`. A per-step schedule goes on the optimizer instead.
public final class LearningRateScheduler: Callback {
    public let schedule: AnyLearningRateSchedule

    public init(_ schedule: some LearningRateSchedule) {
        self.schedule = AnyLearningRateSchedule(schedule)
    }

    public func epochEnded<B: Backend>(_ record: EpochRecord, trainer: Trainer<B>) throws -> CallbackAction {
        trainer.optimizer.baseLearningRate = Float(schedule.learningRate(at: record.epoch + 1))
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

    public func epochEnded<B: Backend>(_ record: EpochRecord, trainer: Trainer<B>) throws -> CallbackAction {
        let text = (wroteHeader ? "" : EpochRecord.csvHeader + "\n") + record.csvLine + "\n"
        guard let file = fopen(path, "a") else {
            throw DescentError.invalidArgument(
                operation: "CSVLogger", reason: "cannot open \(path) for writing (errno \(errno)); check the directory exists")
        }
        let bytes = Array(text.utf8)
        let written = fwrite(bytes, 1, bytes.count, file)
        let closed = fclose(file)
        guard written == bytes.count, closed == 0 else {
            throw DescentError.invalidArgument(operation: "CSVLogger", reason: "could not write to \(path) (disk full?)")
        }
        wroteHeader = true
        return .proceed
    }
}
