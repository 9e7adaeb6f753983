/// Where a training forward pass takes its random numbers (dropout masks, noise, augmentation):
/// the training step, and the batch's first row within the step's global batch.
///
/// Each step owns `maxBatch` rows of every random layer's stream, and each row its place in
/// them, so a sample gets the same draws however data-parallel training shares the batch out
/// over ranks (`RankSlice`).
public struct DrawPosition: Sendable, Equatable {
    /// The number of training forward passes before this one.
    public var step: Int
    /// The batch's first row within the step's global batch (0 in one process).
    public var firstRow: Int

    public init(step: Int, firstRow: Int = 0) {
        self.step = step
        self.firstRow = firstRow
    }

    /// The stream offset of this batch's first value, for a layer that draws `valuesPerRow`
    /// values per row in batches of up to `maxBatch` rows.
    public func offset(maxBatch: Int, valuesPerRow: Int) -> UInt64 {
        UInt64(step) &* UInt64(maxBatch * valuesPerRow) &+ UInt64(firstRow * valuesPerRow)
    }
}
