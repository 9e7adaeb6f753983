import DescentCore

extension Dataset {
    /// `count` of the samples, chosen at random and stratified by class when the labels are
    /// classes (each class keeps its share within one sample, as `stratifiedSplit` describes),
    /// kept in their original order; the same seed gives the same subset on every machine. All
    /// samples when `count` is the sample count.
    ///
    /// A small subset is the notes' "overfit a tiny subset" check, and, with a large model and
    /// many epochs, a way to plant overfitting.
    ///
    /// - Throws: `DescentError.invalidArgument` for `count` outside `1...sampleCount`, or smaller
    ///   than the number of classes with samples (a stratified subset holds each of them).
    public func subset(count: Int, seed: UInt64) throws -> Dataset {
        let operation = "Dataset.subset"
        try DataValidation.require(
            (1...sampleCount).contains(count), operation,
            "a subset of \(count) samples is outside 1...\(sampleCount), the samples there are")
        guard count < sampleCount else { return self }
        if let counts = classCounts {
            let present = counts.filter { $0 > 0 }.count
            try DataValidation.require(
                count >= present, operation,
                "a stratified subset of \(count) samples cannot hold all \(present) classes; take at least \(present)")
            let fraction = Double(count) / Double(sampleCount)
            return try stratifiedSplit(validationFraction: fraction, seed: seed).validation
        }
        var random = DataRandom(seed: seed, stream: .split)
        return gatheringUnchecked(random.permutation(sampleCount)[..<count].sorted())
    }

    /// The same features with the labels moved between samples by a seeded random permutation
    /// (each label row goes, whole, to another sample): the class counts are kept, and any link
    /// between a sample's features and its label is cut. The notes' planted fault "shuffled
    /// labels": a model can still memorize the training set, but nothing it learns carries over
    /// to new samples, so validation stays at chance.
    public func shufflingLabels(seed: UInt64) -> Dataset {
        var random = DataRandom(seed: seed, stream: .labels)
        let order = random.permutation(sampleCount)
        let newLabels: Labels = switch labels {
        case .classes(let indices, let classCount, let names):
            .classes(indices: order.map { indices[$0] }, classCount: classCount, names: names)
        case .targets(let values, let width):
            .targets(values: order.flatMap { values[$0 * width ..< ($0 + 1) * width] }, width: width)
        }
        return Dataset(unchecked: features, featureCount: featureCount, labels: newLabels, featureNames: featureNames)
    }
}
