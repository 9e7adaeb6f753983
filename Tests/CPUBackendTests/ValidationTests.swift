import DescentCore
import DescentCPU
import DescentTestSupport
import Testing

/// Checks that `body` throws `shapeMismatch` from `operation` and that its message names the
/// operation and every size in `sizes` (as "N elements").
func expectShapeMismatch(
    _ operation: String, sizes: [Int], sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    guard let error = thrownDescentError(sourceLocation: sourceLocation, body) else { return }
    guard case .shapeMismatch(let thrownOperation, _, _) = error else {
        Issue.record(
            "expected shapeMismatch from \(operation), got \(error)", sourceLocation: sourceLocation
        )
        return
    }
    #expect(thrownOperation.hasPrefix(operation), sourceLocation: sourceLocation)
    for size in sizes {
        #expect(
            error.description.contains("\(size) elements"), "\(error) does not name size \(size)",
            sourceLocation: sourceLocation)
    }
}

/// Checks that `body` throws `invalidArgument` from `operation`, with a message that names it.
func expectInvalidArgument(
    _ operation: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    guard let error = thrownDescentError(sourceLocation: sourceLocation, body) else { return }
    guard case .invalidArgument(let thrownOperation, _) = error else {
        Issue.record(
            "expected invalidArgument from \(operation), got \(error)",
            sourceLocation: sourceLocation)
        return
    }
    #expect(thrownOperation.hasPrefix(operation), sourceLocation: sourceLocation)
    #expect(error.description.hasPrefix(operation), sourceLocation: sourceLocation)
}

/// Checks that `body` throws `elementTypeMismatch` from `operation` with the given types.
func expectElementTypeMismatch(
    _ operation: String, expected: ElementType, actual: ElementType,
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    guard let error = thrownDescentError(sourceLocation: sourceLocation, body) else { return }
    guard
        case .elementTypeMismatch(let thrownOperation, let thrownExpected, let thrownActual) = error
    else {
        Issue.record(
            "expected elementTypeMismatch from \(operation), got \(error)",
            sourceLocation: sourceLocation)
        return
    }
    #expect(thrownOperation.hasPrefix(operation), sourceLocation: sourceLocation)
    #expect(
        thrownExpected == expected && thrownActual == actual, "\(error)",
        sourceLocation: sourceLocation)
}

/// Every op rejects bad operands with the right `DescentError` before touching any memory.
@Suite struct ValidationTests {
    let backend = CPUBackend()

    func floats(_ count: Int) throws -> CPUView {
        try backend.view([Float](repeating: 1, count: count))
    }
    func integers(_ count: Int) throws -> CPUView {
        try backend.makeBuffer(count: count, elementType: .int32).view
    }

    // MARK: Buffers and views

    @Test func buffersAndViewsRejectBadRanges() throws {
        expectInvalidArgument("makeBuffer") { _ = try backend.makeBuffer(count: -1) }
        #expect(try backend.makeBuffer(count: 0).count == 0)
        let buffer = try backend.makeBuffer(count: 10)
        for (offset, count) in [
            (-1, 2), (0, -1), (0, 11), (8, 3), (11, 0), (5, Int.max - 5), (Int.max - 1, 1),
        ] {
            expectInvalidArgument("view") { _ = try buffer.view(offset: offset, count: count) }
        }
        #expect(try buffer.view(offset: 10, count: 0).count == 0)
        #expect(try buffer.view(offset: 3, count: 7).offset == 3)
    }

    @Test func uploadDownloadFillAndCopyCheckTheirOperands() throws {
        let three = try backend.makeBuffer(count: 3)
        expectShapeMismatch("upload", sizes: [3, 4]) {
            try backend.upload([Float](repeating: 0, count: 4), to: three.view)
        }
        expectElementTypeMismatch("upload", expected: .int32, actual: .float32) {
            try backend.upload([Int32](repeating: 0, count: 3), to: three.view)
        }
        expectElementTypeMismatch("download", expected: .int32, actual: .float32) {
            _ = try backend.download(three.view, as: Int32.self)
        }
        let labels = try integers(2)
        expectInvalidArgument("fill") { try backend.fill(labels, with: 1.5) }
        expectInvalidArgument("fill") { try backend.fill(labels, with: .nan) }
        try backend.fill(labels, with: -7)
        #expect(try backend.download(labels, as: Int32.self) == [-7, -7])

        expectShapeMismatch("copy", sizes: [3, 4]) { try backend.copy(three.view, to: floats(4)) }
        expectElementTypeMismatch("copy", expected: .float32, actual: .int32) {
            try backend.copy(three.view, to: integers(3))
        }
        let six = try floats(6)
        expectInvalidArgument("copy") {
            try backend.copy(
                six.buffer.view(offset: 0, count: 3), to: six.buffer.view(offset: 2, count: 3))
        }
        expectInvalidArgument("copy") { try backend.copy(three.view, to: three.view) }
    }

