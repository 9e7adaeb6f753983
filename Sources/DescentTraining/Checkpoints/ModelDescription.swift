import DescentCore

/// What a saved model file says beyond its tensors: everything needed to rebuild the model and
/// predict with it from the file alone. Stored as JSON under the header metadata key
/// `descent.model`; `Model.load(contentsOf:on:)` reads it.
///
/// Keys: `version` (1), `seed`, `input_features`, `input_shape` (only for samples that are not
/// flat vectors: `[1, 28, 28]` for images), `layers` (each a `LayerDescription`), and, as
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
    /// The shape of each input sample when it is not a flat vector of `inputFeatures` values.
    public var inputShapeDimensions: [Int]?
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
        seed: UInt64, inputShape: SampleShape, layers: [LayerDescription],
        task: LearningTask? = nil,
        loss: LossFunction? = nil, classNames: [String]? = nil, featureNames: [String]? = nil,
        standardization: Standardization? = nil, tensorLayout: [String: String] = [:]
    ) {
        version = Self.currentVersion
        self.seed = seed
        self.inputFeatures = inputShape.count
        self.inputShapeDimensions = inputShape.dimensions.count == 1 ? nil : inputShape.dimensions
        self.layers = layers
        self.task = task
        self.loss = loss
        self.classNames = classNames
        self.featureNames = featureNames
        self.standardization = standardization
        self.tensorLayout = tensorLayout
    }

    /// The shape of each input sample.
    /// - Throws: `DescentError.invalidArgument` when `input_shape` is not a shape of
    ///   `input_features` values.
    public var inputShape: SampleShape {
        get throws {
            guard let dimensions = inputShapeDimensions else { return .features(inputFeatures) }
            let shape = try SampleShape(dimensions)
            guard shape.count == inputFeatures else {
                throw DescentError.invalidArgument(
                    operation: "ModelDescription",
                    reason:
                        "its input shape \(shape) does not hold its \(inputFeatures) input features"
                )
            }
            return shape
        }
    }

    /// The model's architecture.
    public var architecture: Sequential { Sequential(seed: seed, layers: layers.map(\.layer)) }

    /// The most input features a described model may have (a weight matrix of that many rows
    /// would already be gigabytes).
    static let maximumInputFeatures = 1 << 24

    /// Checks the description against the tensors it came with before any model is built from
    /// it: every layer's parameters are tensors of the file with the shapes the layer implies, so
    /// no size comes from the text alone.
    /// - Throws: `DescentError.invalidArgument` naming the first layer that does not fit.
    func check(against tensors: [SafeTensor], file: String) throws {
        let shapes = Dictionary(
            tensors.map { ($0.name, $0.shape) }, uniquingKeysWith: { first, _ in first })
        func require(_ condition: Bool, _ reason: @autoclosure () -> String) throws {
            guard condition else {
                throw DescentError.invalidArgument(
                    operation: "Model.load(contentsOf:)",
                    reason: "\(file): its model description does not fit its tensors: \(reason())")
            }
        }
        try require(
            (1...Self.maximumInputFeatures).contains(inputFeatures),
            "\(inputFeatures) input features")
        try require(
            (try? inputShape) != nil,
            "input shape \(inputShapeDimensions ?? []) for \(inputFeatures) input features")
        for (index, layer) in layers.enumerated() {
            var expected: [(String, [Int])] = []
            switch layer {
            case .dense(let inputs, let outputs, _, let useBias):
                expected = [("weight", [inputs, outputs])] + (useBias ? [("bias", [outputs])] : [])
            case .batchNorm(let features, _):
                expected = ["gamma", "beta", "running_mean", "running_var"].map { ($0, [features]) }
            case .layerNorm(let features, _):
                expected = ["gamma", "beta"].map { ($0, [features]) }
            case .conv2D(let inputs, let outputs, let kernelSize, _, _, let useBias):
                expected =
                    [("weight", [outputs, inputs, kernelSize, kernelSize])]
                    + (useBias ? [("bias", [outputs])] : [])
            case .activation, .dropout, .gaussianNoise, .pool2D, .globalAveragePool, .flatten,
                .randomCropFlip:
                break
            }
            for (name, shape) in expected {
                let tensor = "layers.\(index).\(name)"
                try require(
                    shapes[tensor] == shape,
                    "layer \(index) needs \(tensor) of shape \(shape), the file has "
                        + (shapes[tensor].map { "\($0)" } ?? "none"))
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case version, seed, layers, task, loss, standardization
        case inputFeatures = "input_features"
        case inputShapeDimensions = "input_shape"
        case classNames = "class_names"
        case featureNames = "feature_names"
        case tensorLayout = "tensor_layout"
    }
}
