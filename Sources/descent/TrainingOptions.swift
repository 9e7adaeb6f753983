import ArgumentParser
import Descent

/// How to train: epochs, batches, the optimizer, its learning rate and schedule, early stopping.
struct TrainingOptions: ParsableArguments {
    @Option(help: "Epochs at most (early stopping may end sooner).")
    var epochs = 25

    @Option(name: .customLong("batch-size"), help: "Samples per step.")
    var batchSize = 128

    @Option(
        help: ArgumentHelp(
            "sgd, momentum, nesterov, adagrad, rmsprop, adadelta, adam, amsgrad, adamw, adamax or nadam.",
            discussion:
                "momentum and nesterov are SGD with momentum 0.9. PyTorch's definitions throughout."
        ))
    var optimizer = "adam"

    @Option(
        help: ArgumentHelp(
            "Learning rate (default: the optimizer's own).",
            discussion: TrainingOptions.defaultRates))
    var lr: Float?

    @Option(
        name: .customLong("weight-decay"),
        help: "L2 penalty added to the gradient; for adamw, its decoupled weight decay.")
    var weightDecay: Float = 0

    @Option(
        help: ArgumentHelp(
            "constant, cosine[:WARMUP], step:EVERY,GAMMA, exponential:GAMMA or plateau:FACTOR,PATIENCE (default cosine).",
            discussion: """
                Counted in epochs, and applied to --lr. cosine anneals to 0 over --epochs after WARMUP \
                epochs of linear warm-up; step multiplies by GAMMA every EVERY epochs; exponential by \
                GAMMA each epoch; plateau multiplies by FACTOR when the validation loss has not \
                improved for PATIENCE epochs.
                """))
    var schedule: String?

    /// The schedule to train with: `--schedule`, cosine by default.
    var scheduleName: String { schedule ?? "cosine" }

    @Option(
        help:
            "Epochs without validation improvement before stopping (the best weights are restored); 0 to never stop early."
    )
    var patience = 5

    @Option(
        help: ArgumentHelp(
            "auto, val_loss or val_accuracy: what early stopping watches.",
            discussion:
                "auto: val_accuracy for classification (the metric reported at the end), val_loss for regression."
        ))
    var monitor = "auto"

    /// The quantity early stopping watches for `task`.
    func monitoredQuantity(for task: LearningTask) throws -> String {
        switch monitor {
        case "auto":
            if case .regression = task { return "val_loss" }
            return "val_accuracy"
        case "val_loss":
            return monitor
        case "val_accuracy":
            if case .regression = task {
                throw usageError("--monitor val_accuracy needs classes; regression has no accuracy")
            }
            return monitor
        default:
            throw usageError("unknown --monitor '\(monitor)'; use auto, val_loss or val_accuracy")
        }
    }

    /// The most epochs a run may ask for: beyond it a run would not end in any reasonable time.
    static let maximumEpochs = 100_000
    /// The largest batch: 2^20 samples.
    static let maximumBatchSize = 1 << 20

    /// Rejects values that cannot train (the commands call it, so that the error is one line).
    func check() throws {
        guard (1...Self.maximumEpochs).contains(epochs) else {
            throw usageError("--epochs must be in 1...\(Self.maximumEpochs), got \(epochs)")
        }
        guard (1...Self.maximumBatchSize).contains(batchSize) else {
            throw usageError(
                "--batch-size must be in 1...\(Self.maximumBatchSize), got \(batchSize)")
        }
        if let lr, !(lr > 0 && lr.isFinite) {
            throw usageError("--lr must be a positive number, got \(lr)")
        }
        guard weightDecay >= 0 && weightDecay.isFinite else {
            throw usageError("--weight-decay must be 0 or more, got \(weightDecay)")
        }
        guard patience >= 0 else {
            throw usageError("--patience must be 0 or more, got \(patience)")
        }
        guard ["auto", "val_loss", "val_accuracy"].contains(monitor) else {
            throw usageError("unknown --monitor '\(monitor)'; use auto, val_loss or val_accuracy")
        }
    }

