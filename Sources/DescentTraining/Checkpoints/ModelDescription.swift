import DescentCore

/// What a saved model file says beyond its tensors: everything needed to rebuild the model and
/// predict with it from the file alone. Stored as JSON under the header metadata key
/// `descent.model`; `Model.load(contentsOf:on:)` reads it.
///
/// Keys: `version` (1), `seed`, `input_features`, `layers` (each a `LayerDescription`), and, as
/// far as the trainer knew them, `task`, `loss`, `class_names` (in label order: the name of
/// class `i` is `class_names[i]`), `feature_names` (in input order), `standardization` (the
/// per-feature `mean` and `scale` the inputs were standardized with: `x' = (x - mean) / scale`),
/// and `tensor_layout` (each tensor's name and what its axes are).
public struct ModelDescription: Codable, Sendable, Equatable {
    /// The header metadata key that holds the description.
    public static let metadataKey = "descent.model"
    /// The version this Descent writes and reads.
    public static let currentVersion = 1

    public var version: Int
    /// The seed of the model's dropout and noise masks (the weights come from the file).
    public var seed: UInt64
    public var inputFeatures: Int
    public var layers: [LayerDescription]
    public var task: LearningTask?
    public var loss: LossFunction?
    public var classNames: [String]?
    public var featureNames: [String]?
    public var standardization: Standardization?
    public var tensorLayout: [String: String]

    /// The per-feature standardization of the inputs, `x' = (x - mean) / scale`.
    public struct Standardization: Codable, Sendable, Equatable {
        public var mean: [Double]
        public var scale: [Double]

        public init(mean: [Double], scale: [Double]) {
            self.mean = mean
            self.scale = scale
        }

        /// The statistics of a fitted `Standardizer`.
        public init(_ standardizer: Standardizer) {
            self.init(mean: standardizer.mean, scale: standardizer.scale)
        }

        /// The `Standardizer` that applies them.
        /// - Throws: `DescentError.invalidArgument` for a non-finite mean or a scale that is not > 0.
        public var standardizer: Standardizer {
            get throws { try Standardizer(mean: mean, scale: scale) }
        }
    }

    public init(
        seed: UInt64, inputFeatures: Int, layers: [LayerDescription], task: LearningTask? = nil,
        loss: LossFunction? = nil, classNames: [String]? = nil, featureNames: [String]? = nil,
        standardization: Standardization? = nil, tensorLayout: [String: String] = [:]
    ) {
        version = Self.currentVersion
        self.seed = seed
        self.inputFeatures = inputFeatures
        self.layers = layers
        self.task = task
        self.loss = loss
        self.classNames = classNames
        self.featureNames = featureNames
        self.standardization = standardization
        self.tensorLayout = tensorLayout
    }

    /// The model's architecture.
    public var architecture: Sequential { Sequential(seed: seed, layers: layers.map(\.layer)) }

    enum CodingKeys: String, CodingKey {
        case version, seed, layers, task, loss, standardization
        case inputFeatures = "input_features"
        case classNames = "class_names"
        case featureNames = "feature_names"
        case tensorLayout = "tensor_layout"
    }
}
