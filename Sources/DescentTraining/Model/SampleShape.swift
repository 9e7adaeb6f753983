import DescentCore

/// The shape of one sample, without the batch axis: `[features]` for a feature vector,
/// `[channels, height, width]` for an image (a batch of images is NCHW, as in PyTorch). A batch
/// of samples is always stored densely, sample after sample, so the shape only says how a layer
/// reads a sample's `count` values.
public struct SampleShape: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The sizes of the axes, each at least 1.
    public let dimensions: [Int]

    /// A shape of the given axes.
    /// - Throws: `DescentError.invalidArgument` for no axes or an axis below 1.
    public init(_ dimensions: [Int]) throws {
        guard !dimensions.isEmpty, dimensions.allSatisfy({ $0 >= 1 }) else {
            throw DescentError.invalidArgument(
                operation: "SampleShape",
                reason:
                    "a sample shape needs at least one axis, each of size >= 1, got \(dimensions)")
        }
        self.dimensions = dimensions
    }

    private init(unchecked dimensions: [Int]) { self.dimensions = dimensions }

    /// A feature vector of `count` values.
    public static func features(_ count: Int) -> SampleShape { SampleShape(unchecked: [count]) }

    /// An image of `channels x height x width` values.
    public static func image(channels: Int, height: Int, width: Int) -> SampleShape {
        SampleShape(unchecked: [channels, height, width])
    }

    /// The number of values of a sample.
    public var count: Int { dimensions.reduce(1, *) }

    /// Whether the shape is an image, `[channels, height, width]`.
    public var isImage: Bool { dimensions.count == 3 }

    /// The image's channels, height and width, or nil for another shape.
    public var image: (channels: Int, height: Int, width: Int)? {
        isImage ? (dimensions[0], dimensions[1], dimensions[2]) : nil
    }

    /// `[1, 28, 28]`.
    public var description: String {
        "[" + dimensions.map(String.init).joined(separator: ", ") + "]"
    }

    public init(from decoder: any Decoder) throws {
        try self.init(try [Int](from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try dimensions.encode(to: encoder)
    }
}
