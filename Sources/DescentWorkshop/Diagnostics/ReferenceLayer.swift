#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentTraining

/// A row-major `rows x columns` matrix of doubles: a batch in the double-precision reference.
public struct ReferenceMatrix: Sendable, Equatable {
    public var rows: Int
    public var columns: Int
    public var values: [Double]
    /// The shape of each row's sample (`[channels, height, width]` for images), as the network
    /// sets it before each layer; nil reads a row as a flat vector.
    public var sampleShape: SampleShape?

    public init(rows: Int, columns: Int, values: [Double]) {
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A matrix of zeros.
    public init(zeros rows: Int, _ columns: Int) {
        self.init(
            rows: rows, columns: columns, values: [Double](repeating: 0, count: rows * columns))
    }

    public subscript(row: Int, column: Int) -> Double {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }
}

/// A layer that `GradientCheck` can evaluate in double precision: its forward pass and its
/// analytic backward pass, written independently of any backend.
///
/// The float32 backends cannot be checked against finite differences directly: a step of 1e-5
/// is below float32's resolution of a loss near 1. So the check runs centered differences on this
/// double-precision twin, and compares each backend's float32 gradients with the twin's analytic
/// ones. Every built-in layer conforms; a custom layer conforms to take part.
public protocol ReferenceLayer: Layer {
    /// The output for `input` (`batch x inputFeatures`) with `parameters` in the order of
    /// `parameters(inputFeatures:)`, in training mode with every random effect off (dropout and
    /// noise are the identity). Appends to `kinks` the signed distance of every evaluated
    /// argument from a point where the function is not differentiable (the input of a ReLU), so
    /// that a check can tell when its step crossed one.
    func referenceForward(
        _ input: ReferenceMatrix, parameters: [[Double]], kinks: inout [Double]
    ) throws -> ReferenceMatrix

    /// The gradients with respect to the input and to each parameter, from the gradient with
    /// respect to the output of `referenceForward(input, parameters:)`.
    func referenceBackward(
        _ input: ReferenceMatrix, parameters: [[Double]], outputGradient: ReferenceMatrix
    ) throws -> (input: ReferenceMatrix, parameters: [[Double]])
}

extension Activation {
    /// Whether the derivative jumps at 0 (ReLU, leaky ReLU, SELU, ELU with alpha other than 1):
    /// finite differences across 0 are meaningless there.
    public var hasKink: Bool {
        switch self {
        case .relu, .leakyReLU, .selu: true
        case .elu(let alpha): alpha != 1
        default: false
        }
    }

    /// `f` applied to every element, recording kinks.
    func referenceForward(_ z: ReferenceMatrix, kinks: inout [Double]) -> ReferenceMatrix {
        if hasKink { kinks += z.values }
        var y = z
        for i in y.values.indices { y.values[i] = ActivationMath.forward(self, z.values[i]) }
        return y
    }

    /// `f'(z) * dy`, element by element.
    func referenceBackward(_ z: ReferenceMatrix, outputGradient: ReferenceMatrix) -> ReferenceMatrix
    {
        var dz = z
        for i in dz.values.indices {
            let x = z.values[i]
            dz.values[i] =
                ActivationMath.derivative(self, x: x, y: ActivationMath.forward(self, x))
                * outputGradient.values[i]
        }
        return dz
    }
}

extension Dense: ReferenceLayer {
    private func preActivation(_ x: ReferenceMatrix, _ parameters: [[Double]]) -> ReferenceMatrix {
        var z = ReferenceMatrix(zeros: x.rows, outputs)
        let w = parameters[0]
        for r in 0..<x.rows {
            for o in 0..<outputs {
                var sum = useBias ? parameters[1][o] : 0
                for i in 0..<inputs { sum += x[r, i] * w[i * outputs + o] }
                z[r, o] = sum
            }
        }
        return z
    }

