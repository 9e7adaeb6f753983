#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentTraining

/// How far an analytic gradient is from its numeric estimate, in the relative-error bands of the
/// CS231n notes on gradient checks (seed notes 002, "Gradient checks"), with the relative error
/// `|a - n| / max(|a|, |n|)`.
public enum GradientErrorBand: String, Sendable, Equatable, Comparable, CaseIterable {
    /// Below 1e-7: "1e-7 and less you should be happy".
    case happy
    /// 1e-7 to 1e-4: "usually okay for objectives with kinks. But if there are no kinks (e.g. use
    /// of tanh nonlinearities and softmax), then 1e-4 is too high".
    case okayWithKinks
    /// 1e-4 to 1e-2: "should make you feel uncomfortable"; acceptable only for the input of a
    /// deep network, where "the errors build up on the way".
    case uncomfortable
    /// Above 1e-2: "the gradient is probably wrong".
    case probablyWrong

    /// The band of a relative error (NaN is `probablyWrong`).
    public init(relativeError: Double) {
        switch relativeError {
        case ..<1e-7: self = .happy
        case ..<1e-4: self = .okayWithKinks
        case ..<1e-2: self = .uncomfortable
        default: self = .probablyWrong
        }
    }

    /// The notes' verdict, in a few words.
    public var verdict: String {
        switch self {
        case .happy: "good (< 1e-7)"
        case .okayWithKinks: "okay only with kinks (1e-7...1e-4)"
        case .uncomfortable: "uncomfortable (1e-4...1e-2): acceptable only for deep nets"
        case .probablyWrong: "probably wrong (> 1e-2)"
        }
    }

    public static func < (lhs: GradientErrorBand, rhs: GradientErrorBand) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The relative error of the CS231n notes, `|a - n| / max(|a|, |n|)`, 0 when both are 0.
public func gradientRelativeError(_ a: Double, _ b: Double) -> Double {
    let scale = max(abs(a), abs(b))
    guard scale > 0 else { return a == b ? 0 : .infinity }
    return abs(a - b) / scale
}

/// One checked element of a gradient: the analytic value next to the numeric (or reference) one.
public struct GradientEntry: Sendable, Equatable {
    /// The element's index within its tensor (row-major).
    public var index: Int
    public var analytic: Double
    /// The centered difference, or the double-precision reference in a backend comparison.
    public var numeric: Double
    public var relativeError: Double { gradientRelativeError(analytic, numeric) }
    public var absoluteError: Double { abs(analytic - numeric) }
    public var band: GradientErrorBand { GradientErrorBand(relativeError: relativeError) }
    /// Whether both values are roundoff around zero (see `TensorGradientCheck.negligibleGradient`).
    public var isNegligible: Bool {
        max(abs(analytic), abs(numeric)) <= TensorGradientCheck.negligibleGradient
    }
    /// Whether `x - h` and `x + h` lie on two sides of a kink (a ReLU input crossed 0): the
    /// numeric estimate is then meaningless, and a large error there is not a bug.
    public var crossedKink: Bool
}

/// The check of one tensor: a parameter, or the input batch.
public struct TensorGradientCheck: Sendable, Equatable {
    /// `"layer 0 Dense(2, 8, relu) weight"`, or `"input"`.
    public var name: String
    /// The layer the parameter belongs to, nil for the input.
    public var layerIndex: Int?
    public var shape: [Int]
    /// Every compared element.
    public var entries: [GradientEntry]
    /// Whether the tensor passes (see `GradientCheckReport.passed` and `BackendGradientReport`).
    public var passed: Bool

    /// Below this, analytic and numeric values both are roundoff around zero (a bias before
    /// batch norm has a zero gradient), and their relative error means nothing.
    public static let negligibleGradient = 1e-10

    /// The element with the largest relative error among those that crossed no kink and are not
    /// both negligible (nil when there is none).
    public var worst: GradientEntry? {
        entries.filter { !$0.crossedKink && !$0.isNegligible }.max {
            $0.relativeError < $1.relativeError
        }
    }

    /// The band of `worst` (`happy` when there is none).
    public var band: GradientErrorBand { worst?.band ?? .happy }

    /// The elements whose numeric estimate straddled a kink.
    public var kinkCrossings: [GradientEntry] { entries.filter(\.crossedKink) }

