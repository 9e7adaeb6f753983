import DescentTraining

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

    /// The same values in `space`'s order and of its domains' kinds (a real that JSON wrote
    /// as `1` is `1.0` again), or nil when the names are not the space's.
    public func conformed(to space: SearchSpace) -> TrialConfiguration? {
        guard Set(names) == Set(space.hyperparameters.map(\.name)) else { return nil }
        var pairs: [(String, HyperparameterValue)] = []
        for parameter in space.hyperparameters {
            let value = values[parameter.name]!
            switch (parameter.domain, value) {
            case (.uniform, .integer(let number)), (.logUniform, .integer(let number)):
                pairs.append((parameter.name, .real(Double(number))))
            case (.choice, .integer(let number)):
                pairs.append((parameter.name, .text(String(number))))
            case (.choice, .real(let number)): pairs.append((parameter.name, .text("\(number)")))
            default: pairs.append((parameter.name, value))
            }
        }
        return TrialConfiguration(pairs)
    }
}

/// A configuration in JSON: an object from names to values (numbers as numbers, choices as
/// strings), the form the results file stores. JSON objects keep no order: a configuration read
/// back has its names sorted until `conformed(to:)` puts them in a space's order.
extension TrialConfiguration: Codable {
    public init(from decoder: any Decoder) throws {
        let values = try [String: HyperparameterValue](from: decoder)
        self.init(values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    public func encode(to encoder: any Encoder) throws {
        try values.encode(to: encoder)
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

    public init(
        stage: Int, index: Int, configuration: TrialConfiguration, epochs: Int, seed: UInt64,
        result: TrialResult
    ) {
        self.stage = stage
        self.index = index
        self.configuration = configuration
        self.epochs = epochs
        self.seed = seed
        self.result = result
    }

    /// Identifies the trial across runs of the same search: stage, index, configuration, epochs.
    public var key: String {
        Self.key(stage: stage, index: index, configuration: configuration, epochs: epochs)
    }

    static func key(
        stage: Int, index: Int, configuration: TrialConfiguration, epochs: Int
    ) -> String {
        "\(stage)/\(index)/\(epochs)/\(configuration)"
    }

    /// The trial's score under `objective`: its best validation metric over the epochs it ran (as
    /// early stopping would keep); nil when it has none that is finite.
    public func score(_ objective: SearchObjective) -> Double? {
        objective.best(of: result.validationMetric)
    }

}

/// A record in JSON: one line of the results file.
extension TrialRecord: Codable {
    enum CodingKeys: String, CodingKey {
        case stage, index, epochs, seed, configuration, findings
        case validationMetric = "validation_metric"
        case wallSeconds = "wall_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let metric = try container.decode([JSONNullable<Double>].self, forKey: .validationMetric)
        self.init(
            stage: try container.decode(Int.self, forKey: .stage),
            index: try container.decode(Int.self, forKey: .index),
            configuration: try container.decode(TrialConfiguration.self, forKey: .configuration),
            epochs: try container.decode(Int.self, forKey: .epochs),
            seed: try container.decode(UInt64.self, forKey: .seed),
            result: TrialResult(
                validationMetric: metric.map { $0.value ?? .nan },
                wallSeconds: try container.decode(JSONNullable<Double>.self, forKey: .wallSeconds)
                    .value ?? .nan,
                // A finding this version cannot read (a severity it does not know) is left out,
                // not the whole record.
                findings: try container.decode([ReadableFinding].self, forKey: .findings)
                    .compactMap(\.finding)))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stage, forKey: .stage)
        try container.encode(index, forKey: .index)
        try container.encode(epochs, forKey: .epochs)
        try container.encode(seed, forKey: .seed)
        try container.encode(configuration, forKey: .configuration)
        try container.encode(
            result.validationMetric.map(JSONNullable.init(finite:)), forKey: .validationMetric)
        try container.encode(JSONNullable(finite: result.wallSeconds), forKey: .wallSeconds)
        try container.encode(result.findings, forKey: .findings)
    }
}

/// A finding as a record holds it: nil when it cannot be read.
private struct ReadableFinding: Decodable {
    var finding: Finding?

    init(from decoder: any Decoder) throws { finding = try? Finding(from: decoder) }
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
    public static let validationAccuracy = SearchObjective(
        metric: "val_accuracy", lowerIsBetter: false)

    /// Whether `a` is better than `b`.
    public func prefers(_ a: Double, over b: Double) -> Bool { lowerIsBetter ? a < b : a > b }

    /// The best finite value, nil when there is none.
    func best(of values: [Double]) -> Double? {
        values.filter(\.isFinite).min { prefers($0, over: $1) }
    }
}
