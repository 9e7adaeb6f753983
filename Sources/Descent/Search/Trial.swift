/// One point of a search space: a value for each hyperparameter, in the space's order.
public struct TrialConfiguration: Sendable, Hashable, CustomStringConvertible {
    public let values: [String: HyperparameterValue]
    /// The names in the space's order, so that printing and keys are stable.
    public let names: [String]

    public init(_ pairs: [(String, HyperparameterValue)]) {
        names = pairs.map(\.0)
        values = Dictionary(pairs, uniquingKeysWith: { _, last in last })
    }

    public subscript(name: String) -> HyperparameterValue? { values[name] }

    /// `lr=0.001 hidden=128,64`: the values in order, separated by spaces.
    public var description: String {
        names.map { "\($0)=\(values[$0]!)" }.joined(separator: " ")
    }

    /// The values as a JSON object in the space's order: numbers as numbers, choices as strings
    /// (the form the results file stores).
    public var json: JSONValue { .object(names.map { ($0, values[$0]!.json) }) }

    init?(json: JSONValue) {
        guard case .object(let members) = json else { return nil }
        var pairs: [(String, HyperparameterValue)] = []
        for (name, value) in members {
            guard let parsed = HyperparameterValue(json: value) else { return nil }
            pairs.append((name, parsed))
        }
        self.init(pairs)
    }
}

/// What a trial runner reports after training one configuration.
public struct TrialResult: Sendable, Equatable {
    /// The validation metric after each epoch (the objective's metric, on the validation split).
    public var validationMetric: [Double]
    /// Seconds the trial took, from building the model to the last validation.
    public var wallSeconds: Double
    /// The diagnosis's findings about the run, as the runner passes them.
    public var findings: [Finding]

    public init(validationMetric: [Double], wallSeconds: Double, findings: [Finding] = []) {
        self.validationMetric = validationMetric
        self.wallSeconds = wallSeconds
        self.findings = findings
    }
}

/// A finished trial as the results file stores it: where in the search it ran, what it tried,
/// and what it measured.
public struct TrialRecord: Sendable, Equatable {
    /// 0 for grid and random search and coarse-to-fine's coarse stage, then 1, 2, ... for finer stages.
    public var stage: Int
    /// The configuration's position among its stage's proposals.
    public var index: Int
    public var configuration: TrialConfiguration
    /// Epochs it was given: below the full budget when successive halving stopped it at a rung.
    public var epochs: Int
    /// The seed of its weights, shuffles and dropout masks.
    public var seed: UInt64
    public var result: TrialResult

    public init(stage: Int, index: Int, configuration: TrialConfiguration, epochs: Int, seed: UInt64, result: TrialResult) {
        self.stage = stage
        self.index = index
        self.configuration = configuration
        self.epochs = epochs
        self.seed = seed
        self.result = result
    }

    /// Identifies the trial across runs of the same search: stage, index, configuration, epochs.
    public var key: String { Self.key(stage: stage, index: index, configuration: configuration, epochs: epochs) }

    static func key(stage: Int, index: Int, configuration: TrialConfiguration, epochs: Int) -> String {
        "\(stage)/\(index)/\(epochs)/\(configuration)"
    }

    /// The trial's score under `objective`: its best validation metric over the epochs it ran (as
    /// early stopping would keep); nil when it has none that is finite.
    public func score(_ objective: SearchObjective) -> Double? {
        objective.best(of: result.validationMetric)
    }

    var json: JSONValue {
        .object([
            ("stage", .number(stage)), ("index", .number(index)), ("epochs", .number(epochs)),
            ("seed", .number(String(seed))), ("configuration", configuration.json),
            ("validation_metric", .array(result.validationMetric.map(JSONValue.number))),
            ("wall_seconds", .number(result.wallSeconds)), ("findings", .array(result.findings.map(\.json))),
        ])
    }

    init?(json: JSONValue) {
        guard case .number(let stage)? = json["stage"], let stage = Int(stage),
              case .number(let index)? = json["index"], let index = Int(index),
              case .number(let epochs)? = json["epochs"], let epochs = Int(epochs),
              case .number(let seed)? = json["seed"], let seed = UInt64(seed),
              let configuration = json["configuration"].flatMap(TrialConfiguration.init(json:)),
              case .array(let metric)? = json["validation_metric"],
              case .number(let seconds)? = json["wall_seconds"], let wallSeconds = Double(seconds),
              case .array(let findings)? = json["findings"]
        else { return nil }
        let values = metric.map { value -> Double in
            if case .number(let text) = value { return Double(text) ?? .nan }
            return .nan
        }
        self.init(
            stage: stage, index: index, configuration: configuration, epochs: epochs, seed: seed,
            result: TrialResult(validationMetric: values, wallSeconds: wallSeconds, findings: findings.compactMap(Finding.init(json:))))
    }
}

/// What a search optimizes: a validation metric's name and whether lower or higher is better.
public struct SearchObjective: Sendable, Equatable {
    public var metric: String
    public var lowerIsBetter: Bool

    public init(metric: String, lowerIsBetter: Bool) {
        self.metric = metric
        self.lowerIsBetter = lowerIsBetter
    }

    /// The validation loss, lower is better.
    public static let validationLoss = SearchObjective(metric: "val_loss", lowerIsBetter: true)
    /// The validation accuracy, higher is better.
    public static let validationAccuracy = SearchObjective(metric: "val_accuracy", lowerIsBetter: false)

    /// Whether `a` is better than `b`.
    public func prefers(_ a: Double, over b: Double) -> Bool { lowerIsBetter ? a < b : a > b }

    /// The best finite value, nil when there is none.
    func best(of values: [Double]) -> Double? {
        values.filter(\.isFinite).min { prefers($0, over: $1) }
    }
}
