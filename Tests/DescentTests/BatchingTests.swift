import Descent
@testable import DescentTraining
@testable import DescentWorkshop
import Testing

/// How an epoch is cut into steps, and that a last batch of one sample never reaches batch norm.
@Suite struct BatchingTests {
    @Test func aLastBatchOfOneIsMergedOrLeftOut() {
        func sizes(_ n: Int, _ batch: Int, maxBatch: Int) -> [Int] {
            Trainer<CPUBackend>.batches(sampleCount: n, batchSize: batch, maxBatch: maxBatch).map(
                \.size)
        }
        #expect(sizes(20, 10, maxBatch: 10) == [10, 10])
        #expect(sizes(22, 10, maxBatch: 10) == [10, 10, 2])
        #expect(sizes(21, 10, maxBatch: 16) == [10, 11], "merged into the batch before")
        #expect(
            sizes(21, 10, maxBatch: 10) == [10, 10], "left out when merging would exceed maxBatch")
        #expect(sizes(1, 10, maxBatch: 10) == [1], "a data set of one sample is one batch")
        #expect(sizes(3, 1, maxBatch: 4) == [1, 1, 1], "batches of one by choice stay so")
        let batches = Trainer<CPUBackend>.batches(sampleCount: 21, batchSize: 10, maxBatch: 16)
        #expect(batches.map(\.start) == [0, 10])
    }

    /// A plain 184-row data set at batch size 61 (184 = 3 * 61 + 1), merged or left out, and at
    /// a batch size one short of the data: batch norm's running variance of a batch of one would
    /// be 0/0, which validation would show.
    @Test(arguments: [(184, 61, 62), (184, 61, 61), (2100, 2099, 2099)])
    func batchNormTrainsWhateverTheRemainder(samples: Int, batchSize: Int, maxBatch: Int) throws {
        let data = try Dataset.spirals(sampleCount: samples, classes: 2, noise: 0.1, seed: 1)
        let trainer = try Trainer(
            architecture: Sequential(seed: 2) {
                Dense(2, 8); BatchNorm(8); ReLU(); Dense(8, 2)
            }, on: CPUBackend(),
            loss: .softmaxCrossEntropy, optimizer: SGD(learningRate: 0.1), maxBatch: maxBatch)
        let history = try trainer.fit(data, validation: data, epochs: 2, batchSize: batchSize)
        #expect(history.stopReason == nil, "\(history.stopReason ?? "")")
        #expect(
            history.epochs.count == 2
                && history.epochs.allSatisfy {
                    $0.loss.isFinite && $0.validationLoss?.isFinite == true
                })
    }
}