    public func referenceForward(
        _ input: ReferenceMatrix, parameters: [[Double]], kinks: inout [Double]
    ) throws -> ReferenceMatrix {
        activation.referenceForward(preActivation(input, parameters), kinks: &kinks)
    }

    public func referenceBackward(
        _ input: ReferenceMatrix, parameters: [[Double]], outputGradient: ReferenceMatrix
    ) throws -> (input: ReferenceMatrix, parameters: [[Double]]) {
        let dz = activation.referenceBackward(
            preActivation(input, parameters), outputGradient: outputGradient)
        var dw = [Double](repeating: 0, count: inputs * outputs),
            db = [Double](repeating: 0, count: outputs)
        var dx = ReferenceMatrix(zeros: input.rows, inputs)
        for r in 0..<input.rows {
            for o in 0..<outputs {
                let g = dz[r, o]
                db[o] += g
                for i in 0..<inputs {
                    dw[i * outputs + o] += input[r, i] * g
                    dx[r, i] += g * parameters[0][i * outputs + o]
                }
            }
        }
        return (dx, useBias ? [dw, db] : [dw])
    }
}

extension ActivationLayer: ReferenceLayer {
    public func referenceForward(
        _ input: ReferenceMatrix, parameters: [[Double]], kinks: inout [Double]
    ) throws -> ReferenceMatrix {
        activation.referenceForward(input, kinks: &kinks)
    }

    public func referenceBackward(
        _ input: ReferenceMatrix, parameters: [[Double]], outputGradient: ReferenceMatrix
    ) throws -> (input: ReferenceMatrix, parameters: [[Double]]) {
        (activation.referenceBackward(input, outputGradient: outputGradient), [])
    }
}

/// A layer whose reference is the identity: one whose only effect is random (dropout, Gaussian
/// noise, augmentation), which a gradient check turns off, or one that only reads a sample
/// differently (`Flatten`: a row is already the flat sample).
public protocol IdentityReferenceLayer: ReferenceLayer {}

/// A layer whose only effect is random: a gradient check turns random effects off, so its
/// reference is the identity.
public protocol RandomOnlyReferenceLayer: IdentityReferenceLayer {}

extension IdentityReferenceLayer {
    /// The identity.
    public func referenceForward(
        _ input: ReferenceMatrix, parameters: [[Double]], kinks: inout [Double]
    ) throws -> ReferenceMatrix {
        input
    }

    /// The output gradient, unchanged.
    public func referenceBackward(
        _ input: ReferenceMatrix, parameters: [[Double]], outputGradient: ReferenceMatrix
    ) throws -> (input: ReferenceMatrix, parameters: [[Double]]) {
        (outputGradient, [])
    }
}

extension Dropout: RandomOnlyReferenceLayer {}
extension RandomCropFlip: RandomOnlyReferenceLayer {}
extension GaussianNoise: RandomOnlyReferenceLayer {}
extension Flatten: IdentityReferenceLayer {}

/// Normalization of each group of values (a column for batch norm, a row for layer norm) with
/// its mean and biased variance, then `gamma xhat + beta` per feature.
private enum Normalization {
    /// `groups` lists the element indices of each group.
    static func forward(
        _ x: ReferenceMatrix, groups: [[Int]], feature: (Int) -> Int, epsilon: Double,
        parameters: [[Double]]
    ) -> (y: ReferenceMatrix, xhat: [Double], inverse: [Double]) {
        var y = x, xhat = x.values, inverse = [Double](repeating: 0, count: groups.count)
        for (g, group) in groups.enumerated() {
            let n = Double(group.count)
            let mean = group.reduce(0) { $0 + x.values[$1] } / n
            let variance =
                group.reduce(0) { $0 + (x.values[$1] - mean) * (x.values[$1] - mean) } / n
            inverse[g] = 1 / sqrt(variance + epsilon)
            for i in group {
                xhat[i] = (x.values[i] - mean) * inverse[g]
                y.values[i] = parameters[0][feature(i)] * xhat[i] + parameters[1][feature(i)]
            }
        }
        return (y, xhat, inverse)
    }

