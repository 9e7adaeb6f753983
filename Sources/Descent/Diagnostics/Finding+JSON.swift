/// Findings as JSON, for `descent train --json` and the search's results file.
extension Finding {
    /// `{"code", "severity", "message", "advice", "evidence", "epoch"}`; evidence sorted by
    /// key, epoch 0-based or `null`.
    public var json: JSONValue {
        .object([
            ("code", .string(code)), ("severity", .string(severity.rawValue)), ("message", .string(message)),
            ("advice", .string(advice)),
            ("evidence", .object(evidence.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("epoch", epoch.map(JSONValue.number) ?? .null),
        ])
    }

    /// The finding `json` describes, or nil when a required member is missing or of the wrong kind.
    public init?(json: JSONValue) {
        guard case .string(let code)? = json["code"], case .string(let severity)? = json["severity"],
              let parsedSeverity = FindingSeverity(rawValue: severity),
              case .string(let message)? = json["message"], case .string(let advice)? = json["advice"]
        else { return nil }
        var evidence: [String: String] = [:]
        if case .object(let members)? = json["evidence"] {
            for case (let key, .string(let value)) in members { evidence[key] = value }
        }
        var epoch: Int? = nil
        if case .number(let text)? = json["epoch"] { epoch = Int(text) }
        self.init(code: code, severity: parsedSeverity, message: message, advice: advice, evidence: evidence, epoch: epoch)
    }
}
