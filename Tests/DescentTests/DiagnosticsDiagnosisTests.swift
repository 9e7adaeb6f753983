import Descent
@testable import DescentTraining
@testable import DescentWorkshop
import Testing

/// The diagnosis rules on synthetic histories and snapshots: each code fires on its pattern and
/// not on a healthy run.
@Suite struct DiagnosticsDiagnosisTests {
    func history(
        _ losses: [Double], validation: [Double]? = nil, accuracy: [Double]? = nil,
        validationAccuracy: [Double]? = nil
    ) -> History {
        var history = History()
        history.epochs = losses.enumerated().map { epoch, loss in
            EpochRecord(
                epoch: epoch, loss: loss, accuracy: accuracy?[epoch],
                validationLoss: validation?[epoch],
                validationAccuracy: validationAccuracy?[epoch],
                learningRate: 0.01, seconds: 1, samplesPerSecond: 100)
        }
        return history
    }

    func parameter(
        _ index: Int, gradientNorm: Double = 1, weightNorm: Double = 10, updateNorm: Double = 0.01
    ) -> ParameterStatistics {
        ParameterStatistics(
            slotIndex: index, layerIndex: index, name: "layer \(index) weight", count: 100,
            isWeight: true,
            weightNorm: weightNorm, gradientNorm: gradientNorm, updateNorm: updateNorm,
            nonFinite: false)
    }

    func layer(dead: Double? = nil, saturated: Double? = nil) -> LayerStatistics {
        LayerStatistics(
            layerIndex: 0, name: "layer 0 relu", mean: 0.3, standardDeviation: 0.5,
            deadFraction: dead,
            saturatedFraction: saturated, nonFinite: false)
    }

    func snapshot(
        step: Int = 10, layers: [LayerStatistics]? = nil, parameters: [ParameterStatistics]? = nil,
        nonFinite: NonFiniteValue? = nil
    ) -> MonitorSnapshot {
        MonitorSnapshot(
            step: step, epoch: 0, loss: 0.5, layers: layers ?? [layer(dead: 0.1, saturated: nil)],
            parameters: parameters ?? [parameter(0), parameter(1)], nonFinite: nonFinite)
    }

    var healthy: History {
        history(
            [1.0, 0.6, 0.4, 0.3, 0.25], validation: [1.05, 0.65, 0.45, 0.36, 0.31],
            accuracy: [0.5, 0.7, 0.8, 0.85, 0.9])
    }

    func codes(_ findings: [Finding]) -> [String] { findings.map(\.code) }

