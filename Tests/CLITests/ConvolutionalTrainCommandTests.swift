import Foundation
import Testing

/// `descent train --model cnn` and `--layers` on Fashion-MNIST.
@Suite(.serialized) struct ConvolutionalTrainCommandTests {
    /// The CI check of the CNN preset: above 0.85 test accuracy after one epoch on a subset of
    /// 20,000 images (the README gives the full seeded run's figures).
    @Test func cnnPassesPoint85AfterOneEpochOnASubset() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try DescentProcess.run(
            [
                "train", "--model", "cnn", "--train-subset", "20000", "--epochs", "1",
                "--augment", "none", "--batch-size", "64", "--lr", "0.002", "--seed", "7",
                "--quiet", "--no-sanity-checks", "--report", "run",
            ], in: directory)
        try #require(result.status == 0, "\(result.standardError)")
        let line = try #require(
            result.standardOutput.split(separator: "\n").first { $0.hasPrefix("Test loss ") })
        let accuracy = try #require(Double(line.split(separator: " ").last ?? ""))
        #expect(accuracy > 0.85, "\(line)")
        let summary = try String(
            contentsOf: directory.appendingPathComponent("run/index.html"), encoding: .utf8)
        #expect(summary.contains("Conv2D(1, 32, 3x3, padding same, no bias)"))
    }

    /// Any stack, with every augmentation: the summary shows the shapes, and `descent evaluate`
    /// rebuilds the stack from the saved weights.
    @Test func layersTrainsAnyStack() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try DescentProcess.run(
            [
                "train", "--layers", "conv:4:3:2:1,bn,relu,avgpool:2,gap,dense:8,tanh",
                "--augment", "crop:1,flip,noise:0.05", "--train-subset", "600", "--epochs", "1",
                "--no-sanity-checks", "--report", "run",
            ], in: directory)
        try #require(result.status == 0, "\(result.standardError)")
        for expected in [
            "RandomCropFlip(crop:1,flip)", "GaussianNoise(0.05)",
            "Conv2D(1, 4, 3x3, stride 2, padding 1, no bias)", "[batch, 4, 14, 14]",
            "AvgPool2D(2)", "[batch, 4, 7, 7]", "GlobalAveragePool", "[batch, 4]",
        ] {
            #expect(result.standardOutput.contains(expected), "\(expected)")
        }
        // The weights remember the stack: evaluate rebuilds it from them alone.
        let evaluated = try DescentProcess.run(
            ["evaluate", "--weights", "run/model.safetensors"], in: directory)
        #expect(evaluated.status == 0, "\(evaluated.standardError)")
        #expect(evaluated.standardOutput.contains("Test loss "))
    }
}