    // MARK: Matmul

    @Test func matmulRejectsOperandsOfTheWrongSize() throws {
        let shape = MatmulShape(m: 2, n: 4, k: 3)
        expectShapeMismatch("matmul", sizes: [6, 5]) {
            try backend.matmul(floats(5), floats(12), floats(8), shape: shape)
        }
        expectShapeMismatch("matmul", sizes: [12, 13]) {
            try backend.matmul(floats(6), floats(13), floats(8), shape: shape)
        }
        expectShapeMismatch("matmul", sizes: [8, 6]) {
            try backend.matmul(floats(6), floats(12), floats(6), shape: shape)
        }
        expectInvalidArgument("matmul") {
            try backend.matmul(
                floats(0), floats(4), floats(0), shape: MatmulShape(m: 0, n: 4, k: 1))
        }
        expectElementTypeMismatch("matmul", expected: .float32, actual: .int32) {
            try backend.matmul(integers(6), floats(12), floats(8), shape: shape)
        }
        let error = thrownDescentError {
            try backend.matmul(floats(6), floats(12), floats(7), shape: shape)
        }
        #expect(
            error?.description.contains("[2, 4]") == true,
            "the message gives C's expected shape: \(String(describing: error))")
    }

    @Test func matmulRejectsCOverlappingAOrB() throws {
        let shape = MatmulShape(m: 2, n: 2, k: 2)
        let buffer = try backend.makeBuffer(count: 12)
        let a = try buffer.view(offset: 0, count: 4), b = try buffer.view(offset: 4, count: 4)
        expectInvalidArgument("matmul") { try backend.matmul(a, b, a, shape: shape) }
        expectInvalidArgument("matmul") {
            try backend.matmul(a, b, buffer.view(offset: 2, count: 4), shape: shape)
        }
        expectInvalidArgument("matmul") {
            try backend.matmul(a, b, buffer.view(offset: 6, count: 4), shape: shape)
        }
        try backend.matmul(a, b, buffer.view(offset: 8, count: 4), shape: shape)
        try backend.matmul(a, a, buffer.view(offset: 8, count: 4), shape: shape)
    }

    // MARK: Bias, elementwise, scale, axpy

    @Test func addBiasAndBiasGradientCheckShapesAndOverlap() throws {
        let shape = MatrixShape(rows: 2, columns: 3)
        expectShapeMismatch("addBias", sizes: [6, 5]) {
            try backend.addBias(floats(5), bias: floats(3), output: floats(6), shape: shape)
        }
        expectShapeMismatch("addBias", sizes: [3, 2]) {
            try backend.addBias(floats(6), bias: floats(2), output: floats(6), shape: shape)
        }
        expectShapeMismatch("addBias", sizes: [6, 7]) {
            try backend.addBias(floats(6), bias: floats(3), output: floats(7), shape: shape)
        }
        expectInvalidArgument("addBias") {
            try backend.addBias(
                floats(0), bias: floats(3), output: floats(0),
                shape: MatrixShape(rows: 0, columns: 3))
        }
        let buffer = try backend.makeBuffer(count: 12)
        let input = try buffer.view(offset: 0, count: 6)
        expectInvalidArgument("addBias") {
            try backend.addBias(
                input, bias: floats(3), output: buffer.view(offset: 1, count: 6), shape: shape)
        }
        expectInvalidArgument("addBias") {
            try backend.addBias(
                input, bias: buffer.view(offset: 5, count: 3), output: input, shape: shape)
        }
        try backend.addBias(
            input, bias: buffer.view(offset: 6, count: 3), output: input, shape: shape)

        expectShapeMismatch("biasGradient", sizes: [6, 4]) {
            try backend.biasGradient(floats(4), biasGradient: floats(3), shape: shape)
        }
        expectShapeMismatch("biasGradient", sizes: [3, 6]) {
            try backend.biasGradient(floats(6), biasGradient: floats(6), shape: shape)
        }
        expectInvalidArgument("biasGradient") {
            try backend.biasGradient(
                input, biasGradient: buffer.view(offset: 4, count: 3), shape: shape)
        }
    }

    @Test(arguments: ElementwiseOperation.allCases)
    func elementwiseChecksSizesTypesAndOverlap(operation: ElementwiseOperation) throws {
        let name = "elementwise(\(operation.rawValue))"
        expectShapeMismatch(name, sizes: [4, 5]) {
            try backend.elementwise(operation, floats(4), floats(5), output: floats(4))
        }
        expectShapeMismatch(name, sizes: [4, 3]) {
            try backend.elementwise(operation, floats(4), floats(4), output: floats(3))
        }
        expectElementTypeMismatch(name, expected: .float32, actual: .int32) {
            try backend.elementwise(operation, floats(4), integers(4), output: floats(4))
        }
        let buffer = try backend.makeBuffer(count: 10)
        let a = try buffer.view(offset: 0, count: 4), b = try buffer.view(offset: 4, count: 4)
        expectInvalidArgument(name) {
            try backend.elementwise(operation, a, b, output: buffer.view(offset: 2, count: 4))
        }
        expectInvalidArgument(name) {
            try backend.elementwise(operation, a, b, output: buffer.view(offset: 6, count: 4))
        }
        try backend.elementwise(operation, a, b, output: a)
        try backend.elementwise(operation, a, b, output: b)
        try backend.elementwise(operation, a, a, output: a)
    }

    @Test func scaleAndAxpyCheckSizesAndOverlap() throws {
        expectShapeMismatch("scale", sizes: [4, 5]) {
            try backend.scale(floats(4), by: 2, output: floats(5))
        }
        expectShapeMismatch("axpy", sizes: [4, 3]) {
            try backend.axpy(alpha: 1, x: floats(4), y: floats(3))
        }
        let buffer = try backend.makeBuffer(count: 8)
        let first = try buffer.view(offset: 0, count: 4)
        expectInvalidArgument("scale") {
            try backend.scale(first, by: 2, output: buffer.view(offset: 3, count: 4))
        }
        try backend.scale(first, by: 2, output: first)
        expectInvalidArgument("axpy") {
            try backend.axpy(alpha: 1, x: first, y: buffer.view(offset: 1, count: 4))
        }
        expectInvalidArgument("axpy") { try backend.axpy(alpha: 1, x: first, y: first) }
        try backend.axpy(alpha: 1, x: first, y: buffer.view(offset: 4, count: 4))
    }

    // MARK: Activations and softmax

    @Test func activationsCheckSizesParametersAndOverlap() throws {
        expectShapeMismatch("activationForward(relu)", sizes: [4, 5]) {
            try backend.activationForward(.relu, input: floats(4), output: floats(5))
        }
        for activation in [
            Activation.leakyReLU(slope: .nan), .leakyReLU(slope: .infinity), .elu(alpha: -1),
            .elu(alpha: .nan),
        ] {
            expectInvalidArgument("activationForward") {
                try backend.activationForward(activation, input: floats(2), output: floats(2))
            }
            expectInvalidArgument("activationBackward") {
                try backend.activationBackward(
                    activation, input: floats(2), output: floats(2), outputGradient: floats(2),
                    inputGradient: floats(2))
            }
        }
        for sizes in [[3, 4, 4, 4], [4, 3, 4, 4], [4, 4, 3, 4], [4, 4, 4, 3]] {
            expectShapeMismatch("activationBackward(tanh)", sizes: [4, 3]) {
                try backend.activationBackward(
                    .tanh, input: floats(sizes[0]), output: floats(sizes[1]),
                    outputGradient: floats(sizes[2]),
                    inputGradient: floats(sizes[3]))
            }
        }
        let buffer = try backend.makeBuffer(count: 8)
        let x = try buffer.view(offset: 0, count: 4)
        expectInvalidArgument("activationForward") {
            try backend.activationForward(
                .sigmoid, input: x, output: buffer.view(offset: 2, count: 4))
        }
        try backend.activationForward(.sigmoid, input: x, output: x)
        let dy = try buffer.view(offset: 4, count: 4)
        expectInvalidArgument("activationBackward") {
            try backend.activationBackward(
                .sigmoid, input: floats(4), output: floats(4), outputGradient: dy,
                inputGradient: buffer.view(offset: 3, count: 4))
        }
        try backend.activationBackward(
            .sigmoid, input: floats(4), output: floats(4), outputGradient: dy, inputGradient: dy)
    }

    @Test func softmaxChecksShapesAndOverlap() throws {
        let shape = MatrixShape(rows: 2, columns: 3)
        expectShapeMismatch("softmaxForward", sizes: [6, 5]) {
            try backend.softmaxForward(input: floats(5), output: floats(6), shape: shape)
        }
        expectShapeMismatch("softmaxForward", sizes: [6, 7]) {
            try backend.softmaxForward(input: floats(6), output: floats(7), shape: shape)
        }
        expectShapeMismatch("softmaxBackward", sizes: [6, 5]) {
            try backend.softmaxBackward(
                output: floats(6), outputGradient: floats(5), inputGradient: floats(6), shape: shape
            )
        }
        expectInvalidArgument("softmaxForward") {
            try backend.softmaxForward(
                input: floats(0), output: floats(0), shape: MatrixShape(rows: 2, columns: 0))
        }
        let buffer = try backend.makeBuffer(count: 12)
        let x = try buffer.view(offset: 0, count: 6)
        expectInvalidArgument("softmaxForward") {
            try backend.softmaxForward(
                input: x, output: buffer.view(offset: 3, count: 6), shape: shape)
        }
        try backend.softmaxForward(input: x, output: x, shape: shape)
        expectInvalidArgument("softmaxBackward") {
            try backend.softmaxBackward(
                output: floats(6), outputGradient: x,
                inputGradient: buffer.view(offset: 1, count: 6), shape: shape)
        }
        try backend.softmaxBackward(
            output: floats(6), outputGradient: x, inputGradient: x, shape: shape)
    }

    // MARK: Reductions and argmax

    @Test(arguments: ReductionAxis.allCases)
    func reduceChecksShapesTypesAndOverlap(axis: ReductionAxis) throws {
        let shape = MatrixShape(rows: 2, columns: 3)
        let count = axis.outputCount(for: shape)
        expectShapeMismatch("reduce(sum, \(axis.rawValue))", sizes: [6, 7]) {
            try backend.reduce(.sum, floats(7), axis: axis, output: floats(count), shape: shape)
        }
        expectShapeMismatch("reduce(max, \(axis.rawValue))", sizes: [count, count + 1]) {
            try backend.reduce(.max, floats(6), axis: axis, output: floats(count + 1), shape: shape)
        }
        expectElementTypeMismatch("reduce", expected: .float32, actual: .int32) {
            try backend.reduce(.mean, floats(6), axis: axis, output: integers(count), shape: shape)
        }
        let buffer = try backend.makeBuffer(count: 6 + count)
        expectInvalidArgument("reduce") {
            try backend.reduce(
                .sum, buffer.view(offset: 0, count: 6), axis: axis,
                output: buffer.view(offset: 5, count: count), shape: shape)
        }
        try backend.reduce(
            .sum, buffer.view(offset: 0, count: 6), axis: axis,
            output: buffer.view(offset: 6, count: count), shape: shape)
    }

    @Test func argmaxChecksItsInt32Output() throws {
        let shape = MatrixShape(rows: 2, columns: 3)
        expectElementTypeMismatch("argmaxRows", expected: .int32, actual: .float32) {
            try backend.argmaxRows(floats(6), output: floats(2), shape: shape)
        }
        expectElementTypeMismatch("argmaxRows", expected: .float32, actual: .int32) {
            try backend.argmaxRows(integers(6), output: integers(2), shape: shape)
        }
        expectShapeMismatch("argmaxRows", sizes: [2, 3]) {
            try backend.argmaxRows(floats(6), output: integers(3), shape: shape)
        }
        expectShapeMismatch("argmaxRows", sizes: [6, 4]) {
            try backend.argmaxRows(floats(4), output: integers(2), shape: shape)
        }
    }

    // MARK: Random fills

    @Test func randomFillRejectsBadDistributionsAndInt32Buffers() throws {
        let key = RandomKey(seed: 1)
        for distribution in [
            RandomDistribution.uniform(low: 1, high: 0), .uniform(low: .nan, high: 1),
            .uniform(low: 0, high: .nan),
            .uniform(low: 0, high: .infinity), .uniform(low: -.infinity, high: 0),
            .normal(mean: 0, standardDeviation: -1), .normal(mean: .nan, standardDeviation: 1),
            .normal(mean: 0, standardDeviation: .nan),
            .normal(mean: 0, standardDeviation: .infinity),
            .normal(mean: .infinity, standardDeviation: 1),
        ] {
            expectInvalidArgument("randomFill") {
                try backend.randomFill(floats(4), distribution: distribution, key: key)
            }
        }
        expectElementTypeMismatch("randomFill", expected: .float32, actual: .int32) {
            try backend.randomFill(integers(4), distribution: .uniform(low: 0, high: 1), key: key)
        }
    }

    @Test func aRejectedOpLeavesItsOutputUntouched() throws {
        let output = try backend.sentinelBuffer(count: 4)
        expectShapeMismatch("elementwise(add)", sizes: [4, 5]) {
            try backend.elementwise(.add, floats(4), floats(5), output: output.view)
        }
        expectInvalidArgument("randomFill") {
            try backend.randomFill(
                output.view, distribution: .uniform(low: 1, high: 0), key: RandomKey(seed: 1))
        }
        expectShapeMismatch("matmul", sizes: [4, 3]) {
            try backend.matmul(
                floats(4), floats(3), output.view, shape: MatmulShape(m: 2, n: 2, k: 2))
        }
        #expect(try backend.download(output.view) == [sentinel, sentinel, sentinel, sentinel])
    }
}
