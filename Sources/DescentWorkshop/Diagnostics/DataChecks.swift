#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentTraining

/// The thresholds of the sanity checks, each with its reason. They are heuristics: the defaults
/// flag what is clearly off and keep quiet on ordinary data and initializations.
public struct SanityThresholds: Sendable, Equatable {
    /// `loss-at-init-unexpected` when the initial loss lies outside `expected * (1 +- this)`:
    /// a sane initialization gives small outputs whose loss is within a few tens of percent of
    /// the zero-output loss; a wrong output scale is off by multiples.
    public var initialLossTolerance: Double = 0.5
    /// `class-imbalance` when the largest class has more than this many times the samples of the
    /// smallest (an order of magnitude), or a class has none.
    public var imbalanceRatio: Double = 10
    /// `unnormalized-inputs` when the largest feature standard deviation exceeds the smallest
    /// non-zero one by this factor (two orders of magnitude)...
    public var featureScaleRatio: Double = 100
    /// ...or a feature's standard deviation or |mean| exceeds this (inputs far from unit scale)...
    public var featureMagnitude: Double = 10
    /// ...or a feature's |mean| exceeds this many of its standard deviations (far from 0).
    public var featureOffset: Double = 3
    /// `cannot-overfit-small-subset` unless the loss on the subset falls below this fraction of
    /// the zero-output loss ("make sure you can achieve zero cost").
    public var overfitLossFraction: Double = 0.05

    public init() {}
}

extension Finding {
    /// One human line: `[warning] class-imbalance: message Advice.`
    public var line: String { "[\(severity.rawValue)] \(code): \(message) \(advice)" }
}

/// Sanity checks before learning (seed notes 002, "Sanity checks"; Karpathy, "A Recipe for
/// Training Neural Networks", 2019): the data, the loss at initialization, overfitting a tiny
/// subset, and regularization raising the loss. Each returns findings (none when all is well).
public enum SanityChecks {
    /// Checks raw features (before they become a `Dataset`, which rejects non-finite values):
    /// `non-finite-data` (error) for NaN or infinite values, `unnormalized-inputs` (warning) when
    /// feature scales differ by orders of magnitude or lie far from zero mean and unit scale.
    public static func checkFeatures(
        _ features: [Float], featureCount: Int, names: [String]? = nil,
        thresholds: SanityThresholds = SanityThresholds()
    ) -> [Finding] {
        guard featureCount >= 1, !features.isEmpty else { return [] }
        let rows = features.count / featureCount
        var findings: [Finding] = []
        if let bad = features.firstIndex(where: { !$0.isFinite }) {
            let count = features.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
            findings.append(
                Finding(
                    code: "non-finite-data", severity: .error,
                    message:
                        "\(count) feature values are NaN or infinite (the first in sample \(bad / featureCount), feature \(name(bad % featureCount, names))).",
                    advice:
                        "Drop or impute missing values before training: a single NaN makes every loss and weight NaN.",
                    evidence: [
                        "count": "\(count)", "sample": "\(bad / featureCount)",
                        "feature": name(bad % featureCount, names),
                    ]))
        }
        var means = [Double](repeating: 0, count: featureCount), stds = means,
            counts = [Int](repeating: 0, count: featureCount)
        for (i, value) in features.enumerated() where value.isFinite {
            means[i % featureCount] += Double(value)
            counts[i % featureCount] += 1
        }
        for j in 0..<featureCount { means[j] /= Double(max(counts[j], 1)) }
        for (i, value) in features.enumerated() where value.isFinite {
            let d = Double(value) - means[i % featureCount]
            stds[i % featureCount] += d * d
        }
        for j in 0..<featureCount { stds[j] = sqrt(stds[j] / Double(max(counts[j], 1))) }
        guard rows >= 2 else { return findings }

        let varying = stds.indices.filter { stds[$0] > 0 }
        var reasons: [String] = [], evidence: [String: String] = [:]
        if let widest = varying.max(by: { stds[$0] < stds[$1] }),
            let narrowest = varying.min(by: { stds[$0] < stds[$1] }),
            stds[widest] > thresholds.featureScaleRatio * stds[narrowest]
        {
            reasons.append(
                "standard deviations range from \(formatScientific(stds[narrowest])) (\(name(narrowest, names))) to \(formatScientific(stds[widest])) (\(name(widest, names)))"
            )
            evidence["stdRatio"] = formatScientific(stds[widest] / stds[narrowest])
        }
        if let large = (0..<featureCount).max(by: {
            max(stds[$0], abs(means[$0])) < max(stds[$1], abs(means[$1]))
        }),
            max(stds[large], abs(means[large])) > thresholds.featureMagnitude
        {
            reasons.append(
                "\(name(large, names)) has mean \(formatScientific(means[large])) and standard deviation \(formatScientific(stds[large]))"
            )
            evidence["largestFeature"] = name(large, names)
        }
        if let offset = varying.first(where: {
            abs(means[$0]) > thresholds.featureOffset * stds[$0] && abs(means[$0]) > 1
        }) {
            reasons.append(
                "\(name(offset, names)) has mean \(formatScientific(means[offset])), \(formatScientific(abs(means[offset]) / stds[offset])) standard deviations from 0"
            )
            evidence["offsetFeature"] = name(offset, names)
        }
        if !reasons.isEmpty {
            findings.append(
                Finding(
                    code: "unnormalized-inputs", severity: .warning,
                    message: "The inputs are not normalized: " + reasons.joined(separator: "; ")
                        + ".",
                    advice:
                        "Normalize your inputs: standardize each feature to mean 0 and standard deviation 1 (Standardizer), fitted on the training set.",
                    evidence: evidence))
        }
        return findings
    }

