#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentKernels
@testable import DescentOpenCL
import DescentTestSupport
import Testing

/// Program building: build logs on failure, warning-free kernels, the in-memory cache, and the
/// on-disk binary cache that must rebuild (never trust) a corrupt file.
@Suite(.requiresOpenCL)
struct ProgramCacheTests {
    static let source = "__kernel void twice(__global float* x) { x[get_global_id(0)] *= 2.0f; }\n"

    /// A fresh context whose binary cache lives in a new temporary directory.
    func makeContext() throws -> (OpenCLDeviceContext, ProgramBinaryCache) {
        var template = Array("/tmp/descent-cache-test-XXXXXX".utf8CString)
        let directory = try #require(
            template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) })
        let cache = ProgramBinaryCache(directory: String(cString: directory))
        let device = try OpenCLDevices.device(for: .fromEnvironment)
        return (try OpenCLDeviceContext(device: device, binaryCache: cache), cache)
    }

    func cachePath(
        _ context: OpenCLDeviceContext, _ cache: ProgramBinaryCache, options: String = ""
    ) throws -> String {
        try #require(
            cache.path(for: context.diskKey(name: "twice", source: Self.source, options: options)))
    }

    func overwrite(_ path: String, with bytes: [UInt8]) throws {
        let file = try #require(fopen(path, "wb"))
        #expect(fwrite(bytes, 1, bytes.count, file) == bytes.count)
        fclose(file)
    }

    @Test func brokenSourceThrowsItsBuildLog() throws {
        let (context, _) = try makeContext()
        let error = try #require(throws: DescentError.self) {
            _ = try context.program(
                named: "broken", source: "__kernel void broken(__global float* x) { x[0] = ; }",
                options: "")
        }
        guard case .kernelBuildFailed(let program, _, let log) = error else {
            Issue.record("expected kernelBuildFailed, got \(error)")
            return
        }
        #expect(program == "broken")
        #expect(!log.isEmpty)
        #expect(error.description.contains("did not build"))
    }

    /// Descent builds its program with `-w` (`KernelProgram.options`) because PoCL prints a count
    /// of warnings at every cold build; built here without it, the only warning allowed is PoCL's
    /// note that its builtins' float16 arguments change the ABI without AVX-512.
    @Test func theKernelsBuildWithoutWarnings() throws {
        // No binary cache: asking PoCL for the binary would compile every kernel (seconds).
        let context = try OpenCLDeviceContext(
            device: try OpenCLDevices.device(for: .fromEnvironment),
            binaryCache: ProgramBinaryCache(directory: nil))
        let device = context.device.info
        let tuning = OpenCLTuning.forDevice(
            maxWorkGroupSize: device.maxWorkGroupSize, kind: device.kind)
        var tiled = tuning, blocked = tuning
        tiled.matmulStrategy = .tiled
        blocked.matmulStrategy = .registerBlocked
        for (program, options) in [
            (KernelProgram.core, tuning.coreBuildOptions), (.matmul, tiled.matmulBuildOptions),
            (.matmul, blocked.matmulBuildOptions),
        ] {
            let built = try context.program(
                named: "warnings", source: program.source, options: options)
            let warnings = try context.buildLog(of: built).split(separator: "\n").filter {
                $0.contains("warning:")
            }
            let unexpected = warnings.filter { !$0.contains("changes the ABI") }
            #expect(
                unexpected.isEmpty,
                "\(program.name): \(unexpected.count) kernel warnings, the first: \(unexpected.prefix(3).map(String.init))"
            )
        }
    }

    @Test func programsAreCachedInMemory() throws {
        let (context, _) = try makeContext()
        let first = try context.program(named: "twice", source: Self.source, options: "")
        let second = try context.program(named: "twice", source: Self.source, options: "")
        let other = try context.program(named: "twice", source: Self.source, options: "-D UNUSED=1")
        #expect(first === second)
        #expect(first !== other)
    }

    @Test func secondBuildComesFromDisk() throws {
        let (context, cache) = try makeContext()
        #expect(
            try context.loadOrBuild(name: "twice", source: Self.source, options: "").1 == .source)
        #expect(try context.loadOrBuild(name: "twice", source: Self.source, options: "").1 == .disk)
        // Other options are another program.
        #expect(
            try context.loadOrBuild(name: "twice", source: Self.source, options: "-D X=1").1
                == .source)
        #expect(try FileIO.read(try cachePath(context, cache)).count > 32)
    }

    @Test func corruptCacheFileIsRebuilt() throws {
        let (context, cache) = try makeContext()
        _ = try context.loadOrBuild(name: "twice", source: Self.source, options: "")
        let path = try cachePath(context, cache)
        let good = try FileIO.read(path)

        var flipped = good
        flipped[flipped.count - 10] ^= 0xFF
        try overwrite(path, with: flipped)
        #expect(
            try context.loadOrBuild(name: "twice", source: Self.source, options: "").1 == .source)
        // The rebuilt program replaces the corrupt file (not byte for byte the first build: Intel's
        // runtime writes different bytes for each build of the same source).
        #expect(try FileIO.read(path) != flipped, "the rebuilt program replaces the corrupt file")
        #expect(try context.loadOrBuild(name: "twice", source: Self.source, options: "").1 == .disk)

        try overwrite(path, with: Array(good.prefix(good.count / 2)))
        #expect(
            try context.loadOrBuild(name: "twice", source: Self.source, options: "").1 == .source)

        try overwrite(path, with: [])
        #expect(
            try context.loadOrBuild(name: "twice", source: Self.source, options: "").1 == .source)
        #expect(try context.loadOrBuild(name: "twice", source: Self.source, options: "").1 == .disk)
    }

    @Test func validFileWithABadBinaryIsRebuilt() throws {
        let (context, cache) = try makeContext()
        let key = context.diskKey(name: "twice", source: Self.source, options: "")
        cache.store(key: key, binary: Array("this is not a program binary".utf8))
        #expect(cache.load(key: key) != nil)
        #expect(
            try context.loadOrBuild(name: "twice", source: Self.source, options: "").1 == .source)
        #expect(try context.loadOrBuild(name: "twice", source: Self.source, options: "").1 == .disk)
    }

    @Test func poclsOwnKernelCacheReplacesOurs() throws {
        func device(onPlatform platform: String) throws -> OpenCLDeviceInfo {
            let real = try OpenCLDevices.device(for: .fromEnvironment).info
            return OpenCLDeviceInfo(
                index: real.index, platformName: platform, platformVersion: real.platformVersion,
                name: real.name,
                vendor: real.vendor, kind: real.kind, computeUnits: real.computeUnits,
                clockMegahertz: real.clockMegahertz,
                globalMemoryBytes: real.globalMemoryBytes, localMemoryBytes: real.localMemoryBytes,
                maxAllocationBytes: real.maxAllocationBytes,
                maxWorkGroupSize: real.maxWorkGroupSize,
                baseAddressAlignmentBits: real.baseAddressAlignmentBits,
                driverVersion: real.driverVersion,
                openCLVersion: real.openCLVersion,
                nativeFloatVectorWidth: real.nativeFloatVectorWidth)
        }
        let pocl = try device(onPlatform: "Portable Computing Language")
        let other = try device(onPlatform: "NVIDIA CUDA")
        #expect(ProgramBinaryCache.standard(for: other) == ProgramBinaryCache.standard)
        let poclCacheOff = getenv("POCL_KERNEL_CACHE").map { String(cString: $0) == "0" } ?? false
        #expect(
            ProgramBinaryCache.standard(for: pocl).directory
                == (poclCacheOff ? ProgramBinaryCache.standard.directory : nil))
    }

    @Test func theProgramsHoldEveryKernelFileOnce() {
        for (file, source) in KernelSource.all where file != "activation_functions.cl" {
            let holders = KernelProgram.allCases.filter { $0.source.contains(source) }
            #expect(holders.count == 1, "\(file) is in \(holders.count) programs")
        }
    }

    /// Every kernel of matmul.cl is looked up in the matmul program, and only those.
    @Test func eachKernelIsLookedUpInTheProgramThatHoldsIt() throws {
        let matmulKernels = Set(Kernel.allCases.filter { $0.program == .matmul }.map(\.rawValue))
        #expect(KernelTests.kernelNames(in: KernelSource.matmul) == matmulKernels)
        #expect(Kernel.softmaxCrossEntropyRows.program == .core)
        #expect(Kernel.matmulBlockedDot.program == .matmul)
    }

    @Test func disabledCacheWritesNothing() {
        let cache = ProgramBinaryCache(directory: nil)
        cache.store(key: "k", binary: [1, 2, 3])
        #expect(cache.load(key: "k") == nil)
        #expect(cache.path(for: "k") == nil)
    }
}
