import DescentTestSupport
import Foundation
import Testing

/// `descent predict` as a user runs it: weights from `descent train` on a CSV with text classes,
/// copied alone into a fresh directory, predict rows whose columns come in another order.
@Suite struct PredictCommandTests {
    /// Two features and a colour that the sign of `a - b` decides.
    static func coloursCSV(rows: Int, at url: URL, labelFirst: Bool = true) throws {
        var lines = [labelFirst ? "colour,a,b" : "b,a,colour"]
        for index in 0..<rows {
            let a = Double(index % 17) / 8 - 1, b = Double(index % 13) / 6 - 1
            let colour = a > b ? "red" : "blue"
            lines.append(labelFirst ? "\(colour),\(a),\(b)" : "\(b),\(a),\(colour)")
        }
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    @Test func predictNeedsOnlyTheWeights() throws {
        let training = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: training) }
        try Self.coloursCSV(rows: 400, at: training.appendingPathComponent("train.csv"))
        let trained = try DescentProcess.run(
            [
                "train", "--dataset", "csv:train.csv", "--label-column", "colour", "--epochs", "30",
                "--hidden", "16", "--batch-size", "16", "--lr", "0.01", "--backend", "cpu",
                "--quiet", "--report", "run",
            ], in: training)
        try #require(trained.status == 0, "\(trained.standardError)")

        let fresh = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: fresh) }
        try FileManager.default.copyItem(
            at: training.appendingPathComponent("run/model.safetensors"),
            to: fresh.appendingPathComponent("model.safetensors"))
        try Self.coloursCSV(
            rows: 60, at: fresh.appendingPathComponent("new.csv"), labelFirst: false)
        let predicted = try DescentProcess.run(
            [
                "predict", "--weights", "model.safetensors", "--input", "new.csv", "--label-column",
                "colour", "--backend", "cpu",
            ], in: fresh)
        #expect(predicted.status == 0, "\(predicted.standardError)")
        let lines = predicted.standardOutput.split(separator: "\n")
        // Text classes are sorted: blue is class 0, red class 1.
        #expect(lines.first == "class,probability_blue,probability_red")
        #expect(lines.count == 61)
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",")
            #expect(fields.count == 3 && ["red", "blue"].contains(fields[0]), "\(line)")
            let sum = fields.dropFirst().compactMap { Double($0) }.reduce(0, +)
            #expect(abs(sum - 1) < 1e-5, "\(line)")
        }
        let accuracyLine = try #require(
            predicted.errorLines.first { $0.hasPrefix("Accuracy on --label-column colour: ") })
        let accuracy = try #require(
            Double(accuracyLine.split(separator: " ")[4]), "\(accuracyLine)")
        #expect(accuracy > 0.85, "\(accuracyLine)")

        // To a file, and without the label column at all.
        try "a,b\n0.5,-0.5\n-0.5,0.5\n".write(
            to: fresh.appendingPathComponent("unlabelled.csv"), atomically: true, encoding: .utf8)
        let toFile = try DescentProcess.run(
            [
                "predict", "--weights", "model.safetensors", "--input", "unlabelled.csv",
                "--output", "out.csv", "--backend", "cpu",
            ], in: fresh)
        #expect(toFile.status == 0, "\(toFile.standardError)")
        let written = try String(
            contentsOf: fresh.appendingPathComponent("out.csv"), encoding: .utf8)
        #expect(written.split(separator: "\n").map { $0.prefix(4) } == ["clas", "red,", "blue"])
    }

    /// Fashion-MNIST weights take Kaggle's CSV as it is: raw pixel bytes under `pixel1` ...
    /// `pixel784`, the label first (here 300 test images written by Python from the IDX files).
    @Test func fashionMNISTWeightsPredictKagglesCSV() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let trained = try DescentProcess.run(
            [
                "train", "--train-subset", "2000", "--epochs", "2", "--quiet", "--no-sanity-checks",
                "--report", "run",
            ], in: directory)
        try #require(trained.status == 0, "\(trained.standardError)")
        let script = """
            import gzip
            d = '/usr/share/datasets/fashion-mnist/'
            images = gzip.open(d + 't10k-images-idx3-ubyte.gz').read()[16:]
            labels = gzip.open(d + 't10k-labels-idx1-ubyte.gz').read()[8:]
            with open('kaggle.csv', 'w') as f:
                f.write('label,' + ','.join('pixel%d' % i for i in range(1, 785)) + '\\n')
                for r in range(300):
                    f.write(str(labels[r]) + ',' + ','.join(map(str, images[r * 784:(r + 1) * 784])) + '\\n')
            """
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", script]
        python.currentDirectoryURL = directory
        try python.run()
        python.waitUntilExit()
        try #require(python.terminationStatus == 0)
        let predicted = try DescentProcess.run(
            [
                "predict", "--weights", "run/model.safetensors", "--input", "kaggle.csv",
                "--label-column", "label",
            ], in: directory)
        #expect(predicted.status == 0, "\(predicted.standardError)")
        #expect(predicted.standardOutput.hasPrefix("class,probability_T-shirt/top,"))
        let accuracyLine = try #require(
            predicted.errorLines.first { $0.hasPrefix("Accuracy on --label-column label: ") })
        let accuracy = try #require(Double(accuracyLine.split(separator: " ")[4]))
        // Pixels in the wrong units (0...1 read as 0...255) give about 0.1-0.3.
        #expect(accuracy > 0.6, "\(accuracyLine)")
    }

    @Test func aMissingFeatureColumnIsOneLineNamingIt() throws {
        let directory = try DescentProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.coloursCSV(rows: 200, at: directory.appendingPathComponent("train.csv"))
        let trained = try DescentProcess.run(
            [
                "train", "--dataset", "csv:train.csv", "--label-column", "colour", "--epochs", "1",
                "--hidden", "4", "--backend", "cpu", "--quiet", "--report", "run",
            ], in: directory)
        try #require(trained.status == 0, "\(trained.standardError)")
        try "a,c\n1,2\n".write(
            to: directory.appendingPathComponent("wrong.csv"), atomically: true, encoding: .utf8)
        let result = try DescentProcess.run(
            [
                "predict", "--weights", "run/model.safetensors", "--input", "wrong.csv",
                "--backend", "cpu",
            ], in: directory)
        #expect(result.status == 1)
        #expect(result.errorLines.count == 1, "\(result.standardError)")
        #expect(result.standardError.contains("lacks the model's feature column 'b'"))
    }
}
