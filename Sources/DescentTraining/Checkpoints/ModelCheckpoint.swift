import DescentCore

/// Keras's `ModelCheckpoint`: saves the model (`Model.save(to:)`, safetensors) at the end of
/// epochs.
///
/// With `saveBestOnly` it writes only when `monitor` improves on the best value so far (strictly:
/// lower for `.min`, higher for `.max`; NaN never improves), starting from
/// `initialValueThreshold` when given; otherwise it writes after every epoch. `path` may hold
/// `{epoch}`, replaced by the 1-based epoch number as in Keras (`"ckpt-{epoch}.safetensors"`),
/// and `{epoch:02d}`-style zero padding (`{epoch:03d}`).
public final class ModelCheckpoint: Callback {
    public let path: String
    public let monitor: String
    public let mode: MonitorMode
    public let saveBestOnly: Bool
    /// The best value so far; with `saveBestOnly`, the value of the last saved epoch.
    public private(set) var best: Double?
    /// The 0-based epochs after which a file was written, in order.
    public private(set) var savedEpochs: [Int] = []
    /// The last file written.
    public private(set) var lastSavedPath: String?

    public init(
        path: String, monitor: String = "val_loss", mode: MonitorMode? = nil,
        saveBestOnly: Bool = false,
        initialValueThreshold: Double? = nil
    ) {
        self.path = path
        self.monitor = monitor
        self.mode = mode ?? .automatic(for: monitor)
        self.saveBestOnly = saveBestOnly
        self.best = initialValueThreshold
    }

    /// Whether `value` beats the best so far.
    func improves(_ value: Double) -> Bool {
        guard !value.isNaN else { return false }
        guard let best else { return true }
        return mode == .min ? value < best : value > best
    }

    /// The file for 0-based `epoch`: `path` with `{epoch}` / `{epoch:0Nd}` filled in.
    public func path(forEpoch epoch: Int) -> String {
        var result = ""
        var rest = Substring(path)
        while let open = rest.firstRange(of: "{epoch") {
            result += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            guard let close = after.firstIndex(of: "}") else { break }
            let format = after[..<close]
            let number = String(epoch + 1)
            if format.isEmpty {
                result += number
            } else if format.hasPrefix(":"), format.hasSuffix("d"),
                let width = Int(format.dropFirst().dropLast())
            {
                result += String(repeating: "0", count: max(0, width - number.count)) + number
            } else {
                result += rest[open.lowerBound...close]
            }
            rest = after[after.index(after: close)...]
        }
        return result + rest
    }

    public func epochEnded<B: Backend>(
        _ record: EpochRecord, trainer: Trainer<B>
    ) throws -> CallbackAction {
        if saveBestOnly {
            guard let value = record.value(of: monitor) else {
                throw DescentError.invalidArgument(
                    operation: "ModelCheckpoint",
                    reason: "'\(monitor)' is not measured (pass validation data for val_ metrics)")
            }
            guard improves(value) else { return .proceed }
            best = value
        } else if let value = record.value(of: monitor), improves(value) {
            best = value
        }
        let file = path(forEpoch: record.epoch)
        try trainer.model.save(to: file)
        savedEpochs.append(record.epoch)
        lastSavedPath = file
        return .proceed
    }
}
