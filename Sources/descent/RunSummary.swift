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
        if let kernels {
            parts.append(
                "kernels \(ProgressBar.duration(kernels.seconds)) (\(kernels.origin.rawValue))")
        }
        parts.append("data \(ProgressBar.duration(loadSeconds))")
        parts.append(
            "training \(ProgressBar.duration(trainSeconds)) (\(history.epochs.count) epochs, \(Int(samplesPerSecond.rounded())) samples/s)"
        )
        parts.append("test \(ProgressBar.duration(evaluationSeconds))")
        return "Time: " + parts.joined(separator: ", ")
    }

    /// The `--json` object, as one line.
    func jsonText(reportPath: String, findings: [Finding] = []) throws -> String {
        try JSON.text(
            JSONForm(
                backend: backend, device: device, dataset: data.name, task: data.task.description,
                epochsRun: history.epochs.count,
                testLoss: JSONNullable(finite: evaluation.loss),
                testAccuracy: JSONNullable(finite: evaluation.accuracy),
                testMSE: evaluation.regression.map { JSONNullable(finite: $0.meanSquaredError) },
                testMAE: evaluation.regression.map { JSONNullable(finite: $0.meanAbsoluteError) },
                testR2: evaluation.regression.map {
                    JSONNullable(finite: $0.coefficientOfDetermination)
                },
                history: history.epochs.map(EpochLine.init),
                stopReason: JSONNullable(history.stopReason),
                trainSeconds: trainSeconds,
                kernelBuildSeconds: JSONNullable(finite: kernels?.seconds),
                samplesPerSecond: samplesPerSecond, findings: findings, report: reportPath))
    }

    /// The `--json` object's members; the regression members only for a regression.
    private struct JSONForm: Encodable {
        var backend, device, dataset, task: String
        var epochsRun: Int
        var testLoss, testAccuracy: JSONNullable<Double>
        var testMSE, testMAE, testR2: JSONNullable<Double>?
        var history: [EpochLine]
        var stopReason: JSONNullable<String>
        var trainSeconds: Double
        var kernelBuildSeconds: JSONNullable<Double>
        var samplesPerSecond: Double
        var findings: [Finding]
        var report: String

        enum CodingKeys: String, CodingKey {
            case backend, device, dataset, task, history, findings, report
            case epochsRun = "epochs_run"
            case testLoss = "test_loss"
            case testAccuracy = "test_accuracy"
            case testMSE = "test_mse"
            case testMAE = "test_mae"
            case testR2 = "test_r2"
            case stopReason = "stop_reason"
            case trainSeconds = "train_seconds"
            case kernelBuildSeconds = "kernel_build_seconds"
            case samplesPerSecond = "samples_per_second"
        }
    }

    /// One epoch of `--json`'s history, 1-based as the progress lines count.
    private struct EpochLine: Encodable {
        var epoch: Int
        var loss, accuracy, valLoss, valAccuracy, lr: JSONNullable<Double>
        var seconds: Double

        enum CodingKeys: String, CodingKey {
            case epoch, loss, accuracy, lr, seconds
            case valLoss = "val_loss"
            case valAccuracy = "val_accuracy"
        }

        init(_ record: EpochRecord) {
            epoch = record.epoch + 1
            loss = JSONNullable(finite: record.loss)
            accuracy = JSONNullable(finite: record.accuracy)
            valLoss = JSONNullable(finite: record.validationLoss)
            valAccuracy = JSONNullable(finite: record.validationAccuracy)
            lr = JSONNullable(finite: record.learningRate)
            seconds = record.seconds
        }
    }
}
