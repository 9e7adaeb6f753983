#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How this process was started: alone, or as one rank of a job that `mpirun` launched.
public enum DistributedLaunch {
    /// An environment: the value of a variable, or nil when it is unset.
    public typealias Environment = @Sendable (String) -> String?

    /// This process's environment.
    public static let processEnvironment: Environment = { name in
        getenv(name).map { String(cString: $0) }
    }

    /// The job's size as the launcher tells it: `OMPI_COMM_WORLD_SIZE` (Open MPI's `mpirun`) or
    /// `PMI_SIZE` (PMI launchers such as Slurm's `srun` or Hydra); nil when started alone.
    public static func launchedSize(environment: Environment = processEnvironment) -> Int? {
        for name in ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE"] {
            if let text = environment(name), let size = Int(text), size >= 1 { return size }
        }
        return nil
    }

    /// This process's rank among the job's processes on its machine, as the launcher tells it.
    public static func localRank(environment: Environment = processEnvironment) -> Int? {
        for name in [
            "OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "PMI_LOCAL_RANK", "SLURM_LOCALID",
        ] {
            if let text = environment(name), let rank = Int(text), rank >= 0 { return rank }
        }
        return nil
    }

    /// The communicator of this process: an `MPICommunicator` when a launcher started it, a
    /// `SingleProcessCommunicator` otherwise.
    /// - Throws: as `MPICommunicator.init(environment:)`, only under a launcher.
    public static func communicator(
        environment: Environment = processEnvironment
    ) throws
        -> any Communicator
    {
        guard launchedSize(environment: environment) != nil else {
            return SingleProcessCommunicator()
        }
        return try MPICommunicator(environment: environment)
    }
}