    /// Checks class labels: `label-out-of-range` (error) for an index outside `0..<classCount`,
    /// `class-imbalance` (warning) when the class counts differ by more than
    /// `thresholds.imbalanceRatio` or a class has no sample.
    public static func checkClassLabels(
        _ labels: [Int32], classCount: Int, thresholds: SanityThresholds = SanityThresholds()
    ) -> [Finding] {
        var findings: [Finding] = []
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classCount }) {
            findings.append(
                Finding(
                    code: "label-out-of-range", severity: .error,
                    message: "Sample \(bad) has class \(labels[bad]), outside 0..<\(classCount).",
                    advice:
                        "Map the labels to 0..<classes and give the model one output per class.",
                    evidence: [
                        "sample": "\(bad)", "label": "\(labels[bad])",
                        "classCount": "\(classCount)",
                    ]))
        }
        var counts = [Int](repeating: 0, count: max(classCount, 0))
        for label in labels where label >= 0 && Int(label) < classCount { counts[Int(label)] += 1 }
        guard let most = counts.max(), let least = counts.min(), classCount >= 2 else {
            return findings
        }
        if least == 0 || Double(most) > thresholds.imbalanceRatio * Double(least) {
            let largest = counts.firstIndex(of: most)!, smallest = counts.firstIndex(of: least)!
            findings.append(
                Finding(
                    code: "class-imbalance", severity: .warning,
                    message: "Class \(largest) has \(most) samples and class \(smallest) \(least)"
                        + (least == 0
                            ? " (none)."
                            : ", \(formatScientific(Double(most) / Double(least))) times fewer."),
                    advice:
                        "Accuracy will favour the large classes: report per-class recall and F1, resample or weight the classes.",
                    evidence: [
                        "largestClass": "\(largest)", "largestCount": "\(most)",
                        "smallestClass": "\(smallest)", "smallestCount": "\(least)",
                    ]))
        }
        return findings
    }

    /// Checks real-valued targets: `non-finite-data` for NaN or infinite values, and for binary
    /// cross-entropy `label-out-of-range` for targets outside [0, 1].
    public static func checkTargets(_ targets: [Float], loss: LossFunction) -> [Finding] {
        var findings: [Finding] = []
        if let bad = targets.firstIndex(where: { !$0.isFinite }) {
            findings.append(
                Finding(
                    code: "non-finite-data", severity: .error,
                    message: "Target \(bad) is \(targets[bad]).",
                    advice: "Drop or impute samples with missing targets.",
                    evidence: ["index": "\(bad)"]))
        }
        if loss == .binaryCrossEntropy, let bad = targets.firstIndex(where: { $0 < 0 || $0 > 1 }) {
            findings.append(
                Finding(
                    code: "label-out-of-range", severity: .error,
                    message:
                        "Target \(bad) is \(targets[bad]), outside [0, 1] that binary cross-entropy takes.",
                    advice: "Scale the targets to [0, 1], or use a regression loss.",
                    evidence: ["index": "\(bad)"]))
        }
        return findings
    }

    /// Every data check of a data set. A `Dataset` holds only finite values, so
    /// `non-finite-data` can only come from `checkFeatures` on raw arrays.
    public static func checkData(
        _ data: Dataset, loss: LossFunction, thresholds: SanityThresholds = SanityThresholds()
    ) -> [Finding] {
        var findings = checkFeatures(
            data.features, featureCount: data.featureCount, names: data.featureNames,
            thresholds: thresholds)
        if let classes = data.classIndices, let classCount = data.classCount {
            findings += checkClassLabels(classes, classCount: classCount, thresholds: thresholds)
        } else if let targets = data.targets {
            findings += checkTargets(targets, loss: loss)
        }
        return findings
    }

    private static func name(_ feature: Int, _ names: [String]?) -> String {
        names.map { $0[feature] } ?? "feature \(feature)"
    }
}
