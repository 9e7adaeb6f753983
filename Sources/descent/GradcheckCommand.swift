import ArgumentParser
import Descent

/// `descent gradcheck`: checks the model's backward pass against centered differences, and each
/// backend's float32 gradients against the double-precision reference.
struct GradcheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradcheck",
        abstract: "Check the gradients of the model `descent train` would build, numerically.",
        discussion: """
            Centered differences (f(x+h) - f(x-h)) / 2h in double precision, h = 1e-5, on a few \
            training samples with dropout off and batch norm in training mode; the relative error \
            |a - n| / max(|a|, |n|) of each parameter tensor and of the input is put in the notes' \
            bands (< 1e-7 good, > 1e-2 wrong). Entries whose step crossed a ReLU kink are flagged, \
            not failed. Then the CPU and OpenCL backends' float32 gradients are compared with the \
            double-precision ones. Exits 1 when a check fails.
            """
    )

    @OptionGroup(title: "Data") var data: DataOptions
    @OptionGroup(title: "Model") var model: ModelOptions
    @OptionGroup(title: "Device") var device: BackendOptions

    @Option(help: "Training samples in the checked batch.")
    var samples = 4

    @Option(help: "Entries checked per tensor (chosen evenly; all when the tensor is smaller).")
    var entries = 64

    func run() throws {
        var passed = true
        try reportingFailures {
            guard samples >= 2 else {
                throw usageError(
                    "--samples must be at least 2 (batch norm needs a batch), got \(samples)")
            }
            guard entries >= 1 else {
                throw usageError("--entries must be at least 1, got \(entries)")
            }
            let prepared = try data.load()
            let architecture = try model.architecture(
                input: prepared.train.sampleShape, task: prepared.task, seed: data.seed)
            let check = GradientCheck(
                architecture, inputShape: prepared.train.sampleShape,
                loss: try model.loss.lossFunction(for: prepared.task),
                sampleCount: samples, entriesPerTensor: entries, seed: data.seed)
            let reference = try check.run(prepared.train)
            reference.lines.forEach { StandardOutput.line($0) }
            passed = reference.passed
            var backends: [() throws -> BackendGradientReport] = [
                { try check.compare(on: CPUBackend(), data: prepared.train) }
            ]
            if case .openCL(let openCL) = try device.choose() {
                backends.append { try check.compare(on: openCL, data: prepared.train) }
            }
            for compare in backends {
                let report = try compare()
                StandardOutput.line("")
                report.lines.forEach { StandardOutput.line($0) }
                passed = passed && report.passed
            }
            StandardOutput.line(
                passed
                    ? "\nGradients check out."
                    : "\nA gradient check failed; see the lines marked FAIL.")
        }
        if !passed { throw ExitCode.failure }
    }
}