    /// Per group, with `g = dy gamma`: `dx = istd / n (n g - sum g - xhat sum g xhat)`;
    /// `dgamma = sum dy xhat`, `dbeta = sum dy` per feature.
    static func backward(
        _ x: ReferenceMatrix, groups: [[Int]], feature: (Int) -> Int, epsilon: Double,
        parameters: [[Double]],
        outputGradient dy: ReferenceMatrix
    ) -> (input: ReferenceMatrix, parameters: [[Double]]) {
        let (_, xhat, inverse) = forward(
            x, groups: groups, feature: feature, epsilon: epsilon, parameters: parameters)
        var dx = x, dgamma = [Double](repeating: 0, count: parameters[0].count), dbeta = dgamma
        for (g, group) in groups.enumerated() {
            let n = Double(group.count)
            var sum = 0.0, sumXhat = 0.0
            for i in group {
                let gi = dy.values[i] * parameters[0][feature(i)]
                sum += gi
                sumXhat += gi * xhat[i]
                dgamma[feature(i)] += dy.values[i] * xhat[i]
                dbeta[feature(i)] += dy.values[i]
            }
            for i in group {
                let gi = dy.values[i] * parameters[0][feature(i)]
                dx.values[i] = inverse[g] / n * (n * gi - sum - xhat[i] * sumXhat)
            }
        }
        return (dx, [dgamma, dbeta])
    }
}

extension BatchNorm: ReferenceLayer {
    /// Each channel's elements: a feature's column, or an image channel's positions in every row.
    private func channels(_ x: ReferenceMatrix) -> [[Int]] {
        let spatial = x.columns / features
        return (0..<features).map { c in
            (0..<x.rows).flatMap { r in
                (0..<spatial).map { r * x.columns + c * spatial + $0 }
            }
        }
    }

    private func channel(of x: ReferenceMatrix) -> (Int) -> Int {
        let spatial = x.columns / features
        return { $0 % x.columns / spatial }
    }

    /// Training mode: the batch's own mean and biased variance (the running estimates are not used).
    public func referenceForward(
        _ input: ReferenceMatrix, parameters: [[Double]], kinks: inout [Double]
    ) throws -> ReferenceMatrix {
        Normalization.forward(
            input, groups: channels(input), feature: channel(of: input),
            epsilon: Double(hyperparameters.epsilon), parameters: parameters
        ).y
    }

    public func referenceBackward(
        _ input: ReferenceMatrix, parameters: [[Double]], outputGradient: ReferenceMatrix
    ) throws -> (input: ReferenceMatrix, parameters: [[Double]]) {
        Normalization.backward(
            input, groups: channels(input), feature: channel(of: input),
            epsilon: Double(hyperparameters.epsilon),
            parameters: parameters, outputGradient: outputGradient)
    }
}

extension LayerNorm: ReferenceLayer {
    private func rows(_ x: ReferenceMatrix) -> [[Int]] {
        (0..<x.rows).map { r in Array(r * x.columns..<(r + 1) * x.columns) }
    }

    public func referenceForward(
        _ input: ReferenceMatrix, parameters: [[Double]], kinks: inout [Double]
    ) throws -> ReferenceMatrix {
        Normalization.forward(
            input, groups: rows(input), feature: { $0 % input.columns }, epsilon: Double(epsilon),
            parameters: parameters
        ).y
    }

    public func referenceBackward(
        _ input: ReferenceMatrix, parameters: [[Double]], outputGradient: ReferenceMatrix
    ) throws -> (input: ReferenceMatrix, parameters: [[Double]]) {
        Normalization.backward(
            input, groups: rows(input), feature: { $0 % input.columns }, epsilon: Double(epsilon),
            parameters: parameters, outputGradient: outputGradient)
    }
}
