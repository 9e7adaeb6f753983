#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Descent
import DescentTestSupport
import Testing

/// Checkpoints in safetensors: round trips, strict rejection of bad files with the model left
/// untouched, the `ModelCheckpoint` callback, and a file Python's `safetensors` reads unchanged.
struct CheckpointTests {
    static let architecture = Sequential(seed: 42) {
        Dense(6, 8, initializer: .heUniform)
        BatchNorm(8)
        ReLU()
        Dense(8, 3)
    }

    static func temporaryDirectory() throws -> String {
        var template = Array("/tmp/descent-checkpoint-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        return String(cString: try #require(made))
    }

    static func readBytes(_ path: String) throws -> [UInt8] {
        let file = try #require(fopen(path, "rb"))
        defer { fclose(file) }
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let read = fread(&chunk, 1, chunk.count, file)
            bytes += chunk[0..<read]
            if read < chunk.count { return bytes }
        }
    }

    static func writeBytes(_ bytes: [UInt8], to path: String) throws {
        let file = try #require(fopen(path, "wb"))
        #expect(fwrite(bytes, 1, bytes.count, file) == bytes.count)
        fclose(file)
    }

    /// A model whose running statistics are not the initial 0 / 1: one training-mode forward pass.
    static func trainedModel<B: Backend>(on backend: B) throws -> Model<B> {
        let model = try Model(architecture, inputFeatures: 6, on: backend, maxBatch: 4)
        let input = try backend.makeBuffer(TestData.uniform(4 * 6, seed: 3, in: -2...2))
        _ = try model.forward(input.view, batch: 4, training: true)
        return model
    }

    static func state<B: Backend>(of model: Model<B>) throws -> [SafeTensor] {
        try model.stateTensors()
    }

    @Test func roundTripRestoresParametersAndRunningStatistics() throws {
        let directory = try Self.temporaryDirectory()
        let backend = CPUBackend()
        let model = try Self.trainedModel(on: backend)
        let before = try Self.state(of: model)
        try model.save(to: directory + "/model.safetensors")
        try backend.fill(model.parameters.view, with: 7)
        _ = try model.forward(try backend.makeBuffer(count: 4 * 6).view, batch: 4, training: true)
        #expect(try Self.state(of: model) != before)
        try model.load(from: directory + "/model.safetensors")
        #expect(try Self.state(of: model) == before)

        let file = try SafeTensorsFile(contentsOf: directory + "/model.safetensors")
        #expect(
            file.tensors.map(\.name) == [
                "layers.0.weight", "layers.0.bias", "layers.1.gamma", "layers.1.beta",
                "layers.1.running_mean", "layers.1.running_var", "layers.3.weight", "layers.3.bias",
            ])
        #expect(file["layers.0.weight"]?.shape == [6, 8])
        #expect(file.metadata["architecture"] == Self.architecture.description)
        #expect(file.metadata["format"] == "descent")
        // No temporary file is left behind.
        let listing = try #require(opendir(directory))
        var names: [String] = []
        while let entry = readdir(listing) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(cString: $0.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(listing)
        #expect(names == ["model.safetensors"])
    }

