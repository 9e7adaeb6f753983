import DescentCore
import DescentCPU
import DescentOpenCL
import DescentTestSupport
import Testing

/// Dropout must drop exactly the same units on both backends for the same key, forward and
/// backward, so the comparison is bit for bit.
@Suite(.requiresOpenCL)
struct DropoutParityTests {
    func dropout<B: Backend>(
        on backend: B, count: Int, probability: Float, key: RandomKey, inPlace: Bool
    ) throws -> [Float] {
        let x = try backend.paddedView(TestData.uniform(count, seed: 90))
        let y = inPlace ? x : try backend.poisoned(count)
        try backend.dropoutForward(input: x, output: y, probability: probability, key: key)
        let dy = try backend.paddedView(TestData.uniform(count, seed: 91))
        let dx = inPlace ? dy : try backend.poisoned(count)
        try backend.dropoutBackward(
            outputGradient: dy, inputGradient: dx, probability: probability, key: key)
        return try backend.download(y) + backend.download(dx)
    }

    @Test(arguments: [Float(0), 0.1, 0.5, 0.9], [false, true])
    func sameUnitsAreDropped(probability: Float, inPlace: Bool) throws {
        for count in ParityShapes.counts {
            for key in [
                RandomKey(seed: 5, stream: 3, offset: 0),
                RandomKey(seed: 5, stream: 4, offset: 1001),
            ] {
                let expected = try dropout(
                    on: CPUBackend(), count: count, probability: probability, key: key,
                    inPlace: inPlace)
                let actual = try dropout(
                    on: try OpenCLTestSupport.makeBackend(), count: count, probability: probability,
                    key: key, inPlace: inPlace)
                #expect(
                    actual.map(\.bitPattern) == expected.map(\.bitPattern),
                    "p \(probability) count \(count) \(key)")
            }
        }
    }
}
