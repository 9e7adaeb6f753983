import DescentCore
import DescentCPU
import DescentTestSupport
import Testing

/// An operand of the CPU backend.
typealias CPUView = BufferView<CPUBuffer>

/// The value written around operand views placed inside a larger buffer: an op that writes outside
/// its view, or reads the wrong elements, changes or picks up this value.
let sentinel: Float = -777

extension CPUBackend {
    /// A float32 buffer of `count` elements, every one set to `sentinel`.
    func sentinelBuffer(count: Int) throws -> CPUBuffer {
        let buffer = try makeBuffer(count: count)
        try fill(buffer.view, with: sentinel)
        return buffer
    }

    /// A view of `values.count` elements at `offset` inside `buffer`, holding `values`.
    func place(_ values: [Float], in buffer: CPUBuffer, at offset: Int) throws -> CPUView {
        let view = try buffer.view(offset: offset, count: values.count)
        try upload(values, to: view)
        return view
    }
}

/// Checks that every element of `all` outside the given views still holds `sentinel`.
func expectSentinelsIntact(
    _ all: [Float], outside views: [CPUView], sourceLocation: SourceLocation = #_sourceLocation
) {
    let touched = views.map { $0.offset..<($0.offset + $0.count) }
    for index in all.indices
    where !touched.contains(where: { $0.contains(index) }) && all[index] != sentinel {
        Issue.record(
            "element \(index) outside every operand view changed to \(all[index])",
            sourceLocation: sourceLocation)
    }
}

/// Runs `body` and returns the `DescentError` it throws, recording an issue when it throws
/// nothing or another kind of error.
func thrownDescentError(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> DescentError? {
    do {
        try body()
    } catch let error as DescentError {
        return error
    } catch {
        Issue.record("threw \(error), which is not a DescentError", sourceLocation: sourceLocation)
        return nil
    }
    Issue.record("expected a DescentError, but nothing was thrown", sourceLocation: sourceLocation)
    return nil
}

/// The centered difference `(f(x + h) - f(x - h)) / 2h`.
func centeredDifference(at x: Double, step h: Double, _ f: (Double) -> Double) -> Double {
    (f(x + h) - f(x - h)) / (2 * h)
}

/// The centered-difference gradient of `loss` at `base`, one element at a time, in Double.
func numericGradient(
    at base: [Double], step h: Double = 1e-5, _ loss: ([Double]) -> Double
) -> [Float] {
    base.indices.map { index in
        Float(
            centeredDifference(at: base[index], step: h) { value in
                var perturbed = base
                perturbed[index] = value
                return loss(perturbed)
            })
    }
}

/// Checks a normalization's backward pass against finite differences: for random `x`, `gamma`,
/// `beta` and output gradient `w` (seeds `seed` to `seed + 3`), the backward pass's dx, dgamma
/// and dbeta must match the centered differences of `loss(x, gamma, beta, w)`, the Double
/// precision `sum w * y`, with respect to each.
func expectNormalizationGradientsMatchFiniteDifferences(
    _ name: String, shape: MatrixShape, seed: UInt64,
    backward: (_ x: [Float], _ gamma: [Float], _ beta: [Float], _ dy: [Float]) throws -> (
        dx: [Float], dGamma: [Float], dBeta: [Float]
    ),
    loss: (_ x: [Double], _ gamma: [Double], _ beta: [Double], _ weights: [Float]) -> Double
) throws {
    let x = TestData.uniform(shape.count, seed: seed, in: -2...2)
    let gamma = TestData.uniform(shape.columns, seed: seed + 1, in: -2...2)
    let beta = TestData.uniform(shape.columns, seed: seed + 2)
    let w = TestData.uniform(shape.count, seed: seed + 3, in: -2...2)
    let (dx, dGamma, dBeta) = try backward(x, gamma, beta, w)
    let (xs, gammas, betas) = (x.map(Double.init), gamma.map(Double.init), beta.map(Double.init))
    expectClose(
        dx, numericGradient(at: xs) { loss($0, gammas, betas, w) }, .finiteDifference,
        "\(name) dx vs finite differences \(shape)")
    expectClose(
        dGamma, numericGradient(at: gammas) { loss(xs, $0, betas, w) }, .finiteDifference,
        "\(name) dgamma vs finite differences \(shape)")
    expectClose(
        dBeta, numericGradient(at: betas) { loss(xs, gammas, $0, w) }, .finiteDifference,
        "\(name) dbeta vs finite differences \(shape)")
}

/// `transpose` of a row-major `rows` x `columns` matrix.
func transposed(_ values: [Float], rows: Int, columns: Int) -> [Float] {
    (0..<(rows * columns)).map { index in
        let (column, row) = index.quotientAndRemainder(dividingBy: rows)
        return values[row * columns + column]
    }
}