    @Test func aHealthyRunHasNoFindings() {
        let monitor = MonitorRecord(
            interval: 10, snapshots: [snapshot(step: 1), snapshot(step: 10)])
        #expect(
            Diagnosis.diagnose(healthy, monitor: monitor, chanceLoss: 1.0986, classCount: 3).isEmpty
        )
        #expect(Diagnosis.snapshotRules(snapshot()).isEmpty)
    }

    @Test func risingLossIsALearningRateTooHigh() {
        let findings = Diagnosis.diagnose(history([1.0, 0.8, 2.0, 5.0]))
        #expect(codes(findings) == ["lr-too-high"])
        #expect(findings[0].epoch == 2)
        let fastUpdates = MonitorRecord(
            interval: 10,
            snapshots: [
                snapshot(parameters: [parameter(0, updateNorm: 5), parameter(1, updateNorm: 5)])
            ])
        #expect(codes(Diagnosis.diagnose(healthy, monitor: fastUpdates)) == ["lr-too-high"])
    }

    @Test func aLossFarAboveChanceIsALearningRateTooHighNotUnderfitting() {
        // descent train --dataset spirals --optimizer sgd --lr 50: batch norm keeps it finite.
        let findings = Diagnosis.diagnose(
            history([1.67e10, 4.5e8, 0.863], accuracy: [0.51, 0.5, 0.52]), chanceLoss: 0.693,
            classCount: 2)
        #expect(codes(findings) == ["lr-too-high"])
        #expect(findings[0].epoch == 0)
    }

    @Test func aLossRisingBetweenMonitoredStepsBeforeADivergenceIsALearningRateTooHigh() {
        var steps = [snapshot(step: 1), snapshot(step: 100), snapshot(step: 200)]
        steps[1].loss = 30
        steps[2].nonFinite = NonFiniteValue(pass: .loss, layerIndex: nil, name: "loss")
        let findings = Diagnosis.diagnose(
            history([.nan]), monitor: MonitorRecord(interval: 100, snapshots: steps))
        #expect(
            codes(findings).contains("non-finite-loss") && codes(findings).contains("lr-too-high"))
        #expect(findings.first { $0.code == "lr-too-high" }?.evidence["at"] == "step 100")
        // Without a divergence, noisy batch losses are not read as a rising loss.
        steps[2].nonFinite = nil
        #expect(
            !codes(
                Diagnosis.diagnose(healthy, monitor: MonitorRecord(interval: 100, snapshots: steps))
            ).contains("lr-too-high"))
    }

    @Test func aRiseNearZeroIsNoiseNotAnExplosion() {
        // 1e-3 to 1.8e-3 is 1.8 times the best but 0.03% of the first loss.
        #expect(
            !codes(Diagnosis.diagnose(history([2.3, 0.001, 0.0018, 0.0009]))).contains(
                "lr-too-high"))
        #expect(codes(Diagnosis.diagnose(history([2.3, 0.5, 1.2]))).contains("lr-too-high"))
    }

    @Test func aSlowFallNeedsTinyUpdatesToBeALearningRateTooLow() {
        let slowFall = history([2.30, 2.28, 2.27])  // 1.3%: too much to be stalled without evidence
        #expect(!codes(Diagnosis.diagnose(slowFall)).contains("lr-too-low"))
        func monitor(updateNorm: Double) -> MonitorRecord {
            MonitorRecord(
                interval: 10,
                snapshots: [
                    snapshot(parameters: [
                        parameter(0, updateNorm: updateNorm), parameter(1, updateNorm: updateNorm),
                    ])
                ])
        }
        #expect(
            codes(Diagnosis.diagnose(slowFall, monitor: monitor(updateNorm: 1e-4))).contains(
                "lr-too-low"), "ratio 1e-5")
        #expect(
            !codes(Diagnosis.diagnose(slowFall, monitor: monitor(updateNorm: 0.01))).contains(
                "lr-too-low"), "ratio 1e-3")
    }

    @Test func noLearningRateTooLowBesideADivergence() {
        #expect(codes(Diagnosis.diagnose(history([2.30, 2.29, .nan]))) == ["non-finite-loss"])
        #expect(codes(Diagnosis.diagnose(history([30, 29.9]), chanceLoss: 2.3)) == ["lr-too-high"])
    }

    @Test func validationAtChanceWhenTheTrainingSetIsLearned() {
        let learned = [0.9, 0.95, 0.99]
        // 10 classes: chance 0.1, reported below 0.1 + 0.15 * 0.9 = 0.235.
        let atChance = Diagnosis.diagnose(
            history([1.0, 0.5, 0.1], accuracy: learned, validationAccuracy: [0.3, 0.2, 0.23]),
            chanceLoss: 2.3, classCount: 10)
        #expect(codes(atChance) == ["validation-at-chance"])
        #expect(
            atChance[0].epoch == 2 && atChance[0].message.contains("epoch 3"),
            "messages count epochs from 1")
        let above = Diagnosis.diagnose(
            history([1.0, 0.5, 0.1], accuracy: learned, validationAccuracy: [0.3, 0.2, 0.24]),
            chanceLoss: 2.3, classCount: 10)
        #expect(codes(above).isEmpty)
        // A model that has not learned its training set is underfitting, one finding, not two.
        let underfit = Diagnosis.diagnose(
            history(
                [2.25, 2.2, 2.1], accuracy: [0.1, 0.1, 0.12], validationAccuracy: [0.1, 0.1, 0.1]),
            chanceLoss: 2.3, classCount: 10)
        #expect(codes(underfit) == ["underfitting"])
    }

    @Test func aDivergenceSeenByTheMonitorIsOneFinding() {
        var steps = [snapshot(step: 1), snapshot(step: 10)]
        steps[1].nonFinite = NonFiniteValue(pass: .forward, layerIndex: 1, name: "layer 1 relu")
        #expect(
            codes(
                Diagnosis.diagnose(
                    history([.nan]), monitor: MonitorRecord(interval: 10, snapshots: steps))
            ).filter {
                $0 == "non-finite-loss"
            }.count == 1)
    }

    @Test func aStalledLossWithTinyUpdatesIsALearningRateTooLow() {
        let slow = MonitorRecord(
            interval: 10,
            snapshots: [
                snapshot(parameters: [
                    parameter(0, updateNorm: 1e-6), parameter(1, updateNorm: 1e-6),
                ])
            ])
        #expect(
            codes(Diagnosis.diagnose(history([1.0, 0.999, 0.998]), monitor: slow)) == ["lr-too-low"]
        )
        #expect(
            Diagnosis.diagnose(
                history([1.0, 0.999, 0.998]),
                monitor: MonitorRecord(interval: 10, snapshots: [snapshot()])
            ).isEmpty,
            "healthy updates: the stall has another cause")
    }

    @Test func risingValidationLossIsOverfitting() {
        let findings = Diagnosis.diagnose(
            history([1.0, 0.5, 0.3, 0.2, 0.1], validation: [1.0, 0.6, 0.5, 0.6, 0.8]))
        #expect(codes(findings) == ["overfitting"])
        #expect(findings[0].evidence["bestEpoch"] == "2")
    }

    @Test func lossesNearChanceAreUnderfitting() {
        let findings = Diagnosis.diagnose(
            history(
                [1.09, 1.07, 1.05], validation: [1.09, 1.08, 1.06], accuracy: [0.34, 0.35, 0.36]),
            chanceLoss: 1.0986, classCount: 3)
        #expect(codes(findings) == ["underfitting"])
    }

    @Test func aNaNLossIsFatal() {
        let findings = Diagnosis.diagnose(history([1.0, .nan]))
        #expect(codes(findings) == ["non-finite-loss"])
        #expect(findings[0].severity == .error)
        let forward = Diagnosis.snapshotRules(
            snapshot(nonFinite: NonFiniteValue(pass: .forward, layerIndex: 1, name: "layer 1 relu"))
        )
        #expect(
            codes(forward) == ["non-finite-loss"], "a divergence anywhere is the run's divergence")
        #expect(forward[0].evidence["pass"] == "forward")
    }

    @Test func snapshotRulesFireOnTheirPatterns() {
        #expect(
            codes(Diagnosis.snapshotRules(snapshot(layers: [layer(dead: 0.8)]))) == ["dead-relu"])
        #expect(
            codes(Diagnosis.snapshotRules(snapshot(layers: [layer(saturated: 0.6)]))) == [
                "saturated-activations"
            ])
        #expect(
            codes(
                Diagnosis.snapshotRules(
                    snapshot(parameters: [parameter(0, gradientNorm: 1e-6), parameter(1)]))) == [
                    "vanishing-gradients"
                ])
        #expect(
            codes(
                Diagnosis.snapshotRules(
                    snapshot(parameters: [parameter(0, gradientNorm: 1e4), parameter(1)]))) == [
                    "exploding-gradients"
                ])
        let grown = Diagnosis.snapshotRules(
            snapshot(
                step: 50,
                parameters: [parameter(0, gradientNorm: 5e3), parameter(1, gradientNorm: 5e3)]),
            first: snapshot(step: 1))
        #expect(codes(grown) == ["exploding-gradients"])
    }

    @Test func identicalUnitsAreSymmetricWeights() {
        let zero = InitialParameterStatistics(
            slotIndex: 0, layerIndex: 0, name: "layer 0 Dense(2, 8) weight", shape: [2, 8],
            isWeight: true, mean: 0,
            standardDeviation: 0, identicalUnits: true)
        var random = zero
        random.identicalUnits = false
        #expect(
            codes(
                Diagnosis.diagnose(
                    healthy, monitor: MonitorRecord(interval: 1, initialParameters: [zero, random]))
            ) == ["symmetric-weights"])
    }
}
