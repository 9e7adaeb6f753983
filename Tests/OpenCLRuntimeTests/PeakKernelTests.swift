import DescentCore
@_spi(Benchmarking) import DescentOpenCL
import DescentTestSupport
import Testing

/// The kernels `descent-bench` measures the device with compute what they say, so that the
/// peaks it reports are of real work.
@Suite(.requiresOpenCL)
struct PeakKernelTests {
    @Test func streamCopyCopiesEveryElement() throws {
        let backend = try OpenCLTestSupport.makeBackend()
        let values = (0..<4100).map { Float($0) * 0.5 - 7 }
        let source = try backend.makeBuffer(values),
            destination = try backend.makeBuffer(count: values.count)
        try backend.streamCopy(source, to: destination)
        #expect(try backend.download(destination.view) == values)
        #expect(throws: DescentError.self) {
            try backend.streamCopy(source, to: try backend.makeBuffer(count: 8))
        }
    }

    @Test func fmaChainMatchesTheHostComputation() throws {
        let backend = try OpenCLTestSupport.makeBackend()
        let items = 130, iterations = 50
        let output = try backend.makeBuffer(count: items)
        try backend.fmaChain(output: output, iterations: iterations)
        let device = try backend.download(output.view)
        let offsets: [Float] = [0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07],
            lanes: [Float] = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
        for item in [0, 1, 64, 129] {
            let base = Float(item) * 1e-6
            var sum: Float = 0
            for offset in offsets {
                for lane in lanes {
                    var x = base + lane + offset
                    for _ in 0..<iterations { x = Float(1e-7).addingProduct(x, 0.999) }
                    sum += x
                }
            }
            #expect(
                abs(device[item] - sum) <= 1e-3 * max(1, abs(sum)),
                "item \(item): \(device[item]) vs \(sum)")
        }
    }
}
