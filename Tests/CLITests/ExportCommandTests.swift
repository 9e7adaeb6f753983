import DescentTestSupport
import Foundation
import Testing

/// `descent export --format pytorch`: the state dict beside the weights, the `nn.Sequential`
/// printed, and a bad format refused in one line.
@Suite struct ExportCommandTests {
    @Test func exportWritesTheStateDictAndPrintsTheSequential() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let trained = try DescentProcess.run(
            [
                "train", "--dataset", "moons", "--epochs", "1", "--hidden", "8",
                "--activation", "tanh", "--backend", "cpu", "--quiet", "--report", "run",
            ], in: directory)
        try #require(trained.status == 0, "\(trained.standardError)")
        let exported = try DescentProcess.run(
            ["export", "--weights", "run/model.safetensors", "--format", "pytorch"], in: directory)
        #expect(exported.status == 0, "\(exported.standardError)")
        for module in [
            "nn.Linear(2, 8)", "nn.BatchNorm1d(8, eps=1e-05, momentum=0.1)", "nn.Tanh()",
        ] {
            #expect(exported.standardOutput.contains(module), "\(exported.standardOutput)")
        }
        let file = directory.appendingPathComponent("run/model.pytorch.safetensors")
        let bytes = try Data(contentsOf: file)
        let header = String(decoding: bytes.dropFirst(8).prefix(4000), as: UTF8.self)
        for key in ["\"0.weight\"", "\"1.running_var\"", "pytorch.modules", "descent.model"] {
            #expect(header.contains(key), "\(key) in \(header.prefix(300))")
        }

        let bad = try DescentProcess.run(
            ["export", "--weights", "run/model.safetensors", "--format", "onnx"], in: directory)
        #expect(bad.status == 1 && bad.errorLines.count == 1, "\(bad.standardError)")
        #expect(bad.standardError.contains("unknown --format 'onnx'; use pytorch"))
    }
}
