#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
@testable import DescentOpenCL
import DescentTestSupport
import Testing

/// A kernel launched past the end of its buffers, on purpose: `scripts/oclgrind-check.sh` runs
/// this under oclgrind and fails unless oclgrind reports it, so that an empty log from the real
/// suite means "checked and clean", not "not checked". It runs only there
/// (`DESCENT_OCLGRIND_CANARY=1`): on a real device it would corrupt memory.
@Suite(
    .enabled(
        if: getenv("DESCENT_OCLGRIND_CANARY") != nil, "runs only inside scripts/oclgrind-check.sh"))
struct OclgrindCanaryTests {
    @Test func overrunningKernelIsReportedByOclgrind() throws {
        let backend = try OpenCLTestSupport.makeBackend()
        let input = try backend.makeBuffer(count: 8)
        let output = try backend.makeBuffer(count: 8)
        try backend.fill(input.view, with: 1)
        // `scale` trusts its count: 16 elements of 8-element buffers reads and writes past both.
        try backend.launchElementwise(
            .scale, count: 16, [.int(16), .float(2), .view(input.view), .view(output.view)])
        try backend.synchronize()
    }
}
