import ArgumentParser
import Descent

/// How to train: epochs, batches, the optimizer, its learning rate and schedule, early stopping.
struct TrainingOptions: ParsableArguments {
    @Option(help: "Epochs at most (early stopping may end sooner).")
    var epochs = 25

    @Option(name: .customLong("batch-size"), help: "Samples per step.")
    var batchSize = 128

    @Option(help: ArgumentHelp(
        "sgd, momentum, nesterov, adagrad, rmsprop, adadelta, adam, amsgrad, adamw, adamax or nadam.",
        discussion: "momentum and nesterov are SGD with momentum 0.9. PyTorch's definitions throughout."))
    var optimizer = "adam"

    @Option(help: "Learning rate (default: 0.01 for sgd, momentum, nesterov and adagrad, 1 for adadelta, 0.002 for adamax and nadam, 0.001 otherwise).")
    var lr: Float?

    @Option(name: .customLong("weight-decay"), help: "L2 penalty added to the gradient; for adamw, its decoupled weight decay.")
    var weightDecay: Float = 0

    @Option(help: ArgumentHelp(
        "constant, cosine[:WARMUP], step:EVERY,GAMMA, exponential:GAMMA or plateau:FACTOR,PATIENCE.",
        discussion: """
            Counted in epochs. cosine anneals to 0 over --epochs after WARMUP epochs of linear \
            warm-up; step multiplies by GAMMA every EVERY epochs; exponential by GAMMA each epoch; \
            plateau multiplies by FACTOR when the validation loss has not improved for PATIENCE epochs.
            """))
    var schedule = "cosine"

    @Option(help: "Epochs without validation improvement before stopping (the best weights are restored); 0 to never stop early.")
    var patience = 5

    @Option(help: ArgumentHelp(
        "auto, val_loss or val_accuracy: what early stopping watches.",
        discussion: "auto: val_accuracy for classification (the metric reported at the end), val_loss for regression."))
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
            if case .regression = task { throw usageError("--monitor val_accuracy needs classes; regression has no accuracy") }
            return monitor
        default:
            throw usageError("unknown --monitor '\(monitor)'; use auto, val_loss or val_accuracy")
        }
    }

    /// Rejects values that cannot train (the commands call it, so that the error is one line).
    func check() throws {
        guard epochs >= 1 else { throw usageError("--epochs must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw usageError("--batch-size must be at least 1, got \(batchSize)") }
        if let lr, !(lr > 0 && lr.isFinite) { throw usageError("--lr must be a positive number, got \(lr)") }
        guard weightDecay >= 0 && weightDecay.isFinite else {
            throw usageError("--weight-decay must be 0 or more, got \(weightDecay)")
        }
        guard patience >= 0 else { throw usageError("--patience must be 0 or more, got \(patience)") }
        guard ["auto", "val_loss", "val_accuracy"].contains(monitor) else {
            throw usageError("unknown --monitor '\(monitor)'; use auto, val_loss or val_accuracy")
        }
    }

    /// The learning rate the optimizer starts from.
    var learningRate: Float {
        if let lr { return lr }
        return switch optimizer {
        case "sgd", "momentum", "nesterov", "adagrad": 0.01
        case "adadelta": 1
        case "adamax", "nadam": 0.002
        default: 0.001
        }
    }

    func makeOptimizer() throws -> any Optimizer {
        let rate = learningRate
        switch optimizer {
        case "sgd": return SGD(learningRate: rate, weightDecay: weightDecay)
        case "momentum": return SGD(learningRate: rate, momentum: 0.9, weightDecay: weightDecay)
        case "nesterov": return SGD(learningRate: rate, momentum: 0.9, nesterov: true, weightDecay: weightDecay)
        case "adagrad": return Adagrad(learningRate: rate, weightDecay: weightDecay)
        case "rmsprop": return RMSprop(learningRate: rate, weightDecay: weightDecay)
        case "adadelta": return Adadelta(learningRate: rate, weightDecay: weightDecay)
        case "adam": return Adam(learningRate: rate, weightDecay: weightDecay)
        case "amsgrad": return Adam(learningRate: rate, amsgrad: true, weightDecay: weightDecay)
        case "adamw": return AdamW(learningRate: rate, weightDecay: weightDecay)
        case "adamax": return AdaMax(learningRate: rate, weightDecay: weightDecay)
        case "nadam": return Nadam(learningRate: rate, weightDecay: weightDecay)
        default:
            throw usageError("unknown optimizer '\(optimizer)'; use sgd, momentum, nesterov, adagrad, rmsprop, adadelta, adam, amsgrad, adamw, adamax or nadam")
        }
    }

    /// The per-step schedule and the callbacks that adjust the rate between epochs.
    func makeSchedule(stepsPerEpoch: Int) throws -> (schedule: (any LearningRateSchedule)?, callbacks: [any Callback]) {
        let parts = schedule.split(separator: ":", maxSplits: 1)
        let name = parts.first.map(String.init) ?? ""
        let arguments = parts.count > 1 ? try parts[1].split(separator: ",").map { text -> Double in
            guard let value = Double(text.trimmingCharacters()), value.isFinite else {
                throw usageError("--schedule \(schedule): '\(text)' is not a number")
            }
            return value
        } : []
        func require(_ count: ClosedRange<Int>, _ form: String) throws {
            guard count.contains(arguments.count) else { throw usageError("--schedule \(name) takes the form \(form), got '\(schedule)'") }
        }
        let base = Double(learningRate), totalSteps = epochs * stepsPerEpoch
        switch name {
        case "constant":
            try require(0...0, "constant")
            return (nil, [])
        case "cosine":
            try require(0...1, "cosine or cosine:WARMUP_EPOCHS")
            let warmup = Int((arguments.first ?? 0) * Double(stepsPerEpoch))
            guard warmup < totalSteps else { throw usageError("--schedule \(schedule): the warm-up must be shorter than --epochs") }
            return (try CosineAnnealing(baseLearningRate: base, totalSteps: totalSteps, warmupSteps: warmup), [])
        case "step":
            try require(2...2, "step:EVERY_EPOCHS,GAMMA")
            guard arguments[0] >= 1 else { throw usageError("--schedule \(schedule): EVERY must be at least 1 epoch") }
            return (try StepDecay(initialLearningRate: base, stepSize: Int(arguments[0]) * stepsPerEpoch, gamma: arguments[1]), [])
        case "exponential":
            try require(1...1, "exponential:GAMMA")
            return (try ExponentialDecay(initialLearningRate: base, decaySteps: stepsPerEpoch, decayRate: arguments[0]), [])
        case "plateau":
            try require(2...2, "plateau:FACTOR,PATIENCE")
            let reducer = try PlateauReducer(initialLearningRate: base, factor: arguments[0], patience: Int(arguments[1]))
            return (nil, [ReduceLROnPlateau(reducer: reducer)])
        default:
            throw usageError("unknown schedule '\(schedule)'; use constant, cosine[:WARMUP], step:EVERY,GAMMA, exponential:GAMMA or plateau:FACTOR,PATIENCE")
        }
    }
}
