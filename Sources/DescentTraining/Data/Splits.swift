import DescentCore

extension Dataset {
    /// Splits the samples into training and validation sets with every class represented in
    /// proportion, as scikit-learn's `StratifiedShuffleSplit`.
    ///
    /// The validation set has `round(validationFraction * N)` samples. Class `k`, with `n_k` of the
    /// N samples, gets `floor` or `ceil` of its exact share `n_k * validationFraction'` (where
    /// `validationFraction'` is the rounded size over N): the floors are taken, and the samples
    /// left over go to the classes with the largest remainders (ties broken by the seed). So each
    /// class's count differs from its exact share by less than one sample. Which samples of a
    /// class go where is decided by a Philox-driven shuffle keyed by `seed` (the same seed gives
    /// the same split on every machine). Both sets keep the samples in their original order.
    ///
    /// - Parameters:
    ///   - validationFraction: The share of samples to hold out, in `(0, 1)`.
    ///   - seed: The key of the random choice.
    /// - Throws: `DescentError.invalidArgument` when the labels are not classes, the fraction is
    ///   out of range, either set would be empty, or a class that has samples would have none in
    ///   either set (the message names the class and what to change).
    public func stratifiedSplit(
        validationFraction: Double, seed: UInt64
    ) throws -> (train: Dataset, validation: Dataset) {
        let parts = try stratifiedPartition(
            fractions: [("validation", validationFraction)], seed: seed)
        return (gatheringUnchecked(parts[0]), gatheringUnchecked(parts[1]))
    }

    /// Splits the samples into training, validation and test sets with every class represented
    /// in proportion; `stratifiedSplit(validationFraction:seed:)` describes the rule, applied to
    /// the validation and test sets independently (each has `round(fraction * N)` samples and
    /// each class's share within one sample), the training set taking the rest.
    ///
    /// - Parameters:
    ///   - validationFraction: The share of samples for validation, in `(0, 1)`.
    ///   - testFraction: The share of samples for testing, in `(0, 1)`, with the two summing to less than 1.
    ///   - seed: The key of the random choice.
    /// - Throws: `DescentError.invalidArgument` as `stratifiedSplit(validationFraction:seed:)`.
    public func stratifiedSplit(
        validationFraction: Double, testFraction: Double, seed: UInt64
    ) throws -> (train: Dataset, validation: Dataset, test: Dataset) {
        let parts = try stratifiedPartition(
            fractions: [("validation", validationFraction), ("test", testFraction)], seed: seed)
        return (
            gatheringUnchecked(parts[0]), gatheringUnchecked(parts[1]), gatheringUnchecked(parts[2])
        )
    }

    /// Splits the samples into training and validation sets at random, without regard to the labels
    /// (for real-valued targets): `round(validationFraction * N)` samples chosen by a Philox-driven
    /// shuffle keyed by `seed` go to validation. Both sets keep the samples in their original order.
    ///
    /// - Throws: `DescentError.invalidArgument` when the fraction is out of range or either set would be empty.
    public func randomSplit(
        validationFraction: Double, seed: UInt64
    ) throws -> (train: Dataset, validation: Dataset) {
        let size = try partSizes(
            [("validation", validationFraction)], operation: "Dataset.randomSplit")[0]
        var random = DataRandom(seed: seed, stream: .split)
        let order = random.permutation(sampleCount)
        return (
            gatheringUnchecked(order[size...].sorted()), gatheringUnchecked(order[..<size].sorted())
        )
    }

    /// The sample indices of the training set and of each part named in `fractions`, in that order.
    private func stratifiedPartition(
        fractions: [(name: String, fraction: Double)], seed: UInt64
    ) throws -> [[Int]] {
        let operation = "Dataset.stratifiedSplit"
        guard case .classes(let labels, let classCount, let names) = labels else {
            throw DescentError.invalidArgument(
                operation: operation,
                reason:
                    "the labels are real-valued targets, which cannot be stratified; use randomSplit"
            )
        }
        let sizes = try partSizes(fractions, operation: operation)
        var random = DataRandom(seed: seed, stream: .split)
        var members = [[Int]](repeating: [], count: classCount)
        for index in random.permutation(sampleCount) { members[Int(labels[index])].append(index) }
        let counts = members.map(\.count)

        // allocation[p][k]: how many samples of class k go to part p.
        let allocation = sizes.map { size in apportion(size, among: counts, random: &random) }
        var parts = [[Int]](repeating: [], count: sizes.count + 1)
        for k in 0..<classCount where counts[k] > 0 {
            let className = names.map { "'\($0[k])' (class \(k))" } ?? "class \(k)"
            var start = 0
            for (p, part) in fractions.enumerated() {
                let take = min(allocation[p][k], counts[k] - start)
                guard take > 0 else {
                    throw DescentError.invalidArgument(
                        operation: operation,
                        reason:
                            "\(className) has \(counts[k]) samples, and a \(part.name) fraction of \(part.fraction) "
                            + "leaves it no \(part.name) sample; raise the fraction or give the class more samples"
                    )
                }
                parts[p + 1] += members[k][start..<start + take]
                start += take
            }
            guard start < counts[k] else {
                throw DescentError.invalidArgument(
                    operation: operation,
                    reason:
                        "\(className) has \(counts[k]) samples, all of which the split takes for "
                        + fractions.map(\.name).joined(separator: " and ")
                        + ", which leaves it no training sample; lower the fractions or give the class more samples"
                )
            }
            parts[0] += members[k][start...]
        }
        return parts.map { $0.sorted() }
    }

    /// `round(fraction * N)` for each part, each at least 1, leaving at least 1 sample for training.
    private func partSizes(
        _ fractions: [(name: String, fraction: Double)], operation: String
    ) throws -> [Int] {
        var sizes = [Int]()
        for (name, fraction) in fractions {
            try DataValidation.require(
                fraction > 0 && fraction < 1, operation,
                "the \(name) fraction must be in (0, 1), got \(fraction)")
            let size = Int((fraction * Double(sampleCount)).rounded())
            try DataValidation.require(
                size >= 1, operation,
                "a \(name) fraction of \(fraction) of \(sampleCount) samples gives an empty \(name) set; "
                    + "raise the fraction or use more samples")
            sizes.append(size)
        }
        let held = sizes.reduce(0, +)
        try DataValidation.require(
            held < sampleCount, operation,
            "the \(fractions.map(\.name).joined(separator: " and ")) sets take \(held) of the \(sampleCount) "
                + "samples, which leaves an empty training set; lower the fractions")
        return sizes
    }
}

/// `total` split among classes of `counts` samples in proportion (largest remainder): class `k`
/// gets `floor(total * n_k / N)`, and the `total - sum(floors)` left over go one each to the
/// classes with the largest remainders `total * n_k mod N`, ties in a random order.
func apportion(_ total: Int, among counts: [Int], random: inout DataRandom) -> [Int] {
    let n = counts.reduce(0, +)
    var shares = counts.map { total * $0 / n }
    let remainders = counts.map { total * $0 % n }
    let tieOrder = random.permutation(counts.count)
    let ranked = counts.indices.sorted { a, b in
        remainders[a] != remainders[b] ? remainders[a] > remainders[b] : tieOrder[a] < tieOrder[b]
    }
    for k in ranked.prefix(total - shares.reduce(0, +)) { shares[k] += 1 }
    return shares
}
