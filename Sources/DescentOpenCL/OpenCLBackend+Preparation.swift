import DescentCore

/// What `OpenCLBackend.prepareKernels()` did: where Descent's program came from and the wall time
/// it took.
public struct KernelPreparation: Sendable, Equatable, CustomStringConvertible {
    /// Where the program came from.
    public enum Origin: String, Sendable {
        /// Compiled from source (the driver may still have used a cache of its own, as PoCL does).
        case builtFromSource = "built from source"
        /// Loaded from Descent's on-disk binary cache.
        case loadedFromDisk = "loaded from the disk cache"
        /// Already built by another backend on the same device in this process.
        case alreadyInMemory = "already built"
    }

    public var origin: Origin
    public var seconds: Double

    public var description: String {
        "\(origin.rawValue) in \((seconds * 100).rounded() / 100) s"
    }
}

extension OpenCLBackend {
    /// Builds Descent's programs for this device now (from the disk cache when it holds them), so
    /// that the first training step does not pay for compilation and the cost can be reported on
    /// its own. Optional: a program is otherwise built at its first launch. Drivers that compile
    /// each kernel's machine code at its first launch (PoCL) still do that then.
    /// - Returns: the origin of the least ready program (built from source if any was) and the
    ///   wall time of both.
    /// - Throws: `DescentError.kernelBuildFailed` with the compiler's log.
    public func prepareKernels() throws -> KernelPreparation {
        let started = ContinuousClock.now
        var origins: [KernelPreparation.Origin] = []
        for program in KernelProgram.allCases {
            switch try prepare(program) {
            case .memory: origins.append(.alreadyInMemory)
            case .disk: origins.append(.loadedFromDisk)
            case .source: origins.append(.builtFromSource)
            }
        }
        let origin: KernelPreparation.Origin =
            origins.contains(.builtFromSource)
            ? .builtFromSource
            : origins.contains(.loadedFromDisk) ? .loadedFromDisk : .alreadyInMemory
        return KernelPreparation(
            origin: origin, seconds: (ContinuousClock.now - started) / .seconds(1))
    }

    /// Builds one of Descent's programs for this device now; see `prepareKernels()`.
    func prepare(_ program: KernelProgram) throws -> ProgramOrigin {
        try deviceContext.prepare(
            named: program.name, source: program.source, options: program.options(for: tuning))
    }
}
