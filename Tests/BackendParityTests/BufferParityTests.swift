import DescentCore
import DescentCPU
import DescentOpenCL
import DescentTestSupport
import Testing

/// Upload, download, fill and copy, for float32 and int32 buffers and views at offsets.
@Suite(.requiresOpenCL)
struct BufferParityTests {
    func roundTrip<B: Backend>(on backend: B, count: Int) throws -> [Float] {
        let source = try backend.paddedView(TestData.uniform(count, seed: 60))
        let destination = try backend.paddedView([Float](repeating: 0, count: count), padding: 5)
        try backend.copy(source, to: destination)
        let filled = try backend.makeBuffer(count: count + 4)
        try backend.fill(filled.view, with: -1)
        try backend.fill(try filled.view(offset: 2, count: count), with: 2.5)
        return try backend.download(destination) + backend.download(filled.view)
    }

    @Test(arguments: ParityShapes.counts)
    func copyAndFillMatchReference(count: Int) throws {
        let expected = try roundTrip(on: CPUBackend(), count: count)
        let actual = try roundTrip(on: try OpenCLTestSupport.makeBackend(), count: count)
        #expect(actual.map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(
            Array(expected[count...]) == [-1, -1] + [Float](repeating: 2.5, count: count) + [
                -1, -1,
            ])
    }

    func integers<B: Backend>(on backend: B) throws -> [Int32] {
        let labels: [Int32] = [0, 9, -3, Int32.max, Int32.min, 7]
        let buffer = try backend.makeBuffer(labels)
        let copy = try backend.makeBuffer(count: 8, elementType: .int32)
        try backend.fill(copy.view, with: 4)
        try backend.copy(
            try buffer.view(offset: 1, count: 4), to: try copy.view(offset: 2, count: 4))
        return try backend.download(copy.view, as: Int32.self)
    }

    @Test func int32BuffersMatchReference() throws {
        let expected = try integers(on: CPUBackend())
        #expect(expected == [4, 4, 9, -3, Int32.max, Int32.min, 4, 4])
        #expect(try integers(on: try OpenCLTestSupport.makeBackend()) == expected)
    }

    @Test func emptyBuffersAreAllowed() throws {
        let backend = try OpenCLTestSupport.makeBackend()
        let empty = try backend.makeBuffer(count: 0)
        try backend.upload([Float](), to: empty.view)
        try backend.fill(empty.view, with: 1)
        #expect(try backend.download(empty.view).isEmpty)
    }

    @Test func downloadWaitsForQueuedWork() throws {
        let backend = try OpenCLTestSupport.makeBackend()
        let x = try backend.makeBuffer(TestData.uniform(100_000, seed: 61))
        for _ in 0..<20 { try backend.scale(x.view, by: 1.5, output: x.view) }
        let values = try backend.download(x.view)
        let expected = TestData.uniform(100_000, seed: 61).map { value in
            (0..<20).reduce(value) { scaled, _ in 1.5 * scaled }
        }
        #expect(values == expected)
    }
}
