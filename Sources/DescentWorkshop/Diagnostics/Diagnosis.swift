import DescentTraining

/// The thresholds of the diagnosis rules. They are heuristics; each says where it comes from.
public struct DiagnosisThresholds: Sendable, Equatable {
    /// `lr-too-high` when an epoch's training loss exceeds the best earlier one by this factor
    /// (the loss "explodes" instead of falling); in a run that diverged, also a monitored step's
    /// batch loss against the best earlier step.
    public var risingLossFactor: Double = 1.5
    /// ...and by more than this fraction of the first epoch's loss: near zero, a loss doubling
    /// from 1e-3 to 2e-3 is noise, not an explosion.
    public var risingLossFloor: Double = 0.05
    /// `lr-too-high` when an epoch's training loss exceeds the loss at chance by this factor: a
    /// model that starts near chance and ends an epoch an order of magnitude above it was thrown
    /// out of its basin by too large steps.
    public var explodedLossFactor: Double = 10
    /// `lr-too-high` when the median update-to-weight ratio of the weights exceeds this: two
    /// orders of magnitude above the notes' healthy 1e-3.
    public var highUpdateRatio: Double = 1e-1
    /// `lr-too-low` when the median ratio is below this: an order below the notes' healthy 1e-3...
    public var lowUpdateRatio: Double = 1e-4
    /// ...and the loss fell by less than this fraction over the run (it "barely moves": a
    /// healthy run's loss falls by far more than 5%, a rate 1000x too low moves it about 1-2%).
    public var slowLossFraction: Double = 0.05
    /// Without the monitor's update ratios, `lr-too-low` when the loss fell by less than this.
    public var stalledLossFraction: Double = 0.01
    /// `vanishing-gradients` when the first weight's gradient RMS is below this fraction of the
    /// last weight's (three orders of magnitude).
    public var vanishingRatio: Double = 1e-3
    /// `exploding-gradients` when it is above this multiple, or the largest gradient norm grew
    /// by this factor since the first snapshot.
    public var explodingRatio: Double = 1e3
    /// `dead-relu` when more than this fraction of a layer's units are 0 for the whole batch.
    public var deadFraction: Double = 0.5
    /// `saturated-activations` when more than this fraction of a sigmoid or tanh layer's
    /// outputs are within 1e-2 of its bounds.
    public var saturatedFraction: Double = 0.25
    /// `overfitting` when the validation loss rose this fraction above its best while the
    /// training loss kept falling.
    public var overfittingRise: Double = 0.1
    /// `underfitting` when the final training loss is above this fraction of the loss at chance
    /// (the zero-output loss), or the training accuracy is within this fraction of the way from
    /// chance to 1.
    public var underfittingFraction: Double = 0.5
    /// `validation-at-chance` when the last validation accuracy is within this fraction of the way
    /// from chance (1 / classes) to 1: nothing the model learned carries over.
    public var chanceMargin: Double = 0.15

    public init() {}
}

/// Turns a run's `History` and its `MonitorRecord` into findings with stable codes, each rule
/// named after the symptom it reads and the source it follows.
///
/// Sources: the seed notes 002 (monitoring the loss, train/val accuracy and the update:weight
/// ratio; CS231n, "Neural Networks Part 3"), 003 and 004 (vanishing and exploding gradients,
/// saturation, zero initialization, over- and underfitting); AutoTrainer (Zhang et al., ICSE
/// 2021: vanishing and exploding gradients, dying ReLU, oscillating loss, slow convergence) and
/// DeepDiagnosis (Wardat et al., ICSE 2022: exploding tensors, saturated activations, dead
/// nodes, loss not decreasing). The numbers are this library's, in `DiagnosisThresholds`.
public enum Diagnosis {
    /// Every rule over a finished run.
    /// - Parameters:
    ///   - chanceLoss: the loss at chance (`SanityChecks.expectedInitialLoss(...).atZeroOutput`),
    ///     for `underfitting` and for a loss far above it (`lr-too-high`); nil to skip those parts.
    ///   - classCount: the number of classes, for the accuracy part of `underfitting`.
    public static func diagnose(
        _ history: History, monitor: MonitorRecord? = nil, chanceLoss: Double? = nil,
        classCount: Int? = nil,
        thresholds: DiagnosisThresholds = DiagnosisThresholds()
    ) -> [Finding] {
        var findings =
            nonFiniteLoss(history)
            + learningRate(
                history, monitor: monitor, chanceLoss: chanceLoss, thresholds: thresholds)
        if let monitor {
            findings += initialization(monitor.initialParameters)
            if let last = monitor.snapshots.last {
                findings += snapshotRules(
                    last, first: monitor.snapshots.first, thresholds: thresholds)
            }
        }
        findings += overfitting(history, thresholds: thresholds)
        // A loss driven up by too large steps is not a model too small nor labels that do not
        // fit: "raise the learning rate" or "check the labels" would be the wrong advice. A model
        // that has not learned its training set either is underfitting, not failing to carry over.
        if !findings.contains(where: { $0.code == "lr-too-high" || $0.code == "non-finite-loss" }) {
            let underfit = underfitting(
                history, chanceLoss: chanceLoss, classCount: classCount, thresholds: thresholds)
            findings +=
                underfit.isEmpty
                ? validationAtChance(history, classCount: classCount, thresholds: thresholds)
                : underfit
        }
        // One finding per code and layer or parameter (the last snapshot repeats a divergence
        // the history already shows).
        var seen: Set<String> = []
        return findings.filter {
            seen.insert($0.code + "|" + ($0.evidence["layer"] ?? $0.evidence["parameter"] ?? ""))
                .inserted
        }
    }

