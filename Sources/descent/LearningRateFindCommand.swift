import ArgumentParser
import Descent

/// `descent lr-find`: the learning-rate range test, with the loss-against-rate curve in a report.
struct LearningRateFindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lr-find",
        abstract: "Sweep the learning rate exponentially over a few hundred steps and suggest one.",
        discussion: """
            A fresh model trains while the rate grows from --min to --max; the run stops when the \
            smoothed loss passes 4 times its best. The suggestion is where the smoothed loss falls \
            fastest (else the rate of its minimum over 10). Smith, WACV 2017; fast.ai's lr_find.
            """
    )

    @OptionGroup(title: "Data") var data: DataOptions
    @OptionGroup(title: "Model") var model: ModelOptions
    @OptionGroup(title: "Training") var training: TrainingOptions
    @OptionGroup(title: "Device") var device: BackendOptions

    @Option(help: "The smallest learning rate of the sweep.")
    var min = 1e-6
    @Option(help: "The largest learning rate of the sweep.")
    var max = 10.0
    @Option(help: "Steps of the sweep.")
    var steps = 200
    @Option(help: "Directory for the report (index.html with the curve).")
    var report = "descent-lr-find"

    func run() throws {
        try reportingFailures {
            if let schedule = training.schedule {
                throw usageError(
                    "lr-find sweeps the learning rate itself, so --schedule \(schedule) would have no effect; leave it out"
                )
            }
            if let lr = training.lr {
                throw usageError(
                    "lr-find sweeps the learning rate from --min to --max, so --lr \(lr) would have no effect; leave it out"
                )
            }
            try training.check()
            guard min > 0, max > min, steps >= 2 else {
                throw usageError(
                    "lr-find needs 0 < --min < --max and --steps >= 2, got \(min), \(max), \(steps)"
                )
            }
            guard steps <= LearningRateFinder.maximumSteps else {
                throw usageError(
                    "--steps must be at most \(LearningRateFinder.maximumSteps) (a range test takes a few hundred), got \(steps)"
                )
            }
            try ReportDirectory.create(report)
            switch try device.choose() {
            case .openCL(let backend):
                try sweep(on: backend, device: ChosenBackend.openCL(backend).deviceDescription)
            case .cpu(let backend, let note):
                if let note { StandardError.line(note) }
                try sweep(on: backend, device: backend.deviceName)
            }
        }
    }

    private func sweep<B: Backend>(on backend: B, device: String) throws {
        let prepared = try data.load()
        let curve = try LearningRateFinder(minimum: min, maximum: max, steps: steps).run(
            try model.architecture(
                input: prepared.train.sampleShape, task: prepared.task, seed: data.seed),
            inputShape: prepared.train.sampleShape,
            loss: try model.loss.lossFunction(for: prepared.task),
            optimizer: try training.makeOptimizer(), data: prepared.train,
            batchSize: training.batchSize, on: backend, seed: data.seed)
        StandardOutput.line(
            "Swept \(curve.learningRates.count) steps from \(ProgressBar.format(min)) on \(device)."
        )
        if let steepest = curve.steepest {
            StandardOutput.line(
                "Steepest descent of the smoothed loss at lr \(ProgressBar.format(steepest))")
        }
        if let minimum = curve.minimumOverTen {
            StandardOutput.line(
                "Minimum of the smoothed loss / 10: lr \(ProgressBar.format(minimum))")
        }
        let suggestion = curve.suggestion.map {
            "Suggested learning rate: \(ProgressBar.format($0)) (descent train --optimizer \(training.optimizer) --lr \(ProgressBar.format($0)))"
        }
        StandardOutput.line(
            suggestion
                ?? "No suggestion: the loss never fell; check the data and the model first (descent gradcheck)."
        )

        let chart = LineChart(
            title: "Loss against learning rate", xTitle: "learning rate", yTitle: "batch loss",
            series: [
                LineSeries(
                    name: "loss",
                    points: zip(curve.learningRates, curve.losses).map { PlotPoint(x: $0, y: $1) },
                    style: .dashed),
                LineSeries(
                    name: "smoothed",
                    points: zip(curve.learningRates, curve.smoothedLosses).map {
                        PlotPoint(x: $0, y: $1)
                    }),
            ],
            xScale: .logarithmic, integerX: false, yDomain: curve.usefulLossRange,
            marker: curve.suggestion.map {
                VerticalMarker(x: $0, label: "suggested \(ProgressBar.format($0))")
            })
        var facts: [(key: String, value: String)] = [
            ("device", device), ("optimizer", training.optimizer.description),
            ("batch size", String(training.batchSize)),
            ("steps", String(curve.learningRates.count)),
        ]
        if let steepest = curve.steepest {
            facts.append(("steepest descent", ProgressBar.format(steepest)))
        }
        if let minimum = curve.minimumOverTen {
            facts.append(("minimum / 10", ProgressBar.format(minimum)))
        }
        let page = HTMLPage(
            title: "Learning-rate range test: \(prepared.name)", subtitle: suggestion,
            sections: [
                PageSection("Curve", [.chart(chart)]), PageSection("Run", [.keyValues(facts)]),
            ])
        try ReportDirectory.write([("index.html", page.render())], to: report)
        StandardOutput.line("Report: \(report)/index.html")
    }
}
