#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
@testable import DescentOpenCL
import DescentTestSupport
import Testing

/// The autotuner measures its candidates, chooses one of them, and remembers the choice on disk,
/// where a file that is stale, corrupt or names a variant it would not offer is ignored.
@Suite(.requiresOpenCL)
struct MatmulAutotunerTests {
    static let smallWorkload = MatmulAutotuner.Workload(shapes: [
        MatmulShape(m: 16, n: 48, k: 40), MatmulShape(m: 40, n: 48, k: 16, transposeA: true),
        MatmulShape(m: 16, n: 40, k: 48, transposeB: true),
    ])

    func temporaryCache() throws -> TuningCache {
        var template = Array("/tmp/descent-tuning-test-XXXXXX".utf8CString)
        let directory = try #require(
            template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) })
        return TuningCache(directory: String(cString: directory))
    }

    @Test func tuningChoosesAMeasuredCandidateAndStoresIt() throws {
        let cache = try temporaryCache()
        let device = try OpenCLTestSupport.makeBackend().device
        let result = try MatmulAutotuner.tune(
            device: .index(device.index), workload: Self.smallWorkload, runs: 2, cache: cache)
        #expect(result.measurements.map(\.tuning) == MatmulAutotuner.candidates(for: device))
        #expect(
            result.measurements.allSatisfy {
                $0.plainMilliseconds > 0 && $0.transposedBMilliseconds > 0
                    && $0.milliseconds.isFinite
            })
        #expect(TuningCache.isOffered(result.tuning, on: device))
        #expect(cache.load(for: device) == result.tuning)

        let (reused, measured) = try MatmulAutotuner.tuningOnFirstUse(
            device: .index(device.index), cache: cache)
        #expect(reused == result.tuning)
        #expect(measured == nil, "a stored choice is not measured again")
    }

    @Test func aDisabledCacheMeansTheDefaultsWithoutMeasuring() throws {
        let device = try OpenCLTestSupport.makeBackend().device
        let (tuning, measured) = try MatmulAutotuner.tuningOnFirstUse(
            device: .index(device.index), cache: TuningCache(directory: nil))
        #expect(measured == nil)
        #expect(tuning == .forDevice(maxWorkGroupSize: device.maxWorkGroupSize, kind: device.kind))
    }

    /// Damaged files are ignored, for a candidate of each strategy (CPUs are offered both).
    @Test func badFilesAreIgnored() throws {
        let cache = try temporaryCache()
        let device = try OpenCLTestSupport.makeBackend().device
        let candidates = MatmulAutotuner.candidates(for: device)
        for strategy in Set(candidates.map(\.matmulStrategy)) {
            let candidate = try #require(candidates.last { $0.matmulStrategy == strategy })
            cache.store(candidate, for: device)
            #expect(cache.load(for: device) == candidate)
            let path = try #require(cache.path(for: device))
            let good = try #require(read(path))
            let lastValue = try #require(good.dropLast().lastIndex(of: " "))

            for (label, text) in [
                ("empty", ""),
                ("truncated", String(good.prefix(good.count / 2))),
                ("another device's key", good.replacing("key ", with: "key other|")),
                (
                    "a variant the tuner never offers",
                    good.replacing("_rows ", with: "_rows 7").replacing("tile ", with: "tile 7")
                ),
                ("another strategy", good.replacing("\nstrategy", with: "\nstrategy x")),
                ("not a number", String(good[...lastValue]) + "x\n"),
            ] {
                write(text, to: path)
                #expect(cache.load(for: device) == nil, "\(strategy): \(label)")
            }
        }
        #expect(TuningCache(directory: nil).load(for: device) == nil)
    }

    /// The register-blocked pair (the best `matmul_blocked` with the best `matmul_blocked_dot`)
    /// against the best tiled candidate, on made-up times.
    @Test func theFastestCombinationWinsAcrossStrategies() {
        let candidates = MatmulAutotuner.candidates(
            kind: .cpu, maxWorkGroupSize: 4096, localMemoryBytes: 1 << 16,
            nativeFloatVectorWidth: 16)
        let blocked = candidates.filter { $0.matmulStrategy == .registerBlocked }
        let tiled = candidates.filter { $0.matmulStrategy == .tiled }
        #expect(blocked.count == 3 && tiled.count == 1, "\(candidates.map(\.matmulVariant))")
        func measured(
            _ tuning: OpenCLTuning, _ plain: Double, _ dot: Double
        ) -> MatmulAutotuner.Measurement {
            MatmulAutotuner.Measurement(
                tuning: tuning, plainMilliseconds: plain, transposedBMilliseconds: dot)
        }
        let pair = [
            measured(blocked[0], 2, 1), measured(blocked[1], 3, 0.5),
            measured(blocked[2], 2.5, 0.8),
        ]
        let choice = MatmulAutotuner.fastest(of: pair + [measured(tiled[0], 2.6, 0.6)])
        #expect(choice.matmulStrategy == .registerBlocked)
        #expect(choice.blockedTunables == blocked[0].blockedTunables)
        #expect(choice.dotTunables == blocked[1].dotTunables)
        // 2 + 0.5 = 2.5 for the pair; a tiled candidate at 2.4 in all beats it.
        #expect(MatmulAutotuner.fastest(of: pair + [measured(tiled[0], 2.0, 0.4)]) == tiled[0])
    }

    @Test func everyCandidateIsOffered() throws {
        let device = try OpenCLTestSupport.makeBackend().device
        for candidate in MatmulAutotuner.candidates(for: device) {
            #expect(TuningCache.isOffered(candidate, on: device))
        }
        var other = OpenCLTuning.forDevice(
            maxWorkGroupSize: device.maxWorkGroupSize, kind: device.kind)
        other.groupSize /= 2
        #expect(!TuningCache.isOffered(other, on: device), "only the matmul variant is tuned")
    }

    func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var text = ""
        var buffer = [CChar](repeating: 0, count: 1024)
        while fgets(&buffer, Int32(buffer.count), file) != nil {
            text += String(
                decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return text
    }

    func write(_ text: String, to path: String) {
        guard let file = fopen(path, "w") else { return }
        fputs(text, file)
        fclose(file)
    }
}
