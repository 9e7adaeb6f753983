#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentTraining

/// How an axis maps values to positions.
public enum AxisScale: Sendable, Equatable {
    /// Equal distances for equal differences: losses, accuracies, epochs.
    case linear
    /// Equal distances for equal ratios (base 10): learning rates, update-to-weight ratios,
    /// gradient norms, anything that spans decades. Values <= 0 cannot be drawn and are skipped.
    case logarithmic
}

/// The ticks of one axis: a domain rounded out to "nice" values and the labels to print.
///
/// Linear axes step by 1, 2 or 5 times a power of ten, chosen so that about `targetCount`
/// intervals cover the data (the rule of d3's `ticks` and R's `pretty`), and the domain is widened
/// to the nearest ticks outside the data. Logarithmic axes tick at decades (every `k`-th decade
/// when the data spans more than eight). Tick values are computed as an integer times a power of
/// ten and printed from those integers, so labels read `0.3`, never `0.30000000000000004`:
///
///     values 0, 0.2, ..., 1        labels "0", "0.2", ..., "1"
///     values 0, 0.005, 0.01        labels "0", "5e-3", "1e-2"   (all scientific below 0.01)
///     values 0, 5000, ..., 15000   labels "0", "5k", "10k", "15k"
///     decades 1e-5 ... 0.1         labels "1e-5", "1e-4", "1e-3", "0.01", "0.1"
public struct AxisTicks: Sendable, Equatable {
    /// The scale the ticks are for.
    public let scale: AxisScale
    /// The tick values, ascending; unless the axis is `fitted(to:)` a range, the first and last
    /// are the axis's domain.
    public let values: [Double]
    /// One label per value.
    public let labels: [String]
    /// The lowest value the axis shows.
    public let lower: Double
    /// The highest value the axis shows.
    public let upper: Double

    /// Ticks that cover the finite values of `data` (and, on a logarithmic scale, only the positive
    /// ones); `[0, 1]` or the decade `[1, 10]` when there are none.
    /// - Parameter integersOnly: on a linear scale, never step by less than 1 (epochs, steps).
    public init(
        scale: AxisScale, covering data: [Double], targetCount: Int = 5, integersOnly: Bool = false
    ) {
        let usable = data.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        let lower = usable.min(), upper = usable.max()
        switch scale {
        case .linear:
            self = .linear(
                from: lower ?? 0, to: upper ?? 1, targetCount: targetCount,
                integersOnly: integersOnly)
        case .logarithmic: self = .logarithmic(from: lower ?? 1, to: upper ?? 10)
        }
    }

    /// Linear ticks at `k * step` with `step` in {1, 2, 5} x 10^p, over `[from, to]` widened to
    /// the nearest ticks. A zero-width range is widened by 10% of its value (by 1 around 0);
    /// non-finite bounds give `[0, 1]`. With `integersOnly` the step is at least 1.
    public static func linear(
        from: Double, to: Double, targetCount: Int = 5, integersOnly: Bool = false
    ) -> AxisTicks {
        var low = min(from, to), high = max(from, to)
        if !low.isFinite || !high.isFinite { (low, high) = (0, 1) }
        if low == high {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            (low, high) = (low - pad, high + pad)
        }
        let rough = (high - low) / Double(max(1, targetCount))
        var exponent = Int(floorLog10(rough))
        let error = rough / power10(exponent)
        var multiplier =
            error >= 50.0.squareRoot()
            ? 10 : error >= 10.0.squareRoot() ? 5 : error >= 2.0.squareRoot() ? 2 : 1
        if multiplier == 10 { (multiplier, exponent) = (1, exponent + 1) }
        if integersOnly && exponent < 0 { (multiplier, exponent) = (1, 0) }
        let step = Double(multiplier) * power10(exponent)
        let first = Int((low / step + 1e-9).rounded(.down)),
            last = Int((high / step - 1e-9).rounded(.up))
        let integers = (first...max(first + 1, last)).map { $0 * multiplier }
        let values = integers.map { Self.value($0, exponent) }
        let largest = values.map(abs).max() ?? 0
        let labels: [String]
        if largest >= 1e15 || (largest < 0.01 && largest > 0) {
            labels = integers.map { Self.scientific($0, exponent) }
        } else if largest >= 1e4 {
            let group = Int(floorLog10(largest)) / 3
            labels = integers.map {
                $0 == 0
                    ? "0" : Self.plain($0, exponent - 3 * group) + ["", "k", "M", "G", "T"][group]
            }
        } else {
            labels = integers.map { Self.plain($0, exponent) }
        }
        return AxisTicks(scale: .linear, values: values, labels: labels)
    }

