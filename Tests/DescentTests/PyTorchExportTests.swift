import Descent
import DescentTestSupport
import Testing

/// The PyTorch export: PyTorch's names and layouts, read by Python's `safetensors` and run
/// there as the `nn.Sequential` its metadata names would run it (numpy, in float64), matching
/// Descent's logits on the test set within 1e-5.
struct PyTorchExportTests {
    /// A model with every kind of module: a fused activation (two modules), batch norm, layer
    /// norm, dropout, noise, and activations with parameters.
    static let architecture = Sequential(seed: 11) {
        Dense(2, 16, activation: .relu)
        BatchNorm(16)
        Dropout(0.2)
        Dense(16, 12)
        LayerNorm(12)
        ActivationLayer(.leakyReLU(slope: 0.1))
        GaussianNoise(0.05)
        Dense(12, 8, activation: .gelu)
        ActivationLayer(.elu(alpha: 0.7))
        Dense(8, 3, useBias: false)
    }

    /// The forward pass of the exported modules in numpy, parsed from the metadata's module list.
    static let numpyForward = """
        import sys, json, re, numpy as np
        from safetensors.numpy import load_file
        from safetensors import safe_open
        path, inputs, outputs = sys.argv[1], sys.argv[2], sys.argv[3]
        with safe_open(path, framework="numpy") as f:
            modules = json.loads(f.metadata()["pytorch.modules"])
        t = {k: v.astype(np.float64) for k, v in load_file(path).items()}
        x = np.loadtxt(inputs, delimiter=",", ndmin=2)
        def arg(m, name, default):
            found = re.search(name + r"=([-0-9.e]+)", m)
            return float(found.group(1)) if found else default
        for i, m in enumerate(modules):
            if m.startswith("nn.Linear("):
                x = x @ t[f"{i}.weight"].T + (t[f"{i}.bias"] if f"{i}.bias" in t else 0)
            elif m.startswith("nn.BatchNorm1d("):
                x = (x - t[f"{i}.running_mean"]) / np.sqrt(t[f"{i}.running_var"] + arg(m, "eps", 1e-5))
                x = x * t[f"{i}.weight"] + t[f"{i}.bias"]
            elif m.startswith("nn.LayerNorm("):
                mean, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
                x = (x - mean) / np.sqrt(var + arg(m, "eps", 1e-5)) * t[f"{i}.weight"] + t[f"{i}.bias"]
            elif m == "nn.ReLU()": x = np.maximum(x, 0)
            elif m.startswith("nn.LeakyReLU("): x = np.where(x > 0, x, arg(m, "negative_slope", 0.01) * x)
            elif m.startswith("nn.ELU("): x = np.where(x > 0, x, arg(m, "alpha", 1.0) * np.expm1(x))
            elif m == "nn.GELU(approximate='tanh')":
                x = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
            elif m.startswith("nn.Dropout(") or m == "nn.Identity()": pass
            else: sys.exit("unknown module " + m)
        np.savetxt(outputs, x, delimiter=",", fmt="%.9g")
        """

    @Test func pythonRunsTheExportAsDescentDoes() throws {
        let directory = try CheckpointTests.temporaryDirectory()
        let data = try Dataset.moons(sampleCount: 400, noise: 0.1, seed: 3)
        let (train, test) = try data.randomSplit(validationFraction: 0.25, seed: 4)
        let trainer = try Trainer(
            architecture: Self.architecture, on: CPUBackend(), loss: .softmaxCrossEntropy,
            optimizer: Adam(learningRate: 0.01), maxBatch: 100)
        _ = try trainer.fit(train, epochs: 3, batchSize: 25)
        let export = try trainer.model.pyTorchExport()
        #expect(
            export.modules == [
                "nn.Linear(2, 16)", "nn.ReLU()", "nn.BatchNorm1d(16, eps=1e-05, momentum=0.1)",
                "nn.Dropout(p=0.2)", "nn.Linear(16, 12)", "nn.LayerNorm(12, eps=1e-05)",
                "nn.LeakyReLU(negative_slope=0.1)", "nn.Identity()", "nn.Linear(12, 8)",
                "nn.GELU(approximate='tanh')", "nn.ELU(alpha=0.7)", "nn.Linear(8, 3, bias=False)",
            ])
        #expect(
            export.tensors.map(\.name).prefix(6) == [
                "0.weight", "0.bias", "2.weight", "2.bias", "2.running_mean", "2.running_var",
            ])
        #expect(export.tensors.first?.shape == [16, 2])
        let path = directory + "/model.pytorch.safetensors"
        try export.write(to: path)

        let inputs = directory + "/inputs.csv", outputs = directory + "/outputs.csv"
        let rows = stride(from: 0, to: test.features.count, by: 2).map {
            "\(test.features[$0]),\(test.features[$0 + 1])"
        }
        try CheckpointTests.writeBytes(Array(rows.joined(separator: "\n").utf8), to: inputs)
        try CheckpointTests.writeBytes(Array(Self.numpyForward.utf8), to: directory + "/forward.py")
        let run = CheckpointTests.shell(
            "python3 '\(directory)/forward.py' '\(path)' '\(inputs)' '\(outputs)'",
            directory: directory)
        try #require(run.status == 0, "\(run.output)")
        let python = String(decoding: try CheckpointTests.readBytes(outputs), as: UTF8.self)
            .split(whereSeparator: { $0 == "\n" || $0 == "," }).compactMap { Float($0) }
        let descent = try trainer.predict(test)
        #expect(python.count == descent.count)
        expectClose(python, descent, Tolerance(absolute: 1e-5, relative: 1e-5), "logits")
    }
}
