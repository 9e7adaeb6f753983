import ArgumentParser
@_spi(Benchmarking) import DescentOpenCL
import Descent

/// `descent-bench`: Descent's speed next to its anchors, measured in one run on one device.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "descent-bench",
        abstract:
            "Measure Descent's kernels and training speed next to CLBlast and the device's own peak.",
        discussion: """
            Every result is validated against the CPU reference before it is timed; times are the \
            median of several runs after a warm-up, with min and max. CLBlast is loaded at run \
            time when libclblast.so.1 is installed. The device is chosen like descent train's \
            (--device, DESCENT_DEVICE, else the best). A full run first tunes the matmul variant \
            for the device (each candidate is an 'autotune' row) and stores the choice, which \
            descent train then uses; --quick tunes only when no choice is stored.
            """
    )

    @Flag(help: "One JSON object per line instead of the table.")
    var json = false

    @Flag(help: "Fewer and smaller cases: a run of under a minute.")
    var quick = false

    @Option(
        help:
            "Only rows whose 'name backend shape' contains every given word (repeatable), e.g. --filter matmul --filter m=128; the peak rows always run, as the denominators of % peak."
    )
    var filter: [String] = []

    @Option(help: "Timed runs per row (after the warm-up).")
    var runs = 7

    @Option(help: "OpenCL device: an index, gpu/cpu, or a substring of its name.")
    var device: String?

    @Flag(
        help:
            "Instead of the benchmarks: one training epoch with every kernel timed by OpenCL profiling events, by kernel."
    )
    var profile = false

    @Flag(help: "With --profile: the CNN of `descent train --model cnn` instead of the MLP.")
    var cnn = false

    @Flag(name: .customLong("cold-start-probe"), help: .hidden)
    var coldStartProbe = false

    func run() throws {
        if coldStartProbe { return try ColdStartBench.runProbe() }
        let communicator: any Communicator
        do {
            communicator = try DistributedLaunch.communicator()
        } catch {
            StandardError.line("error: \(error)")
            throw ExitCode.failure
        }
        guard communicator.isDistributed else { return try runAlone() }
        do {
            try runDistributed(communicator)
        } catch {
            StandardError.line("error: rank \(communicator.rank) of \(communicator.size): \(error)")
            communicator.abort(code: 1)
        }
        (communicator as? MPICommunicator)?.finalize()
    }

    /// Under `mpirun`: the distributed rows alone (`DistributedBench`), printed by rank 0.
    private func runDistributed(_ communicator: any Communicator) throws {
        var selector = device.map(DeviceSelector.init(parsing:)) ?? .fromEnvironment
        if selector == .automatic { selector = try .automatic(localRank: communicator.localRank) }
        let (tuning, _) = try AutotuneBench.tuning(device: selector, quick: true)
        let backend = try OpenCLBackend(device: selector, tuning: tuning)
        _ = try backend.prepareKernels()
        var rows: [[String]] = []
        let context = BenchContext(openCL: backend, quick: quick, runs: runs, filter: filter) {
            row in
            guard communicator.isRoot else { return }
            if json {
                StandardOutput.line(try JSON.text(row))
            } else {
                rows.append(BenchTable.line(row))
            }
        }
        try DistributedBench.run(context, communicator: communicator)
        if communicator.isRoot, !json { StandardOutput.line(BenchTable.render(rows)) }
    }

    /// The benchmarks of one process on one device.
    private func runAlone() throws {
        do {
            let selector = device.map(DeviceSelector.init(parsing:)) ?? .fromEnvironment
            if profile {
                return try ProfileBench.run(device: selector, quick: quick, cnn: cnn, json: json)
            }
            let (tuning, tuned) = try AutotuneBench.tuning(device: selector, quick: quick)
            let backend = try OpenCLBackend(device: selector, tuning: tuning)
            _ = try backend.prepareKernels()
            var rows: [[String]] = []
            let context = BenchContext(openCL: backend, quick: quick, runs: runs, filter: filter) {
                row in
                if json {
                    StandardOutput.line(try JSON.text(row))
                } else {
                    rows.append(BenchTable.line(row))
                    StandardError.write(".")
                }
            }
            let clblast = CLBlast.load()
            if !json {
                StandardError.line(
                    "Device: \(backend.device.name) (\(backend.device.kind.rawValue), \(backend.device.platformName), \(backend.device.computeUnits) compute units); matmul \(tuning.matmulVariant)"
                )
                if case .failure(let failure) = clblast {
                    StandardError.line("CLBlast: \(failure)")
                }
            }
            try PeakBench.run(context)
            try AutotuneBench.record(tuned, chosen: tuning, context)
            try MatmulBench.run(context, clblast: clblast)
            try ConvolutionBench.run(context, clblast: clblast)
            try KernelBench.run(context)
            try TrainingBench.run(context)
            try ColdStartBench.run(context)
            if !json {
                StandardError.line("")
                StandardOutput.line(BenchTable.render(rows))
            }
        } catch {
            StandardError.line("error: \(error)")
            throw ExitCode.failure
        }
    }
}
