import Descent
import Testing

/// A training set of three features: a spread-out one, a constant one (0.1, which does not sum
/// exactly in floating point) and a negative one.
private func trainingSet() throws -> Dataset {
    try Dataset(
        features: [1, 0.1, -4, 2, 0.1, -8, 4, 0.1, -6, 9, 0.1, -2],
        featureCount: 3, classIndices: [0, 1, 0, 1], classCount: 2)
}

/// Another set with the same features, scaled with the training statistics.
private func otherSet() throws -> Dataset {
    try Dataset(features: [5, 7, 0], featureCount: 3, classIndices: [1], classCount: 2)
}

struct ScalingTests {
    @Test func standardizerFitsMeanAndPopulationStandardDeviation() throws {
        let scaler = Standardizer(fittedOn: try trainingSet())
        // Feature 0: mean 4, deviations -3, -2, 0, 5: variance 38 / 4.
        #expect(scaler.mean[0] == 4)
        #expect(abs(scaler.scale[0] - (38.0 / 4).squareRoot()) < 1e-12)
        #expect(abs(scaler.mean[1] - Double(Float(0.1))) < 1e-15)
        #expect(scaler.scale[1] == 1, "a constant feature keeps scale 1")
        #expect(scaler.mean[2] == -5)
        #expect(abs(scaler.scale[2] - 5.0.squareRoot()) < 1e-12)

        let standardized = try scaler.transform(try trainingSet())
        #expect(standardized.classIndices == [0, 1, 0, 1])
        for j in 0..<3 {
            let column = (0..<4).map { Double(standardized.features[3 * $0 + j]) }
            let mean = column.reduce(0, +) / 4
            let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
            #expect(abs(mean) < 1e-6)
            #expect(abs(variance - (j == 1 ? 0 : 1)) < 1e-5)
        }
    }

    @Test func standardizerAppliesTheTrainingStatisticsToOtherSets() throws {
        let scaler = Standardizer(fittedOn: try trainingSet())
        let scaled = try scaler.transform(try otherSet())
        let expected = [
            (5 - 4) / (38.0 / 4).squareRoot(), 7 - Double(Float(0.1)), (0 + 5) / 5.0.squareRoot(),
        ]
        for (actual, expected) in zip(scaled.features, expected) {
            #expect(abs(Double(actual) - expected) < 1e-6)
        }
        #expect(scaled.classIndices == [1])
        let narrow = try Dataset(features: [1, 2], featureCount: 2, targets: [0])
        #expect(throws: DescentError.self) { try scaler.transform(narrow) }
    }

    @Test func standardizerWithGivenStatistics() throws {
        let scaler = try Standardizer(mean: [1, 2], scale: [2, 4])
        let dataset = try Dataset(features: [3, 10], featureCount: 2, targets: [0])
        #expect(try scaler.transform(dataset).features == [1, 2])
        expectDescentError(mentioning: ["scale must be finite and > 0"]) {
            _ = try Standardizer(mean: [0], scale: [0])
        }
        expectDescentError(mentioning: ["1 means and 2 scales"]) {
            _ = try Standardizer(mean: [0], scale: [1, 1])
        }
        let tiny = try Standardizer(mean: [0], scale: [1e-40])
        let big = try Dataset(features: [1], featureCount: 1, targets: [0])
        expectDescentError(mentioning: ["scaled feature 0 of sample 0 is inf"]) {
            _ = try tiny.transform(big)
        }
    }

    @Test func minMaxScalerMapsTheTrainingRangeOntoTheTarget() throws {
        let scaler = try MinMaxScaler(fittedOn: try trainingSet())
        #expect(scaler.minimum == [1, Double(Float(0.1)), -8])
        #expect(scaler.maximum == [9, Double(Float(0.1)), -2])
        let scaled = try scaler.transform(try trainingSet())
        let expected: [Float] = [0, 0, 4.0 / 6, 1.0 / 8, 0, 0, 3.0 / 8, 0, 2.0 / 6, 1, 0, 1]
        for (actual, expected) in zip(scaled.features, expected) {
            #expect(abs(actual - expected) < 1e-6)
        }

        // Another set uses the training minimum and maximum, so it may leave [0, 1].
        let other = try scaler.transform(try otherSet())
        let otherExpected = [4.0 / 8, 7 - Double(Float(0.1)), 8.0 / 6]
        for (actual, expected) in zip(other.features, otherExpected) {
            #expect(abs(Double(actual) - expected) < 1e-6)
        }

        let symmetric = try MinMaxScaler(fittedOn: try trainingSet(), range: -1...1)
        let ends = try symmetric.transform(try trainingSet())
        #expect(ends.features[0] == -1 && ends.features[9] == 1 && ends.features[1] == -1)
        expectDescentError(mentioning: ["range must be finite with low < high"]) {
            _ = try MinMaxScaler(fittedOn: try trainingSet(), range: 1...1)
        }
        #expect(throws: DescentError.self) {
            try scaler.transform(try Dataset(features: [1], featureCount: 1, targets: [0]))
        }
    }
}
