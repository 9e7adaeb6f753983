import DescentCore
import DescentOpenCL
import DescentTestSupport
import Testing

/// `OpenCLBackend(profiling: true)` times every launch with OpenCL events, by kernel.
@Suite(.requiresOpenCL)
struct KernelProfileTests {
    @Test func launchesAreTimedByKernel() throws {
        let device = try OpenCLTestSupport.makeBackend().device
        let backend = try OpenCLBackend(
            device: .index(device.index),
            tuning: .forDevice(maxWorkGroupSize: device.maxWorkGroupSize, kind: device.kind),
            profiling: true)
        let a = try backend.makeBuffer([Float](repeating: 1, count: 64 * 64))
        let c = try backend.makeBuffer(count: 64 * 64)
        for _ in 0..<3 {
            try backend.matmul(a.view, a.view, c.view, shape: MatmulShape(m: 64, n: 64, k: 64))
        }
        try backend.scale(c.view, by: 0.5, output: c.view)
        let profile = try backend.kernelProfile()
        let matmul = try #require(profile.first { $0.kernel.hasPrefix("matmul_") }, "\(profile)")
        #expect(matmul.launches == 3)
        #expect(matmul.milliseconds > 0 && matmul.averageMilliseconds <= matmul.milliseconds)
        #expect(profile.contains { $0.kernel == "scale" && $0.launches == 1 }, "\(profile)")
        #expect(
            zip(profile, profile.dropFirst()).allSatisfy { $0.milliseconds >= $1.milliseconds },
            "most expensive first")
        #expect(try backend.kernelProfile().isEmpty, "reading the profile forgets what it read")
        #expect(try backend.download(c.view).allSatisfy { $0 == 32 })
    }

    @Test func aBackendWithoutProfilingSaysHowToTurnItOn() throws {
        let backend = try OpenCLTestSupport.makeBackend()
        #expect(throws: DescentError.self) { try backend.kernelProfile() }
    }
}
