import Descent
import Testing

struct DatasetTests {
    @Test func holdsFeaturesAndLabels() throws {
        let dataset = try Dataset(
            features: [1, 2, 3, 4, 5, 6], featureCount: 2, classIndices: [1, 0, 1], classCount: 3,
            classNames: ["a", "b", "c"])
        #expect(dataset.sampleCount == 3)
        #expect(dataset.featureCount == 2)
        #expect(Array(dataset.features(ofSample: 1)) == [3, 4])
        #expect(dataset.classCounts == [1, 2, 0])
        #expect(dataset.labelWidth == 1)
        #expect(dataset.targets == nil)

        let regression = try Dataset(
            features: [1, 2, 3], featureCount: 1, targets: [0.5, 1, 1.5, 2, 2.5, 3], targetWidth: 2)
        #expect(regression.sampleCount == 3)
        #expect(regression.labelWidth == 2)
        #expect(
            regression.classIndices == nil && regression.classCount == nil
                && regression.classCounts == nil)
    }

    @Test func rejectsBadInput() {
        let cases: [(mentions: [String], make: () throws -> Dataset)] = [
            (
                ["empty"],
                { try Dataset(features: [], featureCount: 2, classIndices: [], classCount: 2) }
            ),
            (
                ["feature count must be >= 1"],
                {
                    try Dataset(features: [1], featureCount: 0, classIndices: [0], classCount: 1)
                }
            ),
            (
                ["5 feature values", "samples of 2 features"],
                {
                    try Dataset(
                        features: [1, 2, 3, 4, 5], featureCount: 2, classIndices: [0, 0],
                        classCount: 1)
                }
            ),
            (
                ["feature 1 of sample 2 is nan", "NaN"],
                {
                    try Dataset(
                        features: [1, 2, 3, 4, 5, .nan], featureCount: 2, classIndices: [0, 0, 0],
                        classCount: 1)
                }
            ),
            (
                ["feature 0 of sample 1 is -inf"],
                {
                    try Dataset(
                        features: [1, 2, -.infinity, 4], featureCount: 2, classIndices: [0, 0],
                        classCount: 1)
                }
            ),
            (
                ["label of sample 1 is 3", "outside 0..<3"],
                {
                    try Dataset(
                        features: [1, 2], featureCount: 1, classIndices: [0, 3], classCount: 3)
                }
            ),
            (
                ["label of sample 0 is -1"],
                {
                    try Dataset(
                        features: [1, 2], featureCount: 1, classIndices: [-1, 0], classCount: 3)
                }
            ),
            (
                ["1 class labels were given for 2 samples"],
                {
                    try Dataset(
                        features: [1, 2], featureCount: 1, classIndices: [0], classCount: 3)
                }
            ),
            (
                ["2 class names were given for 3 classes"],
                {
                    try Dataset(
                        features: [1], featureCount: 1, classIndices: [0], classCount: 3,
                        classNames: ["a", "b"])
                }
            ),
            (
                ["1 feature names were given for 2 features"],
                {
                    try Dataset(
                        features: [1, 2], featureCount: 2, classIndices: [0], classCount: 1,
                        featureNames: ["x"])
                }
            ),
            (
                ["target 1 of sample 0 is nan"],
                {
                    try Dataset(features: [1], featureCount: 1, targets: [0, .nan], targetWidth: 2)
                }
            ),
            (
                ["3 target values were given for 2 samples of 1 targets"],
                {
                    try Dataset(features: [1, 2], featureCount: 1, targets: [0, 1, 2])
                }
            ),
        ]
        for (mentions, make) in cases {
            expectDescentError(mentioning: ["Dataset"] + mentions) { _ = try make() }
        }
    }

    @Test func gathersSamplesByIndex() throws {
        let dataset = try Dataset(
            features: [0, 1, 10, 11, 20, 21], featureCount: 2, targets: [5, 6, 7])
        let gathered = try dataset.gathering([2, 0, 2])
        #expect(gathered.features == [20, 21, 0, 1, 20, 21])
        #expect(gathered.targets == [7, 5, 7])
        expectDescentError(mentioning: ["index 3 is outside 0..<3"]) {
            _ = try dataset.gathering([0, 3])
        }
        expectDescentError(mentioning: ["empty data set"]) { _ = try dataset.gathering([]) }
    }

    @Test func shufflesDeterministicallyPerSeed() throws {
        let dataset = try classDataset(counts: [40, 30, 30])
        let once = dataset.shuffled(seed: 7)
        #expect(once == dataset.shuffled(seed: 7))
        #expect(once != dataset.shuffled(seed: 8))
        #expect(once != dataset)
        // A permutation: every sample once, its label still attached.
        let order = stride(from: 0, to: once.features.count, by: 2).map { Int(once.features[$0]) }
        #expect(order.sorted() == Array(0..<100))
        #expect(order.map { dataset.classIndices![$0] } == once.classIndices)
        #expect(once.classCounts == [40, 30, 30])
    }
}

struct OneHotTests {
    @Test func encodesAndDecodes() throws {
        let rows = try OneHot.encode([2, 0, 1, 2], classCount: 3)
        #expect(rows == [0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1])
        #expect(try OneHot.decode(rows, classCount: 3) == [2, 0, 1, 2])
        #expect(try OneHot.decode([0.1, 0.7, 0.2, -3, -1, -1], classCount: 3) == [1, 1])
        expectDescentError(mentioning: ["index 1 is 3", "outside 0..<3"]) {
            _ = try OneHot.encode([0, 3], classCount: 3)
        }
        expectDescentError(mentioning: ["class count must be >= 1"]) {
            _ = try OneHot.encode([0], classCount: 0)
        }
        expectDescentError(mentioning: ["not a whole number of rows"]) {
            _ = try OneHot.decode([1, 0], classCount: 3)
        }
        expectDescentError(mentioning: ["row 1 holds NaN"]) {
            _ = try OneHot.decode([1, 0, .nan, 0], classCount: 2)
        }
    }