    /// `non-finite-loss` (error, fatal): a NaN or infinite training or validation loss (notes 004:
    /// exploding gradients "might also lead to the loss taking the value NaN").
    public static func nonFiniteLoss(_ history: History) -> [Finding] {
        guard
            let bad = history.epochs.first(where: {
                !$0.loss.isFinite || !($0.validationLoss?.isFinite ?? true)
            })
        else { return [] }
        return [
            Finding(
                code: "non-finite-loss", severity: .error,
                message: bad.loss.isFinite
                    ? "The validation loss became \(bad.validationLoss ?? 0) in epoch \(bad.epoch + 1) (batch norm's running statistics)."
                    : "The training loss became \(bad.loss) in epoch \(bad.epoch + 1).",
                advice:
                    "Lower the learning rate, clip gradients (clipping: .globalNorm), normalize the inputs, and check the data for extreme values.",
                evidence: ["loss": "\(bad.loss)"], epoch: bad.epoch)
        ]
    }

    /// `lr-too-high` (warning): the training loss rises by `risingLossFactor` over its best (per
    /// epoch; in a run that diverged, also between the monitor's steps before the first
    /// non-finite value), ends an epoch `explodedLossFactor` above the loss at chance, or the
    /// median update:weight ratio is far above 1e-3 (notes 002: "if it is higher then the
    /// learning rate is likely too high"; AutoTrainer's oscillating loss). `lr-too-low`
    /// (warning): the loss barely moves and the ratio is far below 1e-3 (notes 002: "with low
    /// learning rates the improvements will be linear"; "if it is lower than this then the
    /// learning rate might be too low"; AutoTrainer's slow convergence).
    public static func learningRate(
        _ history: History, monitor: MonitorRecord?, chanceLoss: Double? = nil,
        thresholds: DiagnosisThresholds
    ) -> [Finding] {
        let losses = history.epochs.map(\.loss).filter(\.isFinite)
        let ratios = (monitor?.snapshots ?? []).flatMap {
            $0.parameters.filter(\.isWeight).map(\.updateRatio)
        }.filter(\.isFinite)
        let ratio = median(ratios)
        var findings: [Finding] = []
        var best = Double.infinity,
            rise: (at: String, loss: Double, best: Double, epoch: Int?)? = nil
        func rises(_ loss: Double, from first: Double) -> Bool {
            loss > thresholds.risingLossFactor * best
                && loss - best > thresholds.risingLossFloor * abs(first)
        }
        for record in history.epochs where record.loss.isFinite {
            if rises(record.loss, from: losses[0]), rise == nil {
                rise = ("epoch \(record.epoch + 1)", record.loss, best, record.epoch)
            }
            best = min(best, record.loss)
        }
        let snapshots = monitor?.snapshots ?? []
        if rise == nil, let diverged = snapshots.firstIndex(where: { $0.nonFinite != nil }) {
            best = .infinity
            for snapshot in snapshots[..<diverged] where snapshot.loss.isFinite {
                if rises(snapshot.loss, from: snapshots[0].loss), rise == nil {
                    rise = ("step \(snapshot.step)", snapshot.loss, best, snapshot.epoch)
                }
                best = min(best, snapshot.loss)
            }
        }
        let exploded = chanceLoss.flatMap { chance in
            history.epochs.first {
                $0.loss.isFinite && chance > 0 && $0.loss > thresholds.explodedLossFactor * chance
            }.map { ($0, chance) }
        }
        if let rise {
            findings.append(
                Finding(
                    code: "lr-too-high", severity: .warning,
                    message:
                        "The training loss rose to \(formatScientific(rise.loss)) at \(rise.at), \(formatScientific(rise.loss / rise.best)) times its best \(formatScientific(rise.best)).",
                    advice: "Lower the learning rate (by 3-10x), or use a schedule with warmup.",
                    evidence: [
                        "loss": formatScientific(rise.loss), "best": formatScientific(rise.best),
                        "at": rise.at,
                    ], epoch: rise.epoch))
        } else if let (record, chance) = exploded {
            findings.append(
                Finding(
                    code: "lr-too-high", severity: .warning,
                    message:
                        "The training loss of epoch \(record.epoch + 1) is \(formatScientific(record.loss)), \(formatScientific(record.loss / chance)) times the loss at chance \(formatScientific(chance)): the steps threw the model out of its basin.",
                    advice: "Lower the learning rate (by 3-10x), or use a schedule with warmup.",
                    evidence: [
                        "loss": formatScientific(record.loss),
                        "chanceLoss": formatScientific(chance),
                    ], epoch: record.epoch))
        } else if let ratio, ratio > thresholds.highUpdateRatio {
            findings.append(
                Finding(
                    code: "lr-too-high", severity: .warning,
                    message:
                        "The median update:weight ratio is \(formatScientific(ratio)), far above the healthy 1e-3.",
                    advice: "Lower the learning rate (by 3-10x).",
                    evidence: ["updateRatio": formatScientific(ratio)]))
        }
        if let first = losses.first, let last = losses.last, losses.count >= 2 {
            let fell = (first - last) / max(abs(first), 1e-12)
            let slow =
                ratio.map { $0 < thresholds.lowUpdateRatio && fell < thresholds.slowLossFraction }
                ?? (fell < thresholds.stalledLossFraction)
            let diverged = history.epochs.contains { !$0.loss.isFinite }
            if slow && rise == nil && exploded == nil && !diverged {
                findings.append(
                    Finding(
                        code: "lr-too-low", severity: .warning,
                        message:
                            "The loss barely moved (\(formatScientific(first)) to \(formatScientific(last)))"
                            + (ratio.map {
                                " and the median update:weight ratio is \(formatScientific($0)), far below 1e-3."
                            } ?? "."),
                        advice:
                            "Raise the learning rate (by 3-10x), or run a learning-rate range test.",
                        evidence: [
                            "firstLoss": formatScientific(first),
                            "lastLoss": formatScientific(last),
                            "updateRatio": ratio.map(formatScientific) ?? "n/a",
                        ]))
            }
        }
        return findings
    }

