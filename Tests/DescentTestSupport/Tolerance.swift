import Testing

/// A comparison tolerance: `|actual - reference| <= absolute + relative * |reference|`.
///
/// This is the one parity rule of Descent (DESIGN.md §5). Every tolerance a test uses is a named
/// entry of this table; an entry looser than `elementwise` says why.
public struct Tolerance: Sendable, CustomStringConvertible {
    public let absolute: Float
    public let relative: Float

    public init(absolute: Float, relative: Float) {
        self.absolute = absolute
        self.relative = relative
    }

    /// Elementwise ops and activations: a few ulp of float32 (OpenCL's exp, tanh, log1p and
    /// division may differ from glibc's by up to 3-4 ulp).
    public static let elementwise = Tolerance(absolute: 1e-6, relative: 1e-5)
    /// Matmul: sums of K products accumulated in a different order (tiles) than the CPU's loop.
    public static let matmul = Tolerance(absolute: 1e-5, relative: 1e-4)
    /// Reductions, softmax and argmax inputs: tree sums in another order than the CPU's.
    public static let reduction = Tolerance(absolute: 1e-5, relative: 1e-4)
    /// Bit-identical results: Philox random fills, copies, fills.
    public static let exact = Tolerance(absolute: 0, relative: 0)
    /// The float32 reference against centered finite differences in Double. Looser than
    /// elementwise because the float32 derivative itself carries ~1e-7 relative error and
    /// formulas such as `y (1 - y)` lose digits through cancellation near saturation.
    public static let finiteDifference = Tolerance(absolute: 1e-5, relative: 1e-4)

    public var description: String { "atol \(absolute), rtol \(relative)" }

    /// Whether `actual` is within tolerance of `reference`. Two NaNs match; a NaN never matches a number.
    public func accepts(_ actual: Float, _ reference: Float) -> Bool {
        if actual.isNaN || reference.isNaN { return actual.isNaN && reference.isNaN }
        if actual == reference { return true }
        return abs(actual - reference) <= absolute + relative * abs(reference)
    }
}

/// Records a test issue unless `actual` matches `reference` element by element within `tolerance`.
///
/// The message names the worst element (index, both values, absolute and relative error), the
/// number of mismatches, and the first five pairs, and the issue points at the caller.
public func expectClose(
    _ actual: [Float], _ reference: [Float], _ tolerance: Tolerance,
    _ what: @autoclosure () -> String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual.count == reference.count else {
        Issue.record(
            "\(what()): \(actual.count) values, expected \(reference.count)",
            sourceLocation: sourceLocation)
        return
    }
    var mismatches = 0
    var worst: (index: Int, excess: Float)? = nil
    for index in actual.indices where !tolerance.accepts(actual[index], reference[index]) {
        mismatches += 1
        let error = abs(actual[index] - reference[index])
        let allowed = tolerance.absolute + tolerance.relative * abs(reference[index])
        let excess = error.isNaN ? .infinity : error / max(allowed, .leastNormalMagnitude)
        if worst == nil || excess > worst!.excess { worst = (index, excess) }
    }
    guard let worst else { return }
    let a = actual[worst.index], r = reference[worst.index]
    let absoluteError = abs(a - r)
    let relativeError = absoluteError / max(abs(r), .leastNormalMagnitude)
    let pairs = (0..<min(5, actual.count)).map { "[\($0)] \(actual[$0]) vs \(reference[$0])" }
        .joined(separator: ", ")
    Issue.record(
        """
        \(what()): \(mismatches) of \(actual.count) elements outside \(tolerance). \
        Worst at [\(worst.index)]: \(a) vs reference \(r) (abs error \(absoluteError), rel error \(relativeError)). \
        First pairs (actual vs reference): \(pairs)
        """,
        sourceLocation: sourceLocation)
}
