import DescentTraining

/// Findings as JSON, for `descent train --json` and the search's results file:
/// `{"advice", "code", "epoch", "evidence", "message", "severity"}`, epoch 0-based or `null`.
extension FindingSeverity: Codable {}

extension Finding: Codable {
    enum CodingKeys: String, CodingKey {
        case code, severity, message, advice, evidence, epoch
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            code: try container.decode(String.self, forKey: .code),
            severity: try container.decode(FindingSeverity.self, forKey: .severity),
            message: try container.decode(String.self, forKey: .message),
            advice: try container.decode(String.self, forKey: .advice),
            evidence: try container.decodeIfPresent([String: String].self, forKey: .evidence)
                ?? [:],
            epoch: try container.decodeIfPresent(Int.self, forKey: .epoch))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(severity, forKey: .severity)
        try container.encode(message, forKey: .message)
        try container.encode(advice, forKey: .advice)
        try container.encode(evidence, forKey: .evidence)
        try container.encode(JSONNullable(epoch), forKey: .epoch)
    }
}
