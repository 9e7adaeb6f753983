#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentCPU
import Testing

/// Arguments a user can pass that must throw a `DescentError`, never trap (DESIGN.md §3: no
/// `fatalError`, `precondition` or overflow trap on anything a user can influence). Each runs in
/// a child process (an exit test), so that a trap fails one test instead of ending the run.
@Suite struct TrapFreeValidationTests {
    @Test func viewRangeWhoseEndOverflowsThrows() async {
        await #expect(processExitsWith: .success) {
            let buffer = try CPUBackend().makeBuffer(count: 10)
            for (offset, count) in [(1, Int.max), (Int.max, 1), (Int.max, Int.max)] {
                do {
                    _ = try buffer.view(offset: offset, count: count)
                    exit(EXIT_FAILURE)
                } catch let error as DescentError {
                    guard case .invalidArgument = error else { exit(EXIT_FAILURE) }
                }
            }
        }
    }

    @Test func bufferWhoseByteCountOverflowsThrows() async {
        await #expect(processExitsWith: .success) {
            do {
                _ = try CPUBackend().makeBuffer(count: .max)
                exit(EXIT_FAILURE)
            } catch is DescentError {
                exit(EXIT_SUCCESS)
            }
        }
    }
}
