/// The data-parallel step a model's layers take part in, for the layers that talk to the other
/// ranks in the middle of a step (synchronized batch norm). `Trainer.fit` sets it before each
/// step; a model trained in one process leaves it at one process.
public final class DataParallelStep {
    /// The job the model's trainer runs in.
    public internal(set) var communicator: any Communicator = SingleProcessCommunicator()
    /// Whether batch norm normalizes with the statistics of the global batch, summed over the
    /// ranks at each layer (the default: the same arithmetic as one process), or with each rank's
    /// own slice's (PyTorch DistributedDataParallel's default: no communication inside the step).
    public var synchronizesBatchNorm = true
    /// This rank's rows of the current step, and the global batch's.
    public internal(set) var rows = 0
    public internal(set) var globalRows = 0

    /// Whether batch norm synchronizes in this step.
    var synchronizing: Bool { synchronizesBatchNorm && communicator.isDistributed }
}