    @Test func turnsClassLabelsIntoTargets() throws {
        let dataset = try Dataset(
            features: [1, 2, 3], featureCount: 1, classIndices: [1, 0, 1], classCount: 2)
        let encoded = try dataset.oneHotEncoded()
        #expect(encoded.features == dataset.features)
        #expect(encoded.labels == .targets(values: [0, 1, 1, 0, 0, 1], width: 2))
        expectDescentError(mentioning: ["real-valued targets"]) { _ = try encoded.oneHotEncoded() }
    }
}

struct SyntheticDatasetTests {
    /// Every generator at a few sizes, with the classes each should have.
    static let generators:
        [(name: String, classes: Int, make: @Sendable (Int, UInt64) throws -> Dataset)] = [
            ("spirals", 2, { try Dataset.spirals(sampleCount: $0, noise: 0.1, seed: $1) }),
            (
                "spirals K=5", 5,
                {
                    try Dataset.spirals(
                        sampleCount: $0, classes: 5, turns: 0.75, noise: 0.05, seed: $1)
                }
            ),
            ("moons", 2, { try Dataset.moons(sampleCount: $0, noise: 0.1, seed: $1) }),
            (
                "circles", 2,
                { try Dataset.circles(sampleCount: $0, noise: 0.05, factor: 0.5, seed: $1) }
            ),
        ]

    @Test func haveTheirShapeBalanceAndDeterminism() throws {
        for (name, classes, make) in Self.generators {
            for sampleCount in [101, 1000] {
                let dataset = try make(sampleCount, 42)
                #expect(dataset.sampleCount == sampleCount && dataset.featureCount == 2, "\(name)")
                #expect(dataset.featureNames == ["x", "y"])
                let counts = try #require(dataset.classCounts)
                #expect(counts.count == classes, "\(name)")
                #expect(counts.max()! - counts.min()! <= 1, "\(name): class counts \(counts)")
                #expect(counts.reduce(0, +) == sampleCount)
                #expect(try make(sampleCount, 42) == dataset, "\(name) is not deterministic")
                #expect(try make(sampleCount, 43) != dataset, "\(name) ignores the seed")
                // Shuffled: the first half is not all one class.
                #expect(
                    Set(dataset.classIndices!.prefix(sampleCount / 2)).count == classes, "\(name)")
            }
        }
    }

    @Test func withoutNoiseLieOnTheirCurves() throws {
        let circles = try Dataset.circles(sampleCount: 200, factor: 0.3, seed: 1)
        let moons = try Dataset.moons(sampleCount: 200, seed: 1)
        let spirals = try Dataset.spirals(sampleCount: 200, classes: 3, seed: 1)
        for i in 0..<200 {
            let (x, y) = (Double(circles.features[2 * i]), Double(circles.features[2 * i + 1]))
            let radius = (x * x + y * y).squareRoot()
            #expect(abs(radius - (circles.classIndices![i] == 0 ? 1 : 0.3)) < 1e-6)

            let (mx, my) = (Double(moons.features[2 * i]), Double(moons.features[2 * i + 1]))
            // Class 0: the unit upper arc; class 1: the lower arc centred on (1, 0.5).
            let (cx, cy) = moons.classIndices![i] == 0 ? (0.0, 0.0) : (1.0, 0.5)
            #expect(abs(((mx - cx) * (mx - cx) + (my - cy) * (my - cy)).squareRoot() - 1) < 1e-6)
            #expect(moons.classIndices![i] == 0 ? my >= -1e-7 : my <= 0.5 + 1e-7)

            let (sx, sy) = (Double(spirals.features[2 * i]), Double(spirals.features[2 * i + 1]))
            #expect((sx * sx + sy * sy).squareRoot() < 1)
        }
        // With noise the points leave the curves, by about the noise's standard deviation.
        let noisy = try Dataset.circles(sampleCount: 2000, noise: 0.1, factor: 0.3, seed: 1)
        var squares = 0.0
        for i in 0..<2000 {
            let (x, y) = (Double(noisy.features[2 * i]), Double(noisy.features[2 * i + 1]))
            let offset = (x * x + y * y).squareRoot() - (noisy.classIndices![i] == 0 ? 1 : 0.3)
            squares += offset * offset
        }
        #expect(abs((squares / 2000).squareRoot() - 0.1) < 0.02)
    }

    @Test func rejectBadArguments() {
        expectDescentError(mentioning: ["noise must be finite and >= 0"]) {
            _ = try Dataset.moons(sampleCount: 10, noise: -1, seed: 0)
        }
        expectDescentError(mentioning: ["noise"]) {
            _ = try Dataset.spirals(sampleCount: 10, noise: .nan, seed: 0)
        }
        expectDescentError(mentioning: ["factor must be in [0, 1)"]) {
            _ = try Dataset.circles(sampleCount: 10, factor: 1, seed: 0)
        }
        expectDescentError(mentioning: ["sample count must be >= 2"]) {
            _ = try Dataset.circles(sampleCount: 1, seed: 0)
        }
        expectDescentError(mentioning: ["class count must be >= 2"]) {
            _ = try Dataset.spirals(sampleCount: 10, classes: 1, seed: 0)
        }
        expectDescentError(mentioning: ["3 samples", "4 classes"]) {
            _ = try Dataset.spirals(sampleCount: 3, classes: 4, seed: 0)
        }
        expectDescentError(mentioning: ["turns"]) {
            _ = try Dataset.spirals(sampleCount: 10, turns: 0, seed: 0)
        }
    }
}
