import Descent

/// What a training run measured, for the closing lines and `--json`.
struct RunSummary {
    let backend: String
    let device: String
    let data: PreparedData
    let history: History
    let evaluation: Evaluation
    /// How the OpenCL programs were prepared (nil on the CPU backend).
    let kernels: KernelPreparation?
    let loadSeconds: Double
    let evaluationSeconds: Double

    /// Wall time of the epochs, validation included.
    var trainSeconds: Double { history.epochs.reduce(0) { $0 + $1.seconds } }

    /// Training samples per second over the whole run (validation time included in the time).
    var samplesPerSecond: Double {
        trainSeconds > 0 ? Double(data.train.sampleCount * history.epochs.count) / trainSeconds : 0
    }

    var timeDescription: String {
        var parts: [String] = []
        if let kernels { parts.append("kernels \(ProgressBar.duration(kernels.seconds)) (\(kernels.origin.rawValue))") }
        parts.append("data \(ProgressBar.duration(loadSeconds))")
        parts.append("training \(ProgressBar.duration(trainSeconds)) (\(history.epochs.count) epochs, \(Int(samplesPerSecond.rounded())) samples/s)")
        parts.append("test \(ProgressBar.duration(evaluationSeconds))")
        return "Time: " + parts.joined(separator: ", ")
    }

    /// The `--json` object.
    func json(reportPath: String, findings: [Finding] = []) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("backend", .string(backend)),
            ("device", .string(device)),
            ("dataset", .string(data.name)),
            ("task", .string(data.task.description)),
            ("epochs_run", .number(history.epochs.count)),
            ("test_loss", .number(evaluation.loss)),
            ("test_accuracy", .optional(evaluation.accuracy)),
        ]
        if let regression = evaluation.regression {
            members += [("test_mse", .number(regression.meanSquaredError)), ("test_mae", .number(regression.meanAbsoluteError)),
                        ("test_r2", .number(regression.coefficientOfDetermination))]
        }
        members += [
            ("history", .array(history.epochs.map { record in
                .object([
                    ("epoch", .number(record.epoch + 1)), ("loss", .number(record.loss)), ("accuracy", .optional(record.accuracy)),
                    ("val_loss", .optional(record.validationLoss)), ("val_accuracy", .optional(record.validationAccuracy)),
                    ("lr", .number(record.learningRate)), ("seconds", .number(record.seconds)),
                ])
            })),
            ("stop_reason", history.stopReason.map(JSONValue.string) ?? .null),
            ("train_seconds", .number(trainSeconds)),
            ("kernel_build_seconds", .optional(kernels?.seconds)),
            ("samples_per_second", .number(samplesPerSecond)),
            ("findings", .array(findings.map(\.json))),
            ("report", .string(reportPath)),
        ]
        return .object(members)
    }
}
