@_spi(Benchmarking) import DescentOpenCL
import Descent

/// Rows of a run under `mpirun` (`mpirun -np 2 descent-bench --filter mpi`): the allreduce's
/// bandwidth over buffer sizes from 64 KB to 64 MB, and data-parallel training's step split into
/// computing and communicating. Every rank runs the same collectives in the same order; rank 0
/// records the rows, from its own clock. (Ranks that share a machine's cores, as on a 2-core CI
/// machine, slow each other down: the split then shows the waiting.)
enum DistributedBench {
    static func run(_ context: BenchContext, communicator: any Communicator) throws {
        guard communicator.isDistributed else { return }
        let ranks = communicator.size
        let sizes = (context.quick ? [16, 18, 20] : [16, 18, 20, 22, 24, 26]).map { 1 << $0 }
        for bytes in sizes {
            let shape = "\(bytes >> 10) KB, \(ranks) ranks"
            guard context.selected("allreduce", "mpi", shape) else { continue }
            var values = [Float](repeating: 1, count: bytes / 4)
            var samples: [Double] = []
            for run in 0..<(context.runs + 2) {
                try communicator.barrier()
                let started = monotonicSeconds()
                try communicator.allreduceSum(&values)
                if run >= 2 { samples.append((monotonicSeconds() - started) * 1000) }
            }
            // Ones summed runs + 2 times over the ranks: ranks^(runs + 2), exactly, in floats.
            let expected = Float(
                (0..<(context.runs + 2)).reduce(1.0) { sum, _ in sum * Double(ranks) })
            guard values.allSatisfy({ $0 == expected }) else {
                throw ValidationFailure(what: "allreduce of \(shape)", error: .infinity)
            }
            let timing = Timing(samples: samples)
            let gigabytesPerSecond = Double(bytes) / (timing.median / 1000) / 1e9
            // NCCL's bus bandwidth: what each link carries in a ring allreduce.
            let bus = gigabytesPerSecond * 2 * Double(ranks - 1) / Double(ranks)
            try context.record(
                BenchResult(
                    name: "allreduce", backend: "mpi", device: "Open MPI, \(ranks) ranks",
                    shape: shape, timing: timing, rate: .gbps(gigabytesPerSecond),
                    note: "sum checked; bus bandwidth \(BenchTable.fixed(bus, 2)) GB/s"))
        }
        try trainingStep(context, communicator: communicator)
    }

    /// One data-parallel epoch of the MLP of `train_mlp` (batch 128 over the ranks) after one to
    /// warm up: samples per second over all ranks, and the step's time split into computing and
    /// summing the gradients (`Trainer.communicationSeconds`).
    private static func trainingStep(
        _ context: BenchContext, communicator: any Communicator
    )
        throws
    {
        let batch = 128, ranks = communicator.size
        let shape = "784-512-256-10 batch=\(batch) over \(ranks) ranks"
        guard context.selected("train_mlp_data_parallel", "opencl", shape) else { return }
        let samples = context.quick ? 4096 : 16384
        let data = try Dataset(
            features: benchValues(samples * 784, seed: 11), featureCount: 784,
            classIndices: (0..<samples).map { Int32($0 * 7 % 10) }, classCount: 10)
        let trainer = try Trainer(
            architecture: TrainingBench.architecture(batchNorm: false), on: context.openCL,
            loss: .softmaxCrossEntropy, optimizer: Adam(learningRate: 1e-3), maxBatch: batch)
        trainer.communicator = communicator
        _ = try trainer.fit(data, epochs: 1, batchSize: batch, seed: 2)
        let communicatedBefore = trainer.communicationSeconds
        let started = monotonicSeconds()
        _ = try trainer.fit(data, epochs: 1, batchSize: batch, seed: 3)
        let seconds = monotonicSeconds() - started
        let steps = Double((samples + batch - 1) / batch)
        let communication = (trainer.communicationSeconds - communicatedBefore) / steps * 1000
        let step = seconds / steps * 1000
        let megabytes = Double(trainer.model.arenaCount * 4) / 1e6
        try context.record(
            BenchResult(
                name: "train_mlp_data_parallel", backend: "opencl", device: context.device,
                shape: shape, timing: Timing(median: step, min: step, max: step),
                rate: .samplesPerSecond(Double(samples) / seconds),
                note: "ms per step: \(BenchTable.fixed(step - communication, 2)) computing, "
                    + "\(BenchTable.fixed(communication, 2)) summing \(BenchTable.fixed(megabytes, 1)) MB "
                    + "of gradients, waiting for the slowest rank included "
                    + "(\(BenchTable.fixed(100 * communication / step, 0))%)"))
    }
}