    @Test func formatRoundTripsAndHeaderIsPadded() throws {
        let file = SafeTensorsFile(
            tensors: [
                SafeTensor(
                    name: "a \"quoted\" name", shape: [2, 3], values: [1, 2, 3, 4, 5, -6.5]),
                SafeTensor(name: "empty", shape: [0], values: []),
                SafeTensor(name: "scalar", shape: [], values: [.pi]),
            ],
            metadata: ["note": "line\nbreak é"])
        let bytes = try file.encoded()
        let headerLength = bytes[0..<8].enumerated().reduce(0) {
            $0 | Int($1.element) << (8 * $1.offset)
        }
        #expect(headerLength % 8 == 0)
        #expect(try SafeTensorsFile(decoding: bytes) == file)
        #expect(throws: SafeTensorsError.self) {
            _ = try SafeTensorsFile(tensors: [SafeTensor(name: "x", shape: [2], values: [1])])
                .encoded()
        }
    }

    /// Builds a file from a hand-written header and `dataCount` bytes of data.
    static func handMade(_ header: String, dataCount: Int) -> [UInt8] {
        let json = Array(header.utf8)
        return (0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) } + json
            + [UInt8](repeating: 0, count: dataCount)
    }

    @Test func strictParsingRejectsBadFiles() throws {
        func rejects(_ bytes: [UInt8], _ comment: Comment) {
            #expect(throws: SafeTensorsError.self, comment) {
                _ = try SafeTensorsFile(decoding: bytes)
            }
        }
        rejects([1, 2, 3], "shorter than the length field")
        rejects(Self.handMade("{}", dataCount: 0).dropLast(1).map { $0 }, "truncated header")
        rejects(
            Self.handMade(
                "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}",
                dataCount: 8), "bad JSON")
        rejects(
            Self.handMade(
                "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}",
                dataCount: 4), "truncated data")
        rejects(
            Self.handMade(
                "{\"a\": {\"dtype\": \"F16\", \"shape\": [2], \"data_offsets\": [0, 4]}}",
                dataCount: 4), "wrong dtype")
        rejects(
            Self.handMade(
                "{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}",
                dataCount: 8), "size vs shape")
        rejects(
            Self.handMade(
                "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 0]}}",
                dataCount: 8), "backwards")
        rejects(
            Self.handMade(
                "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}",
                dataCount: 12), "overlap")
        rejects(
            Self.handMade(
                "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}",
                dataCount: 8), "gap")
        // JSONDecoder keeps the first of two entries with one name; the data must still be tiled
        // exactly, so the bytes the second one described belong to no tensor.
        rejects(
            Self.handMade(
                "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}",
                dataCount: 8), "duplicate")
        rejects(Self.handMade("[1, 2]", dataCount: 0), "not an object")
        #expect(
            try SafeTensorsFile(
                decoding: Self.handMade(
                    "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}   ",
                    dataCount: 4)
            ).tensors.count == 1)
    }

    @Test func anotherKindOfFileIsNotASafetensorsFile() throws {
        let png: [UInt8] =
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 7, count: 40)
        #expect(throws: SafeTensorsError.notSafeTensors("a PNG image")) {
            _ = try SafeTensorsFile(decoding: png)
        }
        let text = Array("hello, this is a plain text file, not weights\n".utf8)
        #expect(throws: SafeTensorsError.notSafeTensors("a text file")) {
            _ = try SafeTensorsFile(decoding: text)
        }
        #expect(
            SafeTensorsError.notSafeTensors("a PNG image").description.contains(
                "not a safetensors file (it looks like a PNG image)"))
    }

    @Test func badFilesAreTypedErrorsAndLeaveTheModelUntouched() throws {
        let directory = try Self.temporaryDirectory()
        let backend = CPUBackend()
        let source = try Self.trainedModel(on: backend)
        let path = directory + "/model.safetensors"
        try source.save(to: path)
        let bytes = try Self.readBytes(path)

        let target = try Model(Self.architecture, inputFeatures: 6, on: backend, maxBatch: 4)
        let untouched = try Self.state(of: target)
        func rejects(_ path: String, _ comment: Comment) throws {
            #expect(throws: DescentError.self, comment) { try target.load(from: path) }
            #expect(try Self.state(of: target) == untouched, comment)
        }
        try Self.writeBytes(Array(bytes.dropLast(10)), to: directory + "/truncated.safetensors")
        try rejects(directory + "/truncated.safetensors", "truncated data")
        try Self.writeBytes(Array(bytes.prefix(5)), to: directory + "/stub.safetensors")
        try rejects(directory + "/stub.safetensors", "truncated length")
        var corrupt = bytes
        corrupt[8] = UInt8(ascii: "#")
        try Self.writeBytes(corrupt, to: directory + "/corrupt.safetensors")
        try rejects(directory + "/corrupt.safetensors", "corrupt header")
        try rejects(directory + "/missing.safetensors", "no such file")

        let other = try Model(
            Sequential(seed: 42) {
                Dense(6, 9); BatchNorm(9); ReLU(); Dense(9, 3)
            },
            inputFeatures: 6, on: backend, maxBatch: 4)
        try other.save(to: directory + "/other.safetensors")
        try rejects(directory + "/other.safetensors", "wrong shapes")
        let fewer = try Model(
            Sequential(seed: 42) { Dense(6, 3) }, inputFeatures: 6, on: backend, maxBatch: 4)
        try fewer.save(to: directory + "/fewer.safetensors")
        try rejects(directory + "/fewer.safetensors", "other tensor names")
        #expect(throws: DescentError.self) {
            try source.save(to: directory + "/no/such/dir/model.safetensors")
        }
    }

    @Test func modelCheckpointWritesOnlyOnImprovement() throws {
        let directory = try Self.temporaryDirectory()
        let trainer = try Trainer(
            architecture: Sequential(seed: 9) {
                Dense(2, 4, activation: .tanh); Dense(4, 2)
            }, on: CPUBackend(),
            loss: .softmaxCrossEntropy, optimizer: SGD(learningRate: 0.1), maxBatch: 8)
        func record(_ epoch: Int, _ validationLoss: Double) -> EpochRecord {
            EpochRecord(
                epoch: epoch, loss: 1, accuracy: nil, validationLoss: validationLoss,
                validationAccuracy: nil,
                learningRate: 0.1, seconds: 1, samplesPerSecond: 1)
        }
        let best = ModelCheckpoint(
            path: directory + "/best.safetensors", monitor: "val_loss", saveBestOnly: true)
        let backend = trainer.backend
        try backend.fill(trainer.model.parameters.view, with: 1)
        #expect(try best.epochEnded(record(0, 1.0), trainer: trainer) == .proceed)
        try backend.fill(trainer.model.parameters.view, with: 2)
        _ = try best.epochEnded(record(1, 0.8), trainer: trainer)
        try backend.fill(trainer.model.parameters.view, with: 3)
        _ = try best.epochEnded(record(2, 0.9), trainer: trainer)
        _ = try best.epochEnded(record(3, 0.8), trainer: trainer)
        _ = try best.epochEnded(record(4, .nan), trainer: trainer)
        #expect(best.savedEpochs == [0, 1])
        #expect(best.best == 0.8)
        try trainer.model.load(from: directory + "/best.safetensors")
        #expect(try trainer.model.stateTensors().allSatisfy { $0.values.allSatisfy { $0 == 2 } })

        let every = ModelCheckpoint(
            path: directory + "/epoch-{epoch:02d}.safetensors", monitor: "val_accuracy")
        #expect(every.mode == .max)
        _ = try every.epochEnded(record(0, 1.0), trainer: trainer)
        _ = try every.epochEnded(record(1, 2.0), trainer: trainer)
        #expect(every.savedEpochs == [0, 1])
        #expect(every.lastSavedPath == directory + "/epoch-02.safetensors")
        #expect(fopen(directory + "/epoch-01.safetensors", "rb").map { fclose($0) } != nil)
        #expect(ModelCheckpoint(path: "m-{epoch}.st").path(forEpoch: 9) == "m-10.st")

        let missing = ModelCheckpoint(
            path: directory + "/x.safetensors", monitor: "val_accuracy", saveBestOnly: true)
        #expect(throws: DescentError.self) {
            _ = try missing.epochEnded(record(0, 1.0), trainer: trainer)
        }
    }

    /// Runs `command` through the shell; returns its exit status and what it printed.
    static func shell(_ command: String, directory: String) -> (status: Int32, output: String) {
        let outputPath = directory + "/python-output.txt"
        let raw = system("\(command) > '\(outputPath)' 2>&1")
        let output = (try? readBytes(outputPath)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let status: Int32 = raw == -1 ? -1 : (raw >> 8) & 0xFF
        return (status, output)
    }

    @Test func pythonSafetensorsLoadsTheFileUnchanged() throws {
        let directory = try Self.temporaryDirectory()
        let model = try Self.trainedModel(on: CPUBackend())
        let path = directory + "/model.safetensors"
        try model.save(to: path)
        let state = try model.stateTensors()
        let weight = try #require(state.first { $0.name == "layers.0.weight" }).values
        let bias = try #require(state.first { $0.name == "layers.3.bias" }).values

        let probe = Self.shell("python3 -c 'import safetensors, numpy'", directory: directory)
        guard probe.status == 0 else {
            Issue.record(
                "Python's safetensors package is needed for this test: pip install safetensors numpy (\(probe.output))"
            )
            return
        }
        let script = """
            import sys, numpy
            from safetensors.numpy import load_file
            from safetensors import safe_open
            tensors = load_file(sys.argv[1])
            assert sorted(tensors) == sorted(["layers.0.weight", "layers.0.bias", "layers.1.gamma", "layers.1.beta", "layers.1.running_mean", "layers.1.running_var", "layers.3.weight", "layers.3.bias"]), sorted(tensors)
            assert tensors["layers.0.weight"].shape == (6, 8) and tensors["layers.0.weight"].dtype == numpy.float32
            assert tensors["layers.3.bias"].shape == (3,)
            assert tensors["layers.1.running_var"].shape == (8,)
            assert tensors["layers.0.weight"][0, 0] == numpy.float32(float(sys.argv[2])), tensors["layers.0.weight"][0, 0]
            assert tensors["layers.0.weight"][5, 7] == numpy.float32(float(sys.argv[3]))
            assert tensors["layers.3.bias"][2] == numpy.float32(float(sys.argv[4]))
            with safe_open(sys.argv[1], framework="numpy") as f:
                assert f.metadata()["format"] == "descent", f.metadata()
                assert f.metadata()["architecture"].startswith("Sequential("), f.metadata()
            print("OK")
            """
        try Self.writeBytes(Array(script.utf8), to: directory + "/check.py")
        let result = Self.shell(
            "python3 '\(directory)/check.py' '\(path)' \(weight[0].description) \(weight[47].description) \(bias[2].description)",
            directory: directory)
        #expect(
            result.status == 0 && result.output.contains("OK"),
            "python3 check failed: \(result.output)")
    }
}

/// A CPU-saved checkpoint loads into an OpenCL model.
@Suite(.requiresOpenCL)
struct CheckpointOpenCLTests {
    @Test func cpuCheckpointLoadsIntoAnOpenCLModel() throws {
        let directory = try CheckpointTests.temporaryDirectory()
        let cpuModel = try CheckpointTests.trainedModel(on: CPUBackend())
        try cpuModel.save(to: directory + "/model.safetensors")
        let gpuModel = try Model(
            CheckpointTests.architecture, inputFeatures: 6, on: try OpenCLTestSupport.makeBackend(),
            maxBatch: 4)
        #expect(try gpuModel.stateTensors() != cpuModel.stateTensors())
        try gpuModel.load(from: directory + "/model.safetensors")
        #expect(try gpuModel.stateTensors() == cpuModel.stateTensors())
    }
}
