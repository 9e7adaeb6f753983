#if canImport(Glibc)
import Glibc
#endif
import Descent
import DescentTestSupport
import Testing

@Suite struct DiagnosticsSanityCheckTests {
    func codes(_ findings: [Finding]) -> [String] { findings.map(\.code) }

    @Test func expectedInitialLossFollowsTheDerivation() throws {
        let classes = try DiagnosticsData.classification(samples: 6, classes: 3)
        let softmax = try SanityChecks.expectedInitialLoss(
            .softmaxCrossEntropy(labelSmoothing: 0.1), data: classes, outputs: 3)
        #expect(abs(softmax.atZeroOutput - log(3)) < 1e-12)
        #expect(abs(try #require(softmax.constantPredictor) - log(3)) < 1e-12, "balanced classes")

        let binary = try Dataset(features: [0, 1, 2, 3], featureCount: 1, targets: [1, 0, 0, 0])
        let bce = try SanityChecks.expectedInitialLoss(
            .binaryCrossEntropy, data: binary, outputs: 1)
        #expect(abs(bce.atZeroOutput - log(2)) < 1e-12)
        #expect(
            abs(try #require(bce.constantPredictor) - -(0.25 * log(0.25) + 0.75 * log(0.75)))
                < 1e-12)

        let regression = try Dataset(features: [0, 1], featureCount: 1, targets: [1, 3])
        let mse = try SanityChecks.expectedInitialLoss(
            .regression(.meanSquaredError), data: regression, outputs: 1)
        #expect(mse.atZeroOutput == 5)
        #expect(mse.constantPredictor == 1)
    }

    @Test func hugeOutputScaleGivesAnUnexpectedInitialLoss() throws {
        let data = try DiagnosticsData.classification(samples: 30, features: 2, classes: 3)
        let huge = Sequential(seed: 1) {
            Dense(2, 16, activation: .tanh, initializer: .glorotUniform)
            Dense(16, 3, initializer: .normal(mean: 0, standardDeviation: 20))
        }
        let findings = try SanityChecks.checkInitialLoss(
            huge, inputShape: .features(2), loss: .softmaxCrossEntropy, data: data, on: CPUBackend()
        )
        #expect(codes(findings) == ["loss-at-init-unexpected"])
        #expect(findings[0].advice.contains("initializer"))
        let normal = Sequential(seed: 1) {
            Dense(2, 16, activation: .tanh, initializer: .glorotUniform);
            Dense(16, 3, initializer: .glorotUniform)
        }
        let fine = try SanityChecks.checkInitialLoss(
            normal, inputShape: .features(2), loss: .softmaxCrossEntropy, data: data,
            on: CPUBackend())
        #expect(codes(fine) == ["loss-at-init"], "\(fine.map(\.line))")
    }

    @Test func featureScaledBy1e4IsUnnormalized() throws {
        let base = DiagnosticsData.features(samples: 40, features: 3, scale: 1)
        #expect(SanityChecks.checkFeatures(base, featureCount: 3).isEmpty)
        let scaled = base.enumerated().map { $0.offset % 3 == 1 ? $0.element * 1e4 : $0.element }
        let findings = SanityChecks.checkFeatures(scaled, featureCount: 3, names: ["a", "b", "c"])
        #expect(codes(findings) == ["unnormalized-inputs"])
        #expect(findings[0].message.contains("b"))
        #expect(findings[0].advice.contains("Normalize your inputs"))
        let offset = base.enumerated().map { $0.offset % 3 == 2 ? $0.element + 50 : $0.element }
        #expect(
            codes(SanityChecks.checkFeatures(offset, featureCount: 3)) == ["unnormalized-inputs"])
    }

    @Test func rawDataProblemsAreFound() {
        let findings = SanityChecks.checkFeatures([1, .nan, 2, 3], featureCount: 2)
        #expect(codes(findings) == ["non-finite-data"])
        #expect(findings[0].severity == .error)
        #expect(
            codes(SanityChecks.checkClassLabels([0, 1, 3], classCount: 3)).first
                == "label-out-of-range")
        #expect(
            codes(SanityChecks.checkTargets([0, 1.5], loss: .binaryCrossEntropy)) == [
                "label-out-of-range"
            ])
        #expect(SanityChecks.checkTargets([0, 1.5], loss: .regression(.meanSquaredError)).isEmpty)
    }

    @Test func classImbalanceIsFound() throws {
        let labels = [Int32](repeating: 0, count: 50) + [1, 1, 1]
        let data = try Dataset(
            features: DiagnosticsData.features(samples: 53, features: 2, scale: 1), featureCount: 2,
            classIndices: labels, classCount: 2)
        let findings = SanityChecks.checkData(data, loss: .softmaxCrossEntropy)
        #expect(codes(findings) == ["class-imbalance"])
        #expect(findings[0].evidence["smallestCount"] == "3")
        #expect(
            SanityChecks.checkData(
                try DiagnosticsData.classification(samples: 30), loss: .softmaxCrossEntropy
            ).isEmpty)
    }

    @Test func aLinearModelCannotOverfitCircles() throws {
        let data = try Dataset.circles(sampleCount: 40, noise: 0.02, factor: 0.5, seed: 1)
        let linear = Sequential(seed: 2) { Dense(2, 2) }
        let stuck = try SanityChecks.overfitSmallSubset(
            linear, inputShape: .features(2), loss: .softmaxCrossEntropy, data: data,
            on: CPUBackend())
        #expect(codes(stuck) == ["cannot-overfit-small-subset"])
        let mlp = Sequential(seed: 2) {
            Dense(2, 32, activation: .tanh); Dense(32, 2)
        }
        let fine = try SanityChecks.overfitSmallSubset(
            mlp, inputShape: .features(2), loss: .softmaxCrossEntropy, data: data, on: CPUBackend())
        #expect(codes(fine) == ["overfits-small-subset"], "\(fine.map(\.line))")
        let frozen = try SanityChecks.overfitSmallSubset(
            mlp, inputShape: .features(2), loss: .softmaxCrossEntropy, data: data, on: CPUBackend(),
            optimizer: SGD(learningRate: 0))
        #expect(codes(frozen) == ["cannot-overfit-small-subset"])
    }

    @Test func weightDecayRaisesTheLoss() throws {
        let data = try Dataset.circles(sampleCount: 40, noise: 0.02, factor: 0.5, seed: 3)
        let mlp = Sequential(seed: 4) {
            Dense(2, 32, activation: .tanh); Dense(32, 2)
        }
        let findings = try SanityChecks.checkRegularization(
            mlp, inputShape: .features(2), loss: .softmaxCrossEntropy, data: data, on: CPUBackend())
        #expect(codes(findings) == ["regularization-raises-loss"], "\(findings.map(\.line))")
        #expect(findings[0].line.hasPrefix("[info] regularization-raises-loss: "))
    }
}