    /// One line: name, worst error and where, the band, and the kinks crossed.
    public var line: String {
        var text = "\(passed ? "ok  " : "FAIL") \(name) \(shape): "
        if let worst {
            text +=
                "worst relative error \(formatScientific(worst.relativeError)) at [\(worst.index)] "
                + "(analytic \(formatScientific(worst.analytic)), numeric \(formatScientific(worst.numeric))), \(worst.band.verdict)"
        } else if entries.contains(where: \.isNegligible) {
            text +=
                "every element is zero within roundoff (below \(formatScientific(Self.negligibleGradient))), numerically too"
        } else {
            text += "no element could be compared"
        }
        let kinks = kinkCrossings.count
        if kinks > 0 {
            text += "; \(kinks) of \(entries.count) elements crossed a kink (not a bug)"
        }
        return text
    }
}

/// `x` in scientific notation with 2 decimals ("3.14e-05"), without Foundation's formatters.
func formatScientific(_ x: Double) -> String {
    guard x.isFinite, x != 0 else { return "\(x)" }
    var exponent = Int(floor(log10(abs(x))))
    var hundredths = Int((abs(x) / pow(10, Double(exponent)) * 100).rounded())
    if hundredths >= 1000 {
        exponent += 1
        hundredths = Int((abs(x) / pow(10, Double(exponent)) * 100).rounded())
    }
    let mantissa =
        "\(hundredths / 100)." + (hundredths % 100 < 10 ? "0" : "") + "\(hundredths % 100)"
    let power = (exponent < 0 ? "-" : "+") + (abs(exponent) < 10 ? "0" : "") + "\(abs(exponent))"
    return (x < 0 ? "-" : "") + mantissa + "e" + power
}

/// The result of `GradientCheck.run`: analytic against centered differences, in double precision.
public struct GradientCheckReport: Sendable, Equatable {
    /// Every parameter tensor, then the input.
    public var tensors: [TensorGradientCheck]
    /// The step `h` of the centered differences.
    public var step: Double
    /// The modes the check ran in ("batch norm in training mode ...").
    public var mode: String

    /// Whether every tensor passed: its worst element that crossed no kink is within 1e-4
    /// (`okayWithKinks` or better) or within 1e-10 in absolute terms (the rounding noise of a
    /// difference quotient in double precision: 1e-16 * |loss| / h).
    public var passed: Bool { tensors.allSatisfy(\.passed) }

    /// The worst band over every tensor.
    public var worstBand: GradientErrorBand { tensors.map(\.band).max() ?? .happy }

    /// A `gradient-check-failed` error per failing tensor.
    public var findings: [Finding] {
        tensors.filter { !$0.passed }.map { tensor in
            Finding(
                code: "gradient-check-failed", severity: .error,
                message:
                    "The analytic gradient of \(tensor.name) disagrees with centered differences: \(tensor.line).",
                advice:
                    "The layer's backward pass is wrong; check its derivative against the forward formula.",
                evidence: [
                    "tensor": tensor.name,
                    "relativeError": formatScientific(tensor.worst?.relativeError ?? 0),
                    "index": "\(tensor.worst?.index ?? 0)", "band": tensor.band.rawValue,
                ])
        }
    }

    /// A header and one line per tensor.
    public var lines: [String] {
        [
            "Gradient check (centered differences, h = \(formatScientific(step)), double precision; \(mode))"
        ]
            + tensors.map(\.line)
    }
}

/// The result of `GradientCheck.compare(on:)`: a backend's float32 gradients against the
/// double-precision analytic reference.
public struct BackendGradientReport: Sendable, Equatable {
    public var deviceName: String
    /// Every parameter tensor (a model computes no gradient for its input).
    public var tensors: [TensorGradientCheck]

    /// An element passes when `|b - r| <= 1e-3 |r| + 1e-4 max|r| + 1e-7`, with `max|r|` over its
    /// tensor: float32 carries about 1e-7 relative error per operation, and sums over a batch
    /// lose digits to cancellation relative to the tensor's scale, not the element's.
    public static let relativeTolerance = 1e-3
    public static let scaledTolerance = 1e-4
    public static let absoluteTolerance = 1e-7

    public var passed: Bool { tensors.allSatisfy(\.passed) }

    /// A `backend-gradient-mismatch` error per failing tensor.
    public var findings: [Finding] {
        tensors.filter { !$0.passed }.map { tensor in
            Finding(
                code: "backend-gradient-mismatch", severity: .error,
                message:
                    "\(deviceName) computes the gradient of \(tensor.name) differently from the double-precision reference: \(tensor.line).",
                advice:
                    "The backend's backward pass for this layer is wrong; run the backend parity tests.",
                evidence: [
                    "device": deviceName, "tensor": tensor.name,
                    "relativeError": formatScientific(tensor.worst?.relativeError ?? 0),
                    "index": "\(tensor.worst?.index ?? 0)",
                ])
        }
    }

    /// A heading, then one line per tensor in float32 terms: the largest difference against the
    /// tensor's scale (the double-precision bands do not apply to float32 arithmetic).
    public var lines: [String] {
        ["Backend gradients on \(deviceName) (float32) against the double-precision reference"]
            + tensors.map(Self.line)
    }

    private static func line(_ tensor: TensorGradientCheck) -> String {
        let scale = tensor.entries.map { abs($0.numeric) }.max() ?? 0
        guard let largest = tensor.entries.max(by: { $0.absoluteError < $1.absoluteError }) else {
            return "\(tensor.passed ? "ok  " : "FAIL") \(tensor.name) \(tensor.shape): no element"
        }
        return
            "\(tensor.passed ? "ok  " : "FAIL") \(tensor.name) \(tensor.shape): largest difference "
            + "\(formatScientific(largest.absoluteError)) at [\(largest.index)] (float32 \(formatScientific(largest.analytic)), "
            + "reference \(formatScientific(largest.numeric))), \(formatScientific(largest.absoluteError / max(scale, .leastNonzeroMagnitude))) "
            + "of the tensor's largest gradient \(formatScientific(scale))"
    }
}
