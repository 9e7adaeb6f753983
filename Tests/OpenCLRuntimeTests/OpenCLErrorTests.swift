import DescentCore
import DescentCPU
import DescentOpenCL
import DescentTestSupport
import Testing

/// Errors name the OpenCL call and code, and both backends reject bad operands identically.
@Suite(.requiresOpenCL)
struct OpenCLErrorTests {
    @Test func errorCodesHaveTheirNames() {
        #expect(openCLErrorName(-5) == "CL_OUT_OF_RESOURCES")
        #expect(openCLErrorName(-11) == "CL_BUILD_PROGRAM_FAILURE")
        #expect(openCLErrorName(-54) == "CL_INVALID_WORK_GROUP_SIZE")
        #expect(openCLErrorName(-1001) == "CL_PLATFORM_NOT_FOUND_KHR")
        let error = DescentError.openCLCallFailed(
            call: "clEnqueueNDRangeKernel", code: -5, name: openCLErrorName(-5))
        #expect(error.description.contains("clEnqueueNDRangeKernel"))
        #expect(error.description.contains("CL_OUT_OF_RESOURCES"))
    }

    @Test func missingDeviceSaysHowToInstallOne() {
        let error = DescentError.noOpenCLDevice(reason: "no platform")
        #expect(error.description.contains("pocl-opencl-icd"))
    }

    /// A buffer past the device's largest allocation (`CL_DEVICE_MAX_MEM_ALLOC_SIZE`, as the
    /// device reports it) is `outOfDeviceMemory`, and one past Descent's per-buffer limit of
    /// 2^31 - 1 elements is `invalidArgument`. Both are refused before the driver is asked: a
    /// driver that allocates lazily (Intel's CPU runtime) would otherwise accept a buffer that
    /// fails only when touched.
    @Test func hugeAllocationIsOutOfDeviceMemory() throws {
        let backend = try OpenCLTestSupport.makeBackend()
        let elementLimit = Int(Int32.max)
        let pastDevice = Int(clamping: backend.device.maxAllocationBytes / 4 + 1)
        if pastDevice <= elementLimit {
            let error = try #require(throws: DescentError.self) {
                _ = try backend.makeBuffer(count: pastDevice)
            }
            guard case .outOfDeviceMemory = error else {
                Issue.record("expected outOfDeviceMemory, got \(error)")
                return
            }
        } else {
            print(
                "hugeAllocationIsOutOfDeviceMemory: \(backend.device.name) allocates up to "
                    + "\(backend.device.maxAllocationBytes) bytes, more than \(elementLimit) floats: "
                    + "only the element limit can be checked here")
        }
        let error = try #require(throws: DescentError.self) {
            _ = try backend.makeBuffer(count: elementLimit + 1)
        }
        guard case .invalidArgument = error else {
            Issue.record("expected invalidArgument, got \(error)")
            return
        }
        #expect(throws: DescentError.self) { _ = try backend.makeBuffer(count: -1) }
    }

    /// Each op with one operand of the wrong size: both backends throw the same error.
    func mismatches<B: Backend>(on backend: B) throws -> [String] {
        let six = try backend.makeBuffer(count: 6).view
        let five = try backend.makeBuffer(count: 5).view
        let labels = try backend.makeBuffer(count: 2, elementType: .int32).view
        let shape = MatrixShape(rows: 2, columns: 3)
        let attempts: [() throws -> Void] = [
            {
                try backend.matmul(
                    six, five, try backend.makeBuffer(count: 4).view,
                    shape: MatmulShape(m: 2, n: 2, k: 3))
            },
            { try backend.addBias(six, bias: five, output: six, shape: shape) },
            {
                try backend.biasGradient(
                    five, biasGradient: try backend.makeBuffer(count: 3).view, shape: shape)
            },
            { try backend.elementwise(.add, six, five, output: six) },
            { try backend.scale(six, by: 2, output: five) },
            { try backend.axpy(alpha: 1, x: five, y: six) },
            { try backend.activationForward(.relu, input: six, output: five) },
            {
                try backend.activationBackward(
                    .tanh, input: six, output: six, outputGradient: five, inputGradient: six)
            },
            { try backend.softmaxForward(input: five, output: five, shape: shape) },
            {
                try backend.softmaxBackward(
                    output: six, outputGradient: six, inputGradient: five, shape: shape)
            },
            { try backend.reduce(.sum, six, axis: .eachRow, output: five, shape: shape) },
            { try backend.argmaxRows(six, output: six, shape: shape) },
            { try backend.argmaxRows(five, output: labels, shape: shape) },
            { try backend.upload([Float](repeating: 0, count: 4), to: five) },
            { try backend.copy(six, to: five) },
            {
                try backend.randomFill(
                    labels, distribution: .uniform(low: 0, high: 1), key: RandomKey(seed: 1))
            },
            {
                try backend.randomFill(
                    six, distribution: .normal(mean: 0, standardDeviation: -1),
                    key: RandomKey(seed: 1))
            },
        ]
        return attempts.map { attempt in
            do {
                try attempt()
                return "no error"
            } catch {
                return "\(error)"
            }
        }
    }

    @Test func bothBackendsRejectBadOperandsAlike() throws {
        let expected = try mismatches(on: CPUBackend())
        let actual = try mismatches(on: try OpenCLTestSupport.makeBackend())
        #expect(!expected.contains("no error"), "\(expected)")
        #expect(actual == expected)
        #expect(
            expected[0].contains("matmul") && expected[0].contains("[3, 2]")
                && expected[0].contains("5 elements"))
    }
}
