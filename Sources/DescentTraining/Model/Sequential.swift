import DescentCore

/// Builds the layer list of a `Sequential` model: `Sequential(seed: 42) { Dense(784, 256); ReLU() }`.
@resultBuilder
public enum LayerBuilder {
    public static func buildExpression(_ layer: any Layer) -> [any Layer] { [layer] }
    public static func buildBlock(_ layers: [any Layer]...) -> [any Layer] { layers.flatMap { $0 } }
    public static func buildOptional(_ layers: [any Layer]?) -> [any Layer] { layers ?? [] }
    public static func buildEither(first layers: [any Layer]) -> [any Layer] { layers }
    public static func buildEither(second layers: [any Layer]) -> [any Layer] { layers }
    public static func buildArray(_ layers: [[any Layer]]) -> [any Layer] { layers.flatMap { $0 } }
}

/// A stack of layers, each feeding the next: the description of a model, independent of any
/// backend. `Model` builds it on one. The seed fixes the initial weights and the dropout masks,
/// identically on every backend.
public struct Sequential: Sendable, CustomStringConvertible {
    public var layers: [any Layer]
    public var seed: UInt64

    public init(seed: UInt64, @LayerBuilder _ layers: () -> [any Layer]) {
        self.seed = seed
        self.layers = layers()
    }

    public init(seed: UInt64, layers: [any Layer]) {
        self.seed = seed
        self.layers = layers
    }

    public var description: String {
        "Sequential(seed: \(seed)) { " + layers.map(\.description).joined(separator: "; ") + " }"
    }
}
