import ArgumentParser
import Descent

/// One `descent train` on a backend: load, build, train, evaluate, write, report. In a
/// distributed job every rank runs it, training its share of each batch (`Trainer.communicator`);
/// rank 0 alone prints and writes the report, the weights and the checkpoints.
struct TrainingRun<B: Backend> {
    let command: TrainCommand
    let job: DistributedJob
    let backend: B
    let chosen: ChosenBackend

    private var console: Console {
        Console(json: command.json, quiet: command.quiet, muted: !job.isRoot)
    }

    func run() throws {
        if job.isDistributed {
            console.progress(
                "Distributed: \(job.description); each rank trains on its share of every batch of "
                    + "\(command.training.batchSize)"
                    + (command.syncBatchNorm
                        ? "" : "; batch norm per rank (--no-sync-batch-norm)"))
        }
        console.progress("Device: \(chosen.deviceDescription)")
        if case .cpu(_, let note?) = chosen { console.progress(note) }
        var kernels: KernelPreparation? = nil
        if case .openCL(let openCL) = chosen {
            kernels = try openCL.prepareKernels()
            console.progress("Kernels: \(kernels!); matmul \(openCL.tuning.matmulVariant)")
        }

        let artifacts = job.isRoot ? try RunArtifacts(directory: command.report) : nil
        let resumePath = RunArtifacts.resumePath(in: command.report)
        let loadStarted = monotonicSeconds()
        let data = try command.data.load()
        let loss = try command.model.loss.lossFunction(for: data.task)
        let loadSeconds = monotonicSeconds() - loadStarted
        console.progress(
            "Data: \(data.name), \(data.train.sampleCount) training, \(data.validation.sampleCount) validation, "
                + "\(data.test.sampleCount) test samples of \(data.train.featureCount) features; "
                + "\(data.task), \(loss) (\(ProgressBar.duration(loadSeconds)) to load)")

        let training = command.training
        let architecture = try command.model.architecture(
            input: data.train.sampleShape, task: data.task, seed: command.data.seed)
        let monitored = try training.monitoredQuantity(for: data.task)
        var setup = try TrainingSetup(
            training, architecture: architecture, inputShape: data.train.sampleShape,
            task: data.task, loss: loss, on: backend,
            monitored: monitored)
        let trainer = setup.trainer
        trainer.communicator = job.communicator
        trainer.model.dataParallel.synchronizesBatchNorm = command.syncBatchNorm
        console.progress(trainer.model.summary)
        console.progress(
            "Optimizer: \(setup.optimizer), schedule \(training.scheduleName), batch \(training.batchSize), up to \(training.epochs) epochs"
        )

        var findings: [Finding] = []
        if !job.isRoot {
            // Findings go to the report, which rank 0 writes.
        } else if command.sanityChecks {
            let started = monotonicSeconds()
            let sanity = try SanityChecks.run(
                architecture, inputShape: data.train.sampleShape, loss: loss, data: data.train,
                on: backend)
            console.progress(
                "Sanity checks (\(ProgressBar.duration(monotonicSeconds() - started))):")
            for finding in sanity { console.progress("  " + finding.line) }
            findings += sanity
        } else {
            // The data checks cost one pass over the features: they run even without the others.
            let dataFindings = SanityChecks.checkData(data.train, loss: loss)
            if !dataFindings.isEmpty { console.progress("Data checks:") }
            for finding in dataFindings { console.progress("  " + finding.line) }
            findings += dataFindings
        }

        let plateau = setup.callbacks.lazy.compactMap { $0 as? ReduceLROnPlateau }.first
        let resumed = try command.resume.map { _ in
            try TrainingCheckpoint.resume(
                from: resumePath, into: trainer, earlyStopping: setup.earlyStopping,
                plateau: plateau)
        }
        if let resumed {
            console.progress(
                "Resuming after epoch \(resumed.epochsDone) of \(training.epochs) from \(resumePath)"
            )
        }
        // Made after resuming: it starts from the model and the step count it will watch.
        let monitor =
            command.monitorEvery > 0
            ? try TrainingMonitor(trainer: trainer, interval: command.monitorEvery) {
                console.progress($0.line)
            } : nil
        if let monitor { setup.callbacks.append(monitor) }
        if let stopping = setup.earlyStopping { setup.callbacks.append(stopping) }
        // After the callbacks whose state it keeps, so it saves their state of each epoch.
        if let artifacts {
            setup.callbacks.append(
                TrainingCheckpoint(
                    path: artifacts.resumePath, earlyStopping: setup.earlyStopping,
                    plateau: plateau, resumed: resumed,
                    metadata: [TrainCommand.argumentsKey: try JSON.text(command.resumeArguments)]))
        }
        if let bar = console.progressBar(epochs: training.epochs) { setup.callbacks.append(bar) }
        let history = try trainer.fit(
            data.train, validation: data.validation, epochs: training.epochs,
            batchSize: training.batchSize,
            seed: command.data.seed, callbacks: setup.callbacks, resuming: resumed)
        if let reason = history.stopReason { console.progress(reason) }
        if job.isDistributed {
            let checksums = try trainer.parameterChecksums()
            guard Set(checksums).count == 1 else {
                throw DescentError.ranksDisagree(
                    what: "the trained parameters (checksums)",
                    values: checksums.map { String($0, radix: 16) })
            }
            console.progress(
                "Parameters identical on all \(checksums.count) ranks (checksum \(String(checksums[0], radix: 16)))"
            )
        }

        let diagnosis = Diagnosis.diagnose(
            history, monitor: monitor?.record,
            chanceLoss: try? SanityChecks.expectedInitialLoss(
                loss, data: data.train, outputs: data.task.outputFeatures
            ).atZeroOutput,
            classCount: data.train.classCount)
        findings +=
            (monitor?.findings ?? [])
            + diagnosis.filter { found in
                !(monitor?.findings ?? []).contains { $0.code == found.code }
            }
        console.progress(diagnosis.isEmpty ? "Diagnosis: nothing to report." : "Diagnosis:")
        for finding in diagnosis { console.progress("  " + finding.line) }

        let evaluationStarted = monotonicSeconds()
        let evaluation = try trainer.evaluate(data.test, batchSize: trainer.model.maxBatch)
        let evaluationSeconds = monotonicSeconds() - evaluationStarted
        let summary = RunSummary(
            backend: chosen.name, device: chosen.deviceDescription, data: data, history: history,
            evaluation: evaluation,
            kernels: kernels, loadSeconds: loadSeconds, evaluationSeconds: evaluationSeconds)
        console.results(summary.evaluation)
        console.result(summary.timeDescription)

        guard let artifacts else { return }
        try artifacts.write(
            trainer: trainer, summary: summary,
            details: RunArtifacts.Details(
                configuration: command.configuration(
                    task: data.task, loss: loss, monitored: monitored),
                monitor: monitor?.record, findings: findings),
            metadata: try command.rebuildMetadata)
        // The results are written: nothing is left to resume.
        FileIO.remove(artifacts.resumePath)
        console.result("Report: \(artifacts.indexPath)")
        console.result(
            "Weights: \(artifacts.weightsPath) (descent evaluate --weights \(artifacts.weightsPath))"
        )
        console.jsonObject(
            try summary.jsonText(reportPath: artifacts.indexPath, findings: findings))
    }
}