    /// Each `--optimizer` name with its default rate (the optimizer type's) and how to make it
    /// from a rate and a weight decay.
    static let optimizers:
        [(name: String, defaultRate: Float, make: @Sendable (Float, Float) -> any Optimizer)] = [
            ("sgd", SGD.defaultLearningRate, { SGD(learningRate: $0, weightDecay: $1) }),
            (
                "momentum", SGD.defaultLearningRate,
                { SGD(learningRate: $0, momentum: 0.9, weightDecay: $1) }
            ),
            (
                "nesterov", SGD.defaultLearningRate,
                { SGD(learningRate: $0, momentum: 0.9, nesterov: true, weightDecay: $1) }
            ),
            (
                "adagrad", Adagrad.defaultLearningRate,
                { Adagrad(learningRate: $0, weightDecay: $1) }
            ),
            (
                "rmsprop", RMSprop.defaultLearningRate,
                { RMSprop(learningRate: $0, weightDecay: $1) }
            ),
            (
                "adadelta", Adadelta.defaultLearningRate,
                { Adadelta(learningRate: $0, weightDecay: $1) }
            ),
            ("adam", Adam.defaultLearningRate, { Adam(learningRate: $0, weightDecay: $1) }),
            (
                "amsgrad", Adam.defaultLearningRate,
                { Adam(learningRate: $0, amsgrad: true, weightDecay: $1) }
            ),
            ("adamw", AdamW.defaultLearningRate, { AdamW(learningRate: $0, weightDecay: $1) }),
            ("adamax", AdaMax.defaultLearningRate, { AdaMax(learningRate: $0, weightDecay: $1) }),
            ("nadam", Nadam.defaultLearningRate, { Nadam(learningRate: $0, weightDecay: $1) }),
        ]

    /// The default rates for `--help`, read from the optimizer types.
    static var defaultRates: String {
        "Defaults: "
            + optimizers.map { "\($0.name) \(ProgressBar.format(Double($0.defaultRate)))" }.joined(
                separator: ", ") + "."
    }

    /// The learning rate the optimizer starts from: `--lr`, or the optimizer type's default.
    var learningRate: Float {
        lr ?? Self.optimizers.first { $0.name == optimizer }?.defaultRate
            ?? Adam.defaultLearningRate
    }

    func makeOptimizer() throws -> any Optimizer {
        guard let entry = Self.optimizers.first(where: { $0.name == optimizer }) else {
            throw usageError(
                "unknown optimizer '\(optimizer)'; use "
                    + Self.optimizers.map(\.name).joined(separator: ", "))
        }
        return entry.make(learningRate, weightDecay)
    }

    /// The per-step schedule (its lengths in epochs) and the callbacks that adjust the rate
    /// between epochs; both act on the optimizer's one rate.
    func makeSchedule() throws -> (schedule: (any LearningRateSchedule)?, callbacks: [any Callback])
    {
        let schedule = scheduleName
        let parts = schedule.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let name = parts.first.map(String.init) ?? ""
        let arguments =
            parts.count > 1
            ? try parts[1].split(separator: ",", omittingEmptySubsequences: false).map {
                text -> Double in
                guard let value = Double(text.trimmingCharacters()), value.isFinite else {
                    throw usageError("--schedule \(schedule): '\(text)' is not a number")
                }
                return value
            } : []
        func require(_ count: ClosedRange<Int>, _ form: String) throws {
            guard count.contains(arguments.count) else {
                throw usageError("--schedule \(name) takes the form \(form), got '\(schedule)'")
            }
        }
        switch name {
        case "constant":
            try require(0...0, "constant")
            return (nil, [])
        case "cosine":
            try require(0...1, "cosine or cosine:WARMUP_EPOCHS")
            let warmup = arguments.first ?? 0
            guard warmup >= 0, warmup < Double(epochs) else {
                throw usageError(
                    "--schedule \(schedule): the warm-up must be 0 or more epochs and shorter than --epochs (\(epochs))"
                )
            }
            return (
                try CosineAnnealing(duration: .epochs(Double(epochs)), warmup: .epochs(warmup)), []
            )
        case "step":
            try require(2...2, "step:EVERY_EPOCHS,GAMMA")
            guard arguments[0] > 0 else {
                throw usageError(
                    "--schedule \(schedule): EVERY must be a positive number of epochs")
            }
            return (try StepDecay(every: .epochs(arguments[0]), gamma: arguments[1]), [])
        case "exponential":
            try require(1...1, "exponential:GAMMA")
            return (try ExponentialDecay(every: .epochs(1), decayRate: arguments[0]), [])
        case "plateau":
            try require(2...2, "plateau:FACTOR,PATIENCE")
            guard arguments[1] >= 0, arguments[1] <= 1e6, arguments[1] == arguments[1].rounded()
            else {
                throw usageError(
                    "--schedule \(schedule): PATIENCE must be a whole number of epochs in 0...1000000"
                )
            }
            let reducer = try PlateauReducer(factor: arguments[0], patience: Int(arguments[1]))
            return (nil, [ReduceLROnPlateau(reducer: reducer)])
        default:
            throw usageError(
                "unknown schedule '\(schedule)'; use constant, cosine[:WARMUP], step:EVERY,GAMMA, exponential:GAMMA or plateau:FACTOR,PATIENCE"
            )
        }
    }
}