    /// `symmetric-weights` (warning): a weight matrix starts with every unit's incoming weights
    /// equal (zero or constant initialization): notes 004, "the hidden units [are] symmetric and
    /// [this] continues for all the n iterations you run ... no better than a linear model".
    public static func initialization(_ parameters: [InitialParameterStatistics]) -> [Finding] {
        parameters.filter { $0.isWeight && $0.identicalUnits }.map { parameter in
            Finding(
                code: "symmetric-weights", severity: .warning,
                message:
                    "Every unit of \(parameter.name) starts with the same incoming weights (mean \(formatScientific(parameter.mean)), standard deviation \(formatScientific(parameter.standardDeviation))): the units stay identical.",
                advice:
                    "Initialize weights randomly: He (heUniform) for ReLU layers, Glorot (glorotUniform) for tanh and sigmoid.",
                evidence: [
                    "parameter": parameter.name,
                    "std": formatScientific(parameter.standardDeviation),
                ])
        }
    }

    /// The rules that read one snapshot (the monitor raises them as they happen): non-finite
    /// values (fatal), `dead-relu`, `saturated-activations`, `vanishing-gradients` and
    /// `exploding-gradients` (against `first`, the run's first snapshot).
    public static func snapshotRules(
        _ snapshot: MonitorSnapshot, first: MonitorSnapshot? = nil, epoch: Int? = nil,
        thresholds: DiagnosisThresholds = DiagnosisThresholds()
    ) -> [Finding] {
        var findings: [Finding] = []
        if let bad = snapshot.nonFinite {
            findings.append(
                Finding(
                    code: "non-finite-loss", severity: .error,
                    message:
                        "Training diverged: a NaN or infinity appeared at step \(snapshot.step) in the \(bad.pass.rawValue) pass of \(bad.name).",
                    advice:
                        "Lower the learning rate, clip gradients (clipping: .globalNorm), and check the inputs for extreme values.",
                    evidence: [
                        "step": "\(snapshot.step)", "pass": bad.pass.rawValue, "where": bad.name,
                    ], epoch: epoch))
        }
        for layer in snapshot.layers {
            if let dead = layer.deadFraction, dead > thresholds.deadFraction {
                findings.append(
                    Finding(
                        code: "dead-relu", severity: .warning,
                        message:
                            "\(percent(dead)) of the units of \(layer.name) output 0 for the whole batch at step \(snapshot.step).",
                        advice:
                            "Lower the learning rate, start biases at 0, use He initialization or a leaky ReLU.",
                        evidence: [
                            "layer": layer.name, "deadFraction": formatScientific(dead),
                            "step": "\(snapshot.step)",
                        ], epoch: epoch))
            }
            if let saturated = layer.saturatedFraction, saturated > thresholds.saturatedFraction {
                findings.append(
                    Finding(
                        code: "saturated-activations", severity: .warning,
                        message:
                            "\(percent(saturated)) of the outputs of \(layer.name) are within 1e-2 of its bounds at step \(snapshot.step): their gradients vanish.",
                        advice:
                            "Use Glorot initialization and normalized inputs, add batch norm before the activation, or use ReLU.",
                        evidence: [
                            "layer": layer.name, "saturatedFraction": formatScientific(saturated),
                            "step": "\(snapshot.step)",
                        ], epoch: epoch))
            }
        }
        let weights = snapshot.parameters.filter { $0.isWeight && $0.gradientNorm.isFinite }
        if let firstWeight = weights.first, let lastWeight = weights.last, weights.count >= 2,
            lastWeight.gradientRMS > 0
        {
            let ratio = firstWeight.gradientRMS / lastWeight.gradientRMS
            let evidence = [
                "ratio": formatScientific(ratio), "first": firstWeight.name,
                "last": lastWeight.name, "step": "\(snapshot.step)",
            ]
            if ratio < thresholds.vanishingRatio {
                findings.append(
                    Finding(
                        code: "vanishing-gradients", severity: .warning,
                        message:
                            "The gradient of \(firstWeight.name) is \(formatScientific(ratio)) times that of \(lastWeight.name) at step \(snapshot.step): the first layers barely learn.",
                        advice:
                            "Use ReLU-family activations, He or Glorot initialization, batch norm, or fewer layers.",
                        evidence: evidence, epoch: epoch))
            } else if ratio > thresholds.explodingRatio {
                findings.append(
                    Finding(
                        code: "exploding-gradients", severity: .warning,
                        message:
                            "The gradient of \(firstWeight.name) is \(formatScientific(ratio)) times that of \(lastWeight.name) at step \(snapshot.step).",
                        advice:
                            "Clip gradients (clipping: .globalNorm(1)), lower the learning rate, use a fan-scaled initialization.",
                        evidence: evidence, epoch: epoch))
            }
        }
        if let first, first.step < snapshot.step,
            let start = first.parameters.map(\.gradientNorm).max(),
            let now = snapshot.parameters.map(\.gradientNorm).max(),
            start > 0, now > thresholds.explodingRatio * start,
            !findings.contains(where: { $0.code == "exploding-gradients" })
        {
            findings.append(
                Finding(
                    code: "exploding-gradients", severity: .warning,
                    message:
                        "The largest gradient norm grew from \(formatScientific(start)) to \(formatScientific(now)) by step \(snapshot.step).",
                    advice: "Clip gradients (clipping: .globalNorm(1)), lower the learning rate.",
                    evidence: [
                        "start": formatScientific(start), "now": formatScientific(now),
                        "step": "\(snapshot.step)",
                    ], epoch: epoch))
        }
        return findings
    }