    /// Ticks at decades 10^k covering `[from, to]` (positive; anything else gives `[1, 10]`),
    /// every `stride`-th decade so that at most about eight are labelled. A range inside one
    /// decade still shows the decades around it; a single value (a power of ten itself) shows one
    /// decade each side.
    public static func logarithmic(from: Double, to: Double) -> AxisTicks {
        var low = min(from, to), high = max(from, to)
        if !(low > 0) || !high.isFinite { (low, high) = (1, 10) }
        var first = Int(floorLog10(low)), last = Int(floorLog10(high))
        if power10(last) < high { last += 1 }
        if first == last { (first, last) = (first - 1, last + 1) }
        let stride = max(1, (last - first + 7) / 8)
        first = Int((Double(first) / Double(stride)).rounded(.down)) * stride
        last = Int((Double(last) / Double(stride)).rounded(.up)) * stride
        let exponents = Swift.stride(from: first, through: last, by: stride).map { $0 }
        let labels = exponents.map { exponent in
            if exponent < -2 || exponent > 6 { return scientific(1, exponent) }
            if exponent >= 4 {
                return plain(1, exponent - 3 * (exponent / 3)) + ["", "k", "M"][exponent / 3]
            }
            return plain(1, exponent)
        }
        return AxisTicks(scale: .logarithmic, values: exponents.map { power10($0) }, labels: labels)
    }

    /// A categorical axis: one tick per name at 0, 1, ..., `names.count - 1`, labelled with the
    /// name, and half a step of room each side so that no category sits on the frame.
    public static func categories(_ names: [String]) -> AxisTicks {
        AxisTicks(
            scale: .linear, values: names.indices.map(Double.init), labels: names,
            lower: -0.5, upper: Double(max(names.count, 1)) - 0.5)
    }

    /// The same ticks on the domain `range` exactly instead of rounded out to ticks, keeping the
    /// ticks inside it: for a plot whose content fills a given range (a decision-boundary grid).
    /// A range that is empty, not finite, or not positive on a logarithmic axis leaves the
    /// ticks as they are.
    public func fitted(to range: ClosedRange<Double>) -> AxisTicks {
        guard range.lowerBound.isFinite, range.upperBound.isFinite,
            range.upperBound > range.lowerBound,
            scale == .linear || range.lowerBound > 0
        else { return self }
        let inside = values.indices.filter { range.contains(values[$0]) }
        return AxisTicks(
            scale: scale, values: inside.map { values[$0] }, labels: inside.map { labels[$0] },
            lower: range.lowerBound, upper: range.upperBound)
    }

    private init(
        scale: AxisScale, values: [Double], labels: [String], lower: Double? = nil,
        upper: Double? = nil
    ) {
        self.scale = scale
        self.values = values
        self.labels = labels
        self.lower = lower ?? values.first ?? 0
        self.upper = upper ?? values.last ?? 1
    }

    /// Where `value` lies on the axis, 0 at `lower` and 1 at `upper`; nil for a value that
    /// cannot be drawn (non-finite, or <= 0 on a logarithmic axis). Values outside the domain
    /// give positions outside `0...1`.
    func fraction(of value: Double) -> Double? {
        guard value.isFinite else { return nil }
        switch scale {
        case .linear:
            return upper > lower ? (value - lower) / (upper - lower) : 0.5
        case .logarithmic:
            guard value > 0 else { return nil }
            let low = log10(lower), high = log10(upper)
            return high > low ? (log10(value) - low) / (high - low) : 0.5
        }
    }

    /// `integer * 10^exponent` as the nearest double (one correctly rounded operation).
    private static func value(_ integer: Int, _ exponent: Int) -> Double {
        exponent >= 0 ? Double(integer) * power10(exponent) : Double(integer) / power10(-exponent)
    }

    /// `integer * 10^exponent` written out in decimal, without trailing zeros after the point.
    static func plain(_ integer: Int, _ exponent: Int) -> String {
        let sign = integer < 0 ? "-" : ""
        var digits = String(integer.magnitude)
        if integer == 0 { return "0" }
        if exponent >= 0 { return sign + digits + String(repeating: "0", count: exponent) }
        let decimals = -exponent
        if digits.count <= decimals {
            digits = String(repeating: "0", count: decimals + 1 - digits.count) + digits
        }
        digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
        return sign + Markup.trimmed(digits)
    }

    /// `integer * 10^exponent` as `m.mmme±k` with the mantissa's trailing zeros dropped: "1e-3",
    /// "2.5e-4"; "0" for 0.
    static func scientific(_ integer: Int, _ exponent: Int) -> String {
        if integer == 0 { return "0" }
        var digits = String(integer.magnitude), exponent = exponent
        while digits.count > 1 && digits.hasSuffix("0") { digits.removeLast(); exponent += 1 }
        let power = exponent + digits.count - 1
        let mantissa = digits.count > 1 ? digits.prefix(1) + "." + digits.dropFirst() : digits
        return (integer < 0 ? "-" : "") + mantissa + "e\(power)"
    }
}
