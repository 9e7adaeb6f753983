#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentTraining

/// Seeded two-dimensional toy problems for classification: interleaved spirals, two moons and two
/// circles. Each has the features `x` and `y`, class indices, Gaussian noise of standard deviation
/// `noise` added to each coordinate, and its samples shuffled; the same arguments and seed give
/// the same data set. Draws come from the Philox4x32-10 generator keyed by the seed (one stream
/// for the noise, one for the shuffle); the curves and the Gaussian noise also use the C library's
/// `cos`, `sin` and `log`, so data sets match bit for bit across machines with the same C library
/// and to a few ulp elsewhere.
extension Dataset {
    /// `classes` interleaved spiral arms around the origin (two by default, the classic
    /// "two spirals" problem), `sampleCount` samples shared as evenly as possible (the first
    /// `sampleCount % classes` classes get one more).
    ///
    /// Sample `i` of the `n_k` samples of class `k` lies at radius `t = (i + 1/2) / n_k` and angle
    /// `2 pi (k / classes + turns * t)`: every arm winds `turns` times outward from the centre,
    /// rotated by `1 / classes` of a turn from the previous one.
    ///
    /// - Parameters:
    ///   - sampleCount: The number of samples, at least `classes`.
    ///   - classes: The number of arms and classes, at least 2.
    ///   - turns: How many times each arm winds around the centre (> 0); 1 by default.
    ///   - noise: The standard deviation of the noise added to each coordinate (>= 0).
    ///   - seed: The key of the noise and of the shuffle.
    /// - Throws: `DescentError.invalidArgument` naming the argument out of range.
    public static func spirals(
        sampleCount: Int, classes: Int = 2, turns: Double = 1, noise: Double = 0, seed: UInt64
    ) throws -> Dataset {
        let operation = "Dataset.spirals"
        try DataValidation.require(
            classes >= 2, operation, "the class count must be >= 2, got \(classes)")
        try DataValidation.require(
            sampleCount >= classes, operation,
            "\(sampleCount) samples cannot give each of the \(classes) classes a sample; use at least \(classes)"
        )
        try DataValidation.require(
            turns.isFinite && turns > 0, operation, "turns must be finite and > 0, got \(turns)")
        var points = [(x: Double, y: Double, label: Int32)]()
        for k in 0..<classes {
            let count = sampleCount / classes + (k < sampleCount % classes ? 1 : 0)
            for i in 0..<count {
                let t = (Double(i) + 0.5) / Double(count)
                let angle = 2 * Double.pi * (Double(k) / Double(classes) + turns * t)
                points.append((t * cos(angle), t * sin(angle), Int32(k)))
            }
        }
        return try synthetic(
            points, classes: classes, noise: noise, seed: seed, operation: operation)
    }

    /// Two interleaving half circles, as scikit-learn's `make_moons`: class 0 is the upper arc
    /// `(cos a, sin a)` and class 1 the lower arc `(1 - cos a, 1/2 - sin a)`, `a` evenly spaced on
    /// `[0, pi]` (both ends included), with `sampleCount / 2` (rounded down) samples in class 0.
    ///
    /// - Parameters:
    ///   - sampleCount: The number of samples, at least 2.
    ///   - noise: The standard deviation of the noise added to each coordinate (>= 0).
    ///   - seed: The key of the noise and of the shuffle.
    /// - Throws: `DescentError.invalidArgument` naming the argument out of range.
    public static func moons(sampleCount: Int, noise: Double = 0, seed: UInt64) throws -> Dataset {
        let operation = "Dataset.moons"
        try DataValidation.require(
            sampleCount >= 2, operation, "the sample count must be >= 2, got \(sampleCount)")
        let outer = sampleCount / 2
        let inner = sampleCount - outer
        let points =
            spaced(outer, through: Double.pi).map { (cos($0), sin($0), Int32(0)) }
            + spaced(inner, through: Double.pi).map { (1 - cos($0), 0.5 - sin($0), Int32(1)) }
        return try synthetic(points, classes: 2, noise: noise, seed: seed, operation: operation)
    }

    /// A large circle (class 0) around a smaller one (class 1), as scikit-learn's `make_circles`:
    /// `(cos a, sin a)` and `factor * (cos a, sin a)`, `a` evenly spaced on `[0, 2 pi)`, with
    /// `sampleCount / 2` (rounded down) samples on the outer circle.
    ///
    /// - Parameters:
    ///   - sampleCount: The number of samples, at least 2.
    ///   - noise: The standard deviation of the noise added to each coordinate (>= 0).
    ///   - factor: The inner radius over the outer one, in `[0, 1)`; 0.8 by default.
    ///   - seed: The key of the noise and of the shuffle.
    /// - Throws: `DescentError.invalidArgument` naming the argument out of range.
    public static func circles(
        sampleCount: Int, noise: Double = 0, factor: Double = 0.8, seed: UInt64
    ) throws -> Dataset {
        let operation = "Dataset.circles"
        try DataValidation.require(
            sampleCount >= 2, operation, "the sample count must be >= 2, got \(sampleCount)")
        try DataValidation.require(
            factor >= 0 && factor < 1, operation, "factor must be in [0, 1), got \(factor)")
        let outer = sampleCount / 2
        let inner = sampleCount - outer
        func around(_ count: Int) -> [Double] {
            (0..<count).map { 2 * Double.pi * Double($0) / Double(count) }
        }
        let points =
            around(outer).map { (cos($0), sin($0), Int32(0)) }
            + around(inner).map { (factor * cos($0), factor * sin($0), Int32(1)) }
        return try synthetic(points, classes: 2, noise: noise, seed: seed, operation: operation)
    }

    /// `count` values evenly spaced on `[0, end]`, both ends included (`[0]` for one value).
    private static func spaced(_ count: Int, through end: Double) -> [Double] {
        (0..<count).map { count == 1 ? 0 : end * Double($0) / Double(count - 1) }
    }

    /// The points with noise added, shuffled.
    private static func synthetic(
        _ points: [(x: Double, y: Double, label: Int32)], classes: Int, noise: Double, seed: UInt64,
        operation: String
    ) throws -> Dataset {
        try DataValidation.require(
            noise.isFinite && noise >= 0, operation, "noise must be finite and >= 0, got \(noise)")
        var random = DataRandom(seed: seed, stream: .noise)
        var features = [Float]()
        features.reserveCapacity(2 * points.count)
        for point in points {
            features.append(Float(point.x + noise * random.standardNormal()))
            features.append(Float(point.y + noise * random.standardNormal()))
        }
        let ordered = Dataset(
            unchecked: features, sampleShape: .features(2),
            labels: .classes(indices: points.map(\.label), classCount: classes, names: nil),
            featureNames: ["x", "y"])
        return ordered.shuffled(seed: seed)
    }
}