    /// `overfitting` (warning): the validation loss rose `overfittingRise` above its best while
    /// the training loss kept falling, widening the gap (notes 002, "Monitoring train/val
    /// accuracy"; notes 004, "big gap = overfitting").
    public static func overfitting(_ history: History, thresholds: DiagnosisThresholds) -> [Finding]
    {
        let records = history.epochs.filter {
            $0.loss.isFinite && ($0.validationLoss?.isFinite ?? false)
        }
        guard records.count >= 3,
            let best = records.min(by: { $0.validationLoss! < $1.validationLoss! }),
            let last = records.last, best.epoch < last.epoch
        else { return [] }
        let bestValidation = best.validationLoss!, lastValidation = last.validationLoss!
        guard lastValidation > (1 + thresholds.overfittingRise) * bestValidation,
            last.loss < best.loss
        else { return [] }
        return [
            Finding(
                code: "overfitting", severity: .warning,
                message:
                    "The validation loss rose from \(formatScientific(bestValidation)) (epoch \(best.epoch + 1)) to \(formatScientific(lastValidation)) while the training loss fell to \(formatScientific(last.loss)).",
                advice:
                    "Stop earlier (EarlyStopping with restoreBestWeights), add dropout or weight decay, get more data or augment it, or use a smaller model.",
                evidence: [
                    "bestEpoch": "\(best.epoch)",
                    "bestValidationLoss": formatScientific(bestValidation),
                    "lastValidationLoss": formatScientific(lastValidation),
                    "lastTrainingLoss": formatScientific(last.loss),
                ],
                epoch: last.epoch)
        ]
    }

