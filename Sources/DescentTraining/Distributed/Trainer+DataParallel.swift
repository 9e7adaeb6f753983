import DescentCore

/// Data-parallel training (`Trainer.communicator` of several ranks): every rank holds the whole
/// model and takes its `RankSlice` of each global batch; the gradients are summed over the
/// ranks in one allreduce of the arena per step, each rank's weighted by its share of the batch,
/// so the sum is the gradient of the global batch's mean loss; every rank then runs the same
/// fused optimizer step on it, and the parameters stay the same on every rank.
///
/// Batch norm normalizes with the global batch's statistics by default (synchronized batch norm,
/// `DataParallelStep.synchronizesBatchNorm`), so that the ranks compute what one process would.
/// Without it each rank normalizes its slice with its own statistics (as PyTorch's
/// DistributedDataParallel does by default), and the running statistics are averaged over the
/// ranks at the end of each epoch, so that every rank evaluates the same model and early stopping
/// decides the same on each.
extension Trainer {
    /// Makes every rank start from rank 0's state: the parameters, batch norm's running
    /// statistics and the optimizer's state, after checking that the ranks train on the same
    /// data in the same batches.
    /// - Throws: `DescentError.ranksDisagree` naming what differs.
    func synchronizeStart(
        _ train: Dataset, validation: Dataset?, batchSize: Int, seed: UInt64
    )
        throws
    {
        let description = [
            "\(train.sampleCount) training samples (fingerprint \(train.fingerprint))",
            validation.map {
                "\($0.sampleCount) validation samples (fingerprint \($0.fingerprint))"
            }
                ?? "no validation set",
            "batches of \(batchSize), seed \(seed)",
            "\(model.parameterCount) parameters in \(model.architecture.layers.count) layers",
        ].joined(separator: ", ")
        let all = try communicator.allgather(description)
        if Set(all).count > 1 {
            throw DescentError.ranksDisagree(what: "the data and the model", values: all)
        }
        for view in [model.parameters.view] + model.stateBuffers + optimizer.state.map(\.view) {
            var values = try backend.download(view)
            try communicator.broadcast(&values, from: 0)
            try backend.upload(values, to: view)
        }
    }

    /// Replaces each rank's gradient of its `rows` rows' mean loss with the gradient of the
    /// global batch's mean loss over `globalRows` rows: each rank's weighted by
    /// `rows / globalRows`, summed over the ranks.
    /// The time it takes, from the end of this rank's backward pass to the summed gradients on
    /// the device, goes to `communicationSeconds`.
    func sumGradients(rows: Int, of globalRows: Int) throws {
        try backend.synchronize()
        let started = monotonicSeconds()
        let view = model.gradients.view
        var values = try backend.download(view)
        let weight = Float(rows) / Float(globalRows)
        if weight != 1 { for index in values.indices { values[index] *= weight } }
        try communicator.allreduceSum(&values)
        try backend.upload(values, to: view)
        try backend.synchronize()
        communicationSeconds += monotonicSeconds() - started
    }

    /// Averages batch norm's running statistics over the ranks.
    func averageRunningStatistics() throws {
        let scale = 1 / Float(communicator.size)
        for view in model.stateBuffers {
            var values = try backend.download(view)
            try communicator.allreduceSum(&values)
            try backend.upload(values.map { $0 * scale }, to: view)
        }
    }

    /// Whether any rank's callbacks asked to stop (a collective: every rank calls it each step).
    func anyRankRequestsStop(_ mine: Bool) throws -> Bool {
        var flag: [Int32] = [mine ? 1 : 0]
        try communicator.allreduceSum(&flag)
        return flag[0] > 0
    }

    /// A checksum of the parameters on each rank, in rank order: all equal when the ranks agree,
    /// as data-parallel training keeps them.
    public func parameterChecksums() throws -> [UInt64] {
        let values = try backend.download(model.parameters.view)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for value in values {
            hash = (hash ^ UInt64(value.bitPattern)) &* 0x100_0000_01b3
        }
        var all = [UInt64](repeating: 0, count: communicator.size)
        try withUnsafeBytes(of: hash) { mine in
            try all.withUnsafeMutableBytes { try communicator.allgather(mine, into: $0) }
        }
        return all
    }
}

extension Dataset {
    /// A hash of the sample count, the features at up to 65,536 evenly spread places and every
    /// label: equal on ranks that loaded the same data with the same seed, different otherwise
    /// (another split, shuffle or file) all but surely.
    var fingerprint: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bits: UInt64) { hash = (hash ^ bits) &* 0x100_0000_01b3 }
        mix(UInt64(sampleCount))
        mix(UInt64(featureCount))
        let strideLength = max(1, features.count / 65_536)
        for index in stride(from: 0, to: features.count, by: strideLength) {
            mix(UInt64(features[index].bitPattern))
        }
        for value in classIndices ?? [] { mix(UInt64(UInt32(bitPattern: value))) }
        for value in targets ?? [] { mix(UInt64(value.bitPattern)) }
        return String(hash, radix: 16)
    }
}
