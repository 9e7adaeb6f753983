import Descent

/// What every training run of the tool starts from, `descent train`'s and each `descent search`
/// trial's: the trainer with the options' optimizer and schedule, and the callback that adjusts
/// the rate between epochs (the trainer itself stops a run that diverges). Callers add theirs
/// (monitor, progress bar) and then `earlyStopping`, in that order.
struct TrainingSetup<B: Backend> {
    let trainer: Trainer<B>
    /// The optimizer as configured, for the run's description.
    let optimizer: any Optimizer
    var callbacks: [any Callback]
    /// Early stopping on the watched quantity, restoring the best weights; nil with patience 0.
    let earlyStopping: EarlyStopping?

    /// - Parameter monitored: what early stopping watches (`TrainingOptions.monitoredQuantity`).
    init(
        _ training: TrainingOptions, architecture: Sequential, inputShape: SampleShape,
        task: LearningTask, loss: LossFunction, on backend: B, monitored: String
    ) throws {
        let (schedule, scheduleCallbacks) = try training.makeSchedule()
        optimizer = try training.makeOptimizer()
        trainer = try Trainer(
            architecture: architecture, inputShape: inputShape, on: backend, task: task, loss: loss,
            optimizer: optimizer,
            schedule: schedule,
            maxBatch: max(training.batchSize + 1, 256))  // + 1: room to merge a last batch of one
        callbacks = scheduleCallbacks
        earlyStopping =
            training.patience > 0
            ? EarlyStopping(
                monitor: monitored, patience: training.patience, restoreBestWeights: true) : nil
    }
}