    /// `validation-at-chance` (warning): the run ends with a validation accuracy near chance
    /// (`chanceMargin`; chance is `1 / classes`, so on strongly imbalanced classes the rule stays
    /// silent), whatever the training accuracy: what the model learned does not carry over to new
    /// samples. `diagnose` reports it only when the model is not `underfitting` its training set.
    /// The notes' sanity check with random labels (Zhang et al., ICLR 2017: a network memorizes
    /// shuffled labels, and generalizes at chance): the labels may not belong to their samples,
    /// or validation is not prepared as training is.
    public static func validationAtChance(
        _ history: History, classCount: Int?, thresholds: DiagnosisThresholds
    ) -> [Finding] {
        guard let classCount, classCount >= 2 else { return [] }
        let accuracies = history.epochs.compactMap { record in
            record.validationAccuracy.map { (record.epoch, $0) }
        }
        guard let last = accuracies.last else { return [] }
        let chance = 1 / Double(classCount)
        guard last.1 < chance + thresholds.chanceMargin * (1 - chance) else { return [] }
        let training = history.epochs.last?.accuracy
        return [
            Finding(
                code: "validation-at-chance", severity: .warning,
                message:
                    "The validation accuracy ends at \(percent(last.1)) (epoch \(last.0 + 1)), at chance (\(percent(chance)))"
                    + (training.map { " while the training accuracy reached \(percent($0))" } ?? "")
                    + ": nothing learned carries over.",
                advice:
                    "Check that each label belongs to its sample (a shuffle that moved features and labels apart, a wrong label column), "
                    + "and that validation data is prepared as the training data is.",
                evidence: [
                    "validationAccuracy": formatScientific(last.1),
                    "chance": formatScientific(chance),
                    "trainingAccuracy": training.map(formatScientific) ?? "n/a",
                ],
                epoch: last.0)
        ]
    }

    /// `underfitting` (warning): the training loss stays above `underfittingFraction` of the loss
    /// at chance, or the training accuracy stays near chance, and validation is no worse than
    /// training (notes 003 and 004: "both high": the model is too small, or trained too little).
    public static func underfitting(
        _ history: History, chanceLoss: Double?, classCount: Int?, thresholds: DiagnosisThresholds
    ) -> [Finding] {
        guard let last = history.epochs.last, last.loss.isFinite else { return [] }
        var reasons: [String] = []
        if let chanceLoss, last.loss > thresholds.underfittingFraction * chanceLoss {
            reasons.append(
                "the training loss \(formatScientific(last.loss)) is still \(percent(last.loss / chanceLoss)) of the loss at chance \(formatScientific(chanceLoss))"
            )
        }
        if let classCount, classCount >= 2, let accuracy = last.accuracy {
            let chance = 1 / Double(classCount)
            if accuracy < chance + thresholds.underfittingFraction * (1 - chance) {
                reasons.append(
                    "the training accuracy \(percent(accuracy)) is near chance (\(percent(chance)))"
                )
            }
        }
        let gapSmall =
            last.validationLoss.map { $0 <= (1 + thresholds.overfittingRise) * last.loss } ?? true
        guard !reasons.isEmpty, gapSmall else { return [] }
        return [
            Finding(
                code: "underfitting", severity: .warning,
                message: "The model underfits: " + reasons.joined(separator: "; ") + ".",
                advice:
                    "Train longer, raise the learning rate, use a larger model (more units or layers), or reduce regularization.",
                evidence: [
                    "trainingLoss": formatScientific(last.loss),
                    "trainingAccuracy": last.accuracy.map(formatScientific) ?? "n/a",
                ],
                epoch: last.epoch)
        ]
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2]
            : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func percent(_ fraction: Double) -> String { "\(Int((fraction * 100).rounded()))%" }
}
