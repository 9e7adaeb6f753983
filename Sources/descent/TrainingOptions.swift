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
            OptimizerChoice.allCases.map(\.rawValue).joined(separator: ", ") + ".",
            discussion:
                "momentum and nesterov are SGD with momentum 0.9. PyTorch's definitions throughout."
        ),
        transform: optionValue(OptimizerChoice.init(parsing:)))
    var optimizer = OptimizerChoice.adam

    @Option(
        help: ArgumentHelp(
            "Learning rate (default: the optimizer's own).",
            discussion: OptimizerChoice.defaultRates))
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
                """),
        transform: optionValue(ScheduleChoice.init(parsing:)))
    var schedule: ScheduleChoice?

    /// The schedule to train with: `--schedule`, cosine without warm-up by default.
    var scheduleChoice: ScheduleChoice { schedule ?? .cosine(warmupEpochs: 0) }

    /// The schedule's command-line form, for the report and the progress lines.
    var scheduleName: String { scheduleChoice.description }

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
        // The schedule's warm-up against --epochs, and the library's checks of its factors.
        _ = try makeSchedule()
    }

    /// The learning rate the optimizer starts from: `--lr`, or the optimizer type's default.
    var learningRate: Float { lr ?? optimizer.defaultLearningRate }

    /// The optimizer with the learning rate and the weight decay.
    func makeOptimizer() -> any Optimizer {
        optimizer.make(learningRate: learningRate, weightDecay: weightDecay)
    }

    /// The per-step schedule (its lengths in epochs) and the callbacks that adjust the rate
    /// between epochs; both act on the optimizer's one rate.
    /// - Throws: a usage error when the schedule does not fit `--epochs`, or the library's error
    ///   for a factor it refuses.
    func makeSchedule() throws -> (schedule: (any LearningRateSchedule)?, callbacks: [any Callback])
    {
        try scheduleChoice.make(epochs: epochs)
    }
}
