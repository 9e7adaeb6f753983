import DescentTraining

/// How much a `Finding` matters.
public enum FindingSeverity: String, Sendable, Equatable, Comparable, CaseIterable {
    /// Worth knowing; nothing to fix.
    case info
    /// Training works but is likely worse than it could be; the advice says what to try.
    case warning
    /// Training is broken (a non-finite loss, data that cannot be learned from); a fatal finding
    /// stops training with the last good weights kept.
    case error

    public static func < (lhs: FindingSeverity, rhs: FindingSeverity) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One observation of the diagnosis about a run: a stable `code` (for example `dead-relu`), how
/// much it matters, what was seen (with the numbers, layer and epoch as evidence) and what to do.
public struct Finding: Sendable, Equatable {
    /// A stable, kebab-case identifier that scripts can match on (`lr-too-high`, `overfitting`, ...).
    public var code: String
    public var severity: FindingSeverity
    /// What was seen, in one sentence with its numbers.
    public var message: String
    /// What to do about it, concretely.
    public var advice: String
    /// The measurements behind the finding, by name (for example `"ratio": "3.2e-1"`, `"layer": "dense 2"`).
    public var evidence: [String: String]
    /// The epoch (0-based) in which it was raised, when it belongs to one.
    public var epoch: Int?

    public init(
        code: String, severity: FindingSeverity, message: String, advice: String,
        evidence: [String: String] = [:], epoch: Int? = nil
    ) {
        self.code = code
        self.severity = severity
        self.message = message
        self.advice = advice
        self.evidence = evidence
        self.epoch = epoch
    }
}
