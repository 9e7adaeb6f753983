import Descent
import Testing

/// The sample ids (feature 0 of `classDataset`) of a split part.
private func ids(_ dataset: Dataset) -> [Int] {
    stride(from: 0, to: dataset.features.count, by: 2).map { Int(dataset.features[$0]) }
}

struct SplitTests {
    @Test(arguments: [0.1, 0.25, 0.5, 0.77])
    func stratifiedSplitKeepsClassProportions(fraction: Double) throws {
        let counts = [137, 61, 23, 9, 0, 40]
        let dataset = try classDataset(counts: counts)
        let total = counts.reduce(0, +)
        for seed: UInt64 in [0, 1, 99] {
            let (train, validation) = try dataset.stratifiedSplit(
                validationFraction: fraction, seed: seed)
            let size = Int((fraction * Double(total)).rounded())
            #expect(validation.sampleCount == size)
            #expect(train.sampleCount == total - size)
            let validationCounts = try #require(validation.classCounts)
            for (k, count) in counts.enumerated() {
                let exact = Double(size) * Double(count) / Double(total)
                #expect(
                    abs(Double(validationCounts[k]) - exact) < 1,
                    "class \(k): \(validationCounts[k]) vs \(exact)")
                #expect(train.classCounts![k] + validationCounts[k] == count)
            }
            // Disjoint, covering every sample, in the original order, labels attached.
            #expect((ids(train) + ids(validation)).sorted() == Array(0..<total))
            #expect(
                ids(train) == ids(train).sorted() && ids(validation) == ids(validation).sorted())
            #expect(ids(validation).map { dataset.classIndices![$0] } == validation.classIndices)
            // Deterministic per seed.
            let again = try dataset.stratifiedSplit(validationFraction: fraction, seed: seed)
            #expect(again.train == train && again.validation == validation)
        }
        let first = try dataset.stratifiedSplit(validationFraction: fraction, seed: 5)
        let second = try dataset.stratifiedSplit(validationFraction: fraction, seed: 6)
        #expect(
            first.validation != second.validation, "the seed changes which samples are held out")
    }

    @Test func threeWaySplitKeepsClassProportions() throws {
        let counts = [100, 50, 31]
        let dataset = try classDataset(counts: counts)
        let (train, validation, test) = try dataset.stratifiedSplit(
            validationFraction: 0.2, testFraction: 0.1, seed: 3)
        #expect(validation.sampleCount == 36 && test.sampleCount == 18 && train.sampleCount == 127)
        for (k, count) in counts.enumerated() {
            #expect(abs(Double(validation.classCounts![k]) - 36.0 * Double(count) / 181) < 1)
            #expect(abs(Double(test.classCounts![k]) - 18.0 * Double(count) / 181) < 1)
        }
        #expect((ids(train) + ids(validation) + ids(test)).sorted() == Array(0..<181))
        let again = try dataset.stratifiedSplit(validationFraction: 0.2, testFraction: 0.1, seed: 3)
        #expect(again.train == train && again.validation == validation && again.test == test)
    }

    @Test func stratifiedSplitRejectsASplitThatEmptiesAClass() throws {
        let names = ["cat", "dog", "eel"]
        let base = try classDataset(counts: [20, 20, 2])
        let dataset = try base.relabelled(
            .classes(indices: base.classIndices!, classCount: 3, names: names))
        expectDescentError(mentioning: [
            "'eel' (class 2) has 2 samples", "validation fraction of 0.1", "no validation sample",
        ]) {
            _ = try dataset.stratifiedSplit(validationFraction: 0.1, seed: 0)
        }
        expectDescentError(mentioning: ["'eel' (class 2) has 2 samples", "no training sample"]) {
            _ = try dataset.stratifiedSplit(validationFraction: 0.4, testFraction: 0.4, seed: 0)
        }
        let single = try classDataset(counts: [10, 1])
        expectDescentError(mentioning: ["class 1 has 1 samples"]) {
            _ = try single.stratifiedSplit(validationFraction: 0.5, seed: 0)
        }
        expectDescentError(mentioning: ["fraction must be in (0, 1)"]) {
            _ = try dataset.stratifiedSplit(validationFraction: 1, seed: 0)
        }
        expectDescentError(mentioning: ["empty validation set"]) {
            _ = try dataset.stratifiedSplit(validationFraction: 0.001, seed: 0)
        }
        expectDescentError(mentioning: ["empty training set"]) {
            _ = try dataset.stratifiedSplit(validationFraction: 0.6, testFraction: 0.4, seed: 0)
        }
        let regression = try Dataset(
            features: [1, 2, 3, 4], featureCount: 1, targets: [1, 2, 3, 4])
        expectDescentError(mentioning: ["cannot be stratified", "randomSplit"]) {
            _ = try regression.stratifiedSplit(validationFraction: 0.5, seed: 0)
        }
    }

    @Test func randomSplitHoldsOutTheRoundedFraction() throws {
        let dataset = try Dataset(
            features: (0..<50).map(Float.init), featureCount: 1, targets: (0..<50).map(Float.init))
        let (train, validation) = try dataset.randomSplit(validationFraction: 0.3, seed: 11)
        #expect(validation.sampleCount == 15 && train.sampleCount == 35)
        #expect((train.features + validation.features).sorted() == dataset.features)
        #expect(validation.targets == validation.features)
        #expect(try dataset.randomSplit(validationFraction: 0.3, seed: 11).validation == validation)
        #expect(try dataset.randomSplit(validationFraction: 0.3, seed: 12).validation != validation)
        expectDescentError(mentioning: ["fraction must be in (0, 1)"]) {
            _ = try dataset.randomSplit(validationFraction: 0, seed: 0)
        }
    }

    @Test func aSubsetIsStratifiedSeededAndInOrder() throws {
        let data = try Dataset(
            features: (0..<300).map(Float.init), featureCount: 1,
            classIndices: (0..<300).map { Int32($0 < 200 ? 0 : $0 < 270 ? 1 : 2) }, classCount: 3)
        let subset = try data.subset(count: 30, seed: 5)
        #expect(subset.classCounts == [20, 7, 3], "each class keeps its share")
        #expect(subset.features == subset.features.sorted(), "kept in their original order")
        #expect(
            try data.subset(count: 30, seed: 5).features == subset.features,
            "the same seed, the same subset")
        #expect(try data.subset(count: 30, seed: 6).features != subset.features)
        #expect(try data.subset(count: 300, seed: 5) == data)
        #expect(throws: DescentError.self) { try data.subset(count: 2, seed: 5) }
        #expect(throws: DescentError.self) { try data.subset(count: 301, seed: 5) }
        let targets = try Dataset(
            features: (0..<10).map(Float.init), featureCount: 1, targets: (0..<10).map(Float.init))
        let picked = try targets.subset(count: 4, seed: 1)
        #expect(
            picked.sampleCount == 4 && picked.features == picked.targets,
            "features and targets stay together")
    }

    @Test func aSubsetNearTheWholeOrOfRareClassesKeepsEveryClass() throws {
        let halves = try Dataset(
            features: (0..<1000).map(Float.init), featureCount: 1,
            classIndices: (0..<1000).map { Int32($0 % 2) }, classCount: 2)
        #expect(
            try halves.subset(count: 999, seed: 1).classCounts.map { $0.sorted() } == [499, 500])
        let skewed = try Dataset(
            features: (0..<1000).map(Float.init), featureCount: 1,
            classIndices: (0..<1000).map { Int32($0 < 900 ? 0 : $0 < 995 ? 1 : 2) }, classCount: 3)
        #expect(
            try skewed.subset(count: 10, seed: 1).classCounts == [8, 1, 1],
            "every class kept, the rest by share")
        #expect(try skewed.subset(count: 3, seed: 1).classCounts == [1, 1, 1])
    }

    @Test func shufflingLabelsKeepsTheFeaturesAndTheClassCounts() throws {
        let data = try Dataset.spirals(sampleCount: 400, classes: 4, noise: 0.1, seed: 3)
        let shuffled = data.shufflingLabels(seed: 9)
        #expect(shuffled.features == data.features)
        #expect(shuffled.classCounts == data.classCounts)
        let kept = zip(shuffled.classIndices!, data.classIndices!).filter { $0 == $1 }.count
        #expect(kept > 60 && kept < 140, "about a quarter keep their label by chance: \(kept)")
        #expect(data.shufflingLabels(seed: 9) == shuffled, "seeded")
    }
}
