import DescentCore

extension Dataset {
    /// `count` of the samples, chosen at random and stratified by class when the labels are
    /// classes, kept in their original order; the same seed gives the same subset on every
    /// machine (its own Philox stream, so a subset drawn with the seed of a split is not tied to
    /// that split). All samples when `count` is the sample count.
    ///
    /// Stratified: class `k`, with `n_k` of the N samples, gets its exact share `n_k * count / N`
    /// rounded by largest remainders (as the splits), and at least one sample (every class with
    /// samples is kept). A small subset is the notes' "overfit a tiny subset" check, and, with a
    /// large model and many epochs, a way to plant overfitting.
    ///
    /// - Throws: `DescentError.invalidArgument` for `count` outside `1...sampleCount`, or, with
    ///   classes, smaller than the number of classes that have samples.
    public func subset(count: Int, seed: UInt64) throws -> Dataset {
        let operation = "Dataset.subset"
        try DataValidation.require(
            (1...sampleCount).contains(count), operation,
            "a subset of \(count) samples is outside 1...\(sampleCount), the samples there are")
        guard count < sampleCount else { return self }
        var random = DataRandom(seed: seed, stream: .subset)
        guard case .classes(let labels, let classCount, _) = labels else {
            return gatheringUnchecked(random.permutation(sampleCount)[..<count].sorted())
        }
        var members = [[Int]](repeating: [], count: classCount)
        for index in random.permutation(sampleCount) { members[Int(labels[index])].append(index) }
        let present = members.filter { !$0.isEmpty }.count
        try DataValidation.require(
            count >= present, operation,
            "a stratified subset of \(count) samples cannot hold all \(present) classes; take at least \(present)"
        )
        let taken = Self.stratifiedCounts(members.map(\.count), total: count, random: &random)
        return gatheringUnchecked(zip(members, taken).flatMap { $0.prefix($1) }.sorted())
    }

    /// How many samples of each class a stratified subset of `total` takes: the splits'
    /// largest-remainder apportionment (`apportion`), then one sample for each class with samples
    /// that got none, taken from the class with the most. Needs `total` in `present...sizes.sum()`.
    static func stratifiedCounts(_ sizes: [Int], total: Int, random: inout DataRandom) -> [Int] {
        var counts = apportion(total, among: sizes, random: &random)
        for k in sizes.indices where sizes[k] > 0 && counts[k] == 0 {
            guard let donor = counts.indices.max(by: { counts[$0] < counts[$1] }), counts[donor] > 1
            else { break }
            counts[donor] -= 1
            counts[k] = 1
        }
        return counts
    }

    /// The same features with the labels moved between samples by a seeded random permutation
    /// (each label row goes, whole, to another sample): the class counts are kept, and any link
    /// between a sample's features and its label is cut. The notes' planted fault "shuffled
    /// labels": a model can still memorize the training set, but nothing it learns carries over
    /// to new samples, so validation stays at chance.
    public func shufflingLabels(seed: UInt64) -> Dataset {
        var random = DataRandom(seed: seed, stream: .labels)
        let order = random.permutation(sampleCount)
        let newLabels: Labels =
            switch labels {
            case .classes(let indices, let classCount, let names):
                .classes(indices: order.map { indices[$0] }, classCount: classCount, names: names)
            case .targets(let values, let width):
                .targets(
                    values: order.flatMap { values[$0 * width..<($0 + 1) * width] }, width: width)
            }
        return Dataset(
            unchecked: features, sampleShape: sampleShape, labels: newLabels,
            featureNames: featureNames)
    }
}
