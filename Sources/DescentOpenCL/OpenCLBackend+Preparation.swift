import DescentCore

/// What `OpenCLBackend.prepareKernels()` did: how many programs it compiled from source, loaded
/// from the on-disk binary cache or found already in memory, and the wall time it took.
public struct KernelPreparation: Sendable, Equatable, CustomStringConvertible {
    public var compiled = 0
    public var loadedFromDisk = 0
    public var alreadyInMemory = 0
    public var seconds = 0.0

    public var description: String {
        var parts: [String] = []
        if compiled > 0 { parts.append("\(compiled) compiled") }
        if loadedFromDisk > 0 { parts.append("\(loadedFromDisk) from the disk cache") }
        if alreadyInMemory > 0 { parts.append("\(alreadyInMemory) already built") }
        return "\(parts.joined(separator: ", ")) in \((seconds * 100).rounded() / 100) s"
    }
}

extension OpenCLBackend {
    /// Builds every Descent program for this device now (from the disk cache when it holds
    /// them), so that the first training step does not pay for compilation and the cost can be
    /// reported on its own. Optional: programs are otherwise built on first use.
    /// - Throws: `DescentError.kernelBuildFailed` with the compiler's log.
    public func prepareKernels() throws -> KernelPreparation {
        let started = ContinuousClock.now
        var preparation = KernelPreparation()
        for program in KernelProgram.allCases {
            switch try deviceContext.prepare(named: program.rawValue, source: program.source, options: tuning.buildOptions) {
            case .memory: preparation.alreadyInMemory += 1
            case .disk: preparation.loadedFromDisk += 1
            case .source: preparation.compiled += 1
            }
        }
        let elapsed = ContinuousClock.now - started
        preparation.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return preparation
    }
}
