import ArgumentParser
import Descent

/// `descent export`: weights saved by `descent train` in another framework's form.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write weights saved by `descent train` in PyTorch's names and layouts.",
        discussion: """
            --format pytorch writes a safetensors state dict for the nn.Sequential it prints \
            (module indices, nn.Linear weights [out, in], batch norm's weight, bias, running_mean \
            and running_var): model.load_state_dict(safetensors.torch.load_file(OUTPUT)) loads it. \
            Its metadata keeps the model's descent.model description: standardize the inputs with \
            its standardization's mean and scale first, as training did.
            """
    )

    @Option(help: "A model.safetensors written by `descent train`.")
    var weights: String

    @Option(help: "pytorch (the one format for now).")
    var format = "pytorch"

    @Option(help: "The file to write (default: model.pytorch.safetensors beside --weights).")
    var output: String?

    func run() throws {
        try reportingFailures {
            guard format == "pytorch" else {
                throw usageError("unknown --format '\(format.prefix(40))'; use pytorch")
            }
            // The CPU reference holds the model: exporting computes nothing.
            let (model, description) = try Model.load(
                contentsOf: weights, on: CPUBackend(), maxBatch: 1)
            let export = try model.pyTorchExport()
            let path = output ?? defaultOutput
            // The description travels along: the inputs' standardization and the class names.
            try export.write(
                to: path, metadata: [ModelDescription.metadataKey: try JSON.text(description)])
            StandardOutput.line(
                "import torch.nn as nn\nmodel = \(export.sequential)\nmodel.eval()  # batch norm's running statistics, no dropout"
            )
            StandardError.line(
                "Wrote \(path): model.load_state_dict(safetensors.torch.load_file(\"\(path)\"))")
        }
    }

    /// `model.pytorch.safetensors` in the folder of `--weights`.
    private var defaultOutput: String {
        let folder = weights.lastIndex(of: "/").map { String(weights[...$0]) } ?? ""
        return folder + "model.pytorch.safetensors"
    }
}
