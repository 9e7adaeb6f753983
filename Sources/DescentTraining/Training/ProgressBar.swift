#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

/// A Keras-like progress display: one line per epoch with its ETA while it runs, then the epoch's
/// loss, metrics, time and samples/s. On a terminal the line is redrawn in place; otherwise (a log,
/// a pipe) only the finished epoch lines are printed.
///
/// The ETA counts enqueued steps: the device may still be working on the last ones, so it is an
/// estimate until the epoch's values are read back.
public final class ProgressBar: Callback {
    public let epochs: Int
    private let interactive: Bool
    private let write: (String) -> Void
    private var epochStarted = 0.0
    private var lastDraw = 0.0

    /// - Parameters:
    ///   - epochs: the number of epochs `fit` will run, for "Epoch 3/20".
    ///   - interactive: redraw in place; by default when standard output is a terminal.
    ///   - write: where text goes; standard output by default.
    public init(
        epochs: Int, interactive: Bool? = nil,
        write: @escaping (String) -> Void = StandardOutput.write
    ) {
        self.epochs = epochs
        self.interactive = interactive ?? (isatty(STDOUT_FILENO) == 1)
        self.write = write
    }

    public func batchEnded(batch: Int, of batchCount: Int, epoch: Int, samplesDone: Int) {
        let now = monotonicSeconds()
        if batch == 1 { epochStarted = now }
        guard interactive, now - lastDraw > 0.1 || batch == batchCount else { return }
        lastDraw = now
        let elapsed = now - epochStarted
        let eta = batch > 0 ? elapsed / Double(batch) * Double(batchCount - batch) : 0
        let width = 30, filled = width * batch / max(batchCount, 1)
        let bar =
            String(repeating: "=", count: filled) + String(repeating: ".", count: width - filled)
        write(
            "\r\u{1B}[2KEpoch \(epoch + 1)/\(epochs) [\(bar)] \(batch)/\(batchCount) ETA \(Self.duration(eta))"
        )
    }

    public func epochEnded<B: Backend>(
        _ record: EpochRecord, trainer: Trainer<B>
    ) throws -> CallbackAction {
        var parts = [
            "Epoch \(record.epoch + 1)/\(epochs)", Self.duration(record.seconds),
            "loss \(Self.format(record.loss))",
        ]
        if let accuracy = record.accuracy { parts.append("accuracy \(Self.format(accuracy))") }
        if let loss = record.validationLoss { parts.append("val_loss \(Self.format(loss))") }
        if let accuracy = record.validationAccuracy {
            parts.append("val_accuracy \(Self.format(accuracy))")
        }
        parts.append("lr \(Self.format(record.learningRate))")
        parts.append("\(Int(record.samplesPerSecond.rounded())) samples/s")
        write((interactive ? "\r\u{1B}[2K" : "") + parts.joined(separator: " - ") + "\n")
        return .proceed
    }

    /// 4 significant digits.
    public static func format(_ value: Double) -> String {
        guard value.isFinite, value != 0 else { return "\(value)" }
        let magnitude = Int(floor(log10(abs(value))))
        let scale = pow(10, Double(3 - magnitude))
        return "\((value * scale).rounded() / scale)"
    }

    /// "0.4s", "42s", "3m07s".
    public static func duration(_ seconds: Double) -> String {
        if seconds < 9.95 { return "\((seconds * 10).rounded() / 10)s" }
        let total = Int(seconds.rounded())
        return total < 60
            ? "\(total)s" : "\(total / 60)m" + (total % 60 < 10 ? "0" : "") + "\(total % 60)s"
    }
}
