import ArgumentParser
import Descent

/// Which data to learn from and what to learn: shared by `train` and `evaluate`.
struct DataOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "fashion-mnist, csv:PATH, spirals, moons or circles.",
            discussion: """
                fashion-mnist reads Debian's dataset-fashion-mnist (or DESCENT_DATA). csv:PATH reads a \
                CSV file with a header (plain or .gz): --label-column names the label, every other \
                column is a numeric feature; 20% of its rows (stratified by class) are the test set. \
                The generated 2-D sets need no download.
                """))
    var dataset = "fashion-mnist"

    @Option(
        name: .customLong("label-column"),
        help: "The CSV column that holds the labels (with --dataset csv:PATH).")
    var labelColumn: String?

    @Option(
        help: ArgumentHelp(
            "auto, binary, multiclass or regression.",
            discussion: """
                auto follows the labels: two classes train one sigmoid output with binary cross-entropy, \
                more classes a softmax output with cross-entropy, real-valued targets a linear output \
                with mean squared error.
                """))
    var task = "auto"

    @Option(help: "Seed of the weights, the shuffles, the splits and the dropout masks.")
    var seed: UInt64 = 42

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Standardize each feature with the training split's mean and standard deviation.",
            discussion: """
                --no-standardize feeds the features as they are: it plants unnormalized inputs on data \
                far from unit scale (Fashion-MNIST's pixels are 0-255), which the data check reports \
                as unnormalized-inputs.
                """))
    var standardize = true

    @Flag(
        name: .customLong("shuffle-labels"),
        help: ArgumentHelp(
            "Plant a fault: shuffle the training labels among the training samples (seeded).",
            discussion: """
                Validation and test keep their true labels. The model can still memorize the training \
                set, but nothing carries over: validation stays at chance (validation-at-chance).
                """))
    var shuffleLabels = false

    @Option(
        name: .customLong("train-subset"),
        help: ArgumentHelp(
            "Train on N samples of the training split, stratified by class and seeded by --seed.",
            discussion: """
                Validation and test are unchanged. With a large model and many epochs it plants \
                overfitting (e.g. --train-subset 200 --epochs 100 --patience 0).
                """))
    var trainSubset: Int?

    /// The data set split three ways, the training split cut to `--train-subset` and its labels
    /// shuffled when asked, then standardized with the training split's statistics unless
    /// `--no-standardize`.
    func load() throws -> PreparedData {
        var raw = try loadSplits()
        if let trainSubset {
            guard (1...raw.train.sampleCount).contains(trainSubset) else {
                throw usageError(
                    "--train-subset must be in 1...\(raw.train.sampleCount) (the training split of \(dataset)), got \(trainSubset)"
                )
            }
            raw.train = try raw.train.subset(count: trainSubset, seed: seed)
        }
        if shuffleLabels { raw.train = raw.train.shufflingLabels(seed: seed) }
        var train = raw.train, validation = raw.validation, test = raw.test
        var standardizer: Standardizer? = nil
        if standardize {
            let scaler = Standardizer(fittedOn: raw.train)
            train = try scaler.transform(raw.train)
            validation = try scaler.transform(raw.validation)
            test = try scaler.transform(raw.test)
            standardizer = scaler
        }
        return PreparedData(
            name: dataset, train: train, validation: validation, test: test,
            task: try resolvedTask(for: train),
            imageSide: dataset == "fashion-mnist" ? FashionMNIST.imageSide : nil, rawTest: raw.test,
            standardizer: standardizer)
    }

    private func loadSplits() throws -> (train: Dataset, validation: Dataset, test: Dataset) {
        switch dataset {
        case "fashion-mnist":
            let data = try FashionMNIST.load()
            let (train, validation) = try data.train.stratifiedSplit(
                validationFraction: 0.1, seed: seed)
            return (train, validation, data.test)
        case "spirals", "moons", "circles":
            let all =
                switch dataset {
                case "spirals":
                    try Dataset.spirals(sampleCount: 3000, classes: 2, noise: 0.02, seed: seed)
                case "moons": try Dataset.moons(sampleCount: 3000, noise: 0.1, seed: seed)
                default:
                    try Dataset.circles(sampleCount: 3000, noise: 0.05, factor: 0.5, seed: seed)
                }
            return try split(all)
        case let csv where csv.hasPrefix("csv:"):
            let path = String(csv.dropFirst(4))
            guard !path.isEmpty else {
                throw usageError("--dataset csv:PATH needs a path after 'csv:'")
            }
            guard let labelColumn else {
                throw usageError(
                    "--dataset \(dataset) needs --label-column NAME: the CSV column that holds the labels"
                )
            }
            let table = try CSVReader.read(path: path)
            let label: CSVReader.LabelColumn =
                switch task {
                case "regression": .targets([labelColumn])
                case "binary", "multiclass": .classes(labelColumn)
                default: try CSVReader.inferredLabel(column: labelColumn, in: table)
                }
            let all = try CSVReader.dataset(from: table, label: label)
            if let classCount = all.classCount, classCount < 2 {
                throw usageError(
                    "--label-column \(labelColumn) of \(path) holds one class ('\(all.classNames?.first ?? "?")') in all "
                        + "\(all.sampleCount) rows: a classifier needs at least two; use another label column, or --task regression"
                )
            }
            return try split(all)
        default:
            throw usageError(
                "unknown data set '\(dataset)'; use fashion-mnist, csv:PATH, spirals, moons or circles"
            )
        }
    }

    /// `--dataset` as stored in saved files: a CSV's path made absolute, so that `descent
    /// evaluate` finds it from any directory.
    var storedDataset: String {
        guard dataset.hasPrefix("csv:"), !dataset.hasPrefix("csv:/") else { return dataset }
        return "csv:" + FileIO.currentDirectory + "/" + dataset.dropFirst(4)
    }

    /// The options besides the data set's name that change what `load` returns, as arguments
    /// (for `descent evaluate` and the search's retraining command).
    var preparationArguments: [String] {
        var arguments: [String] = []
        if !standardize { arguments.append("--no-standardize") }
        if shuffleLabels { arguments.append("--shuffle-labels") }
        if let trainSubset { arguments += ["--train-subset", String(trainSubset)] }
        return arguments
    }

    /// 20% test and 10% validation, stratified by class when the labels are classes.
    private func split(
        _ all: Dataset
    ) throws -> (train: Dataset, validation: Dataset, test: Dataset) {
        if all.classCount != nil {
            return try all.stratifiedSplit(validationFraction: 0.1, testFraction: 0.2, seed: seed)
        }
        let (rest, test) = try all.randomSplit(validationFraction: 0.2, seed: seed)
        let (train, validation) = try rest.randomSplit(validationFraction: 0.125, seed: seed &+ 1)
        return (train, validation, test)
    }

    private func resolvedTask(for train: Dataset) throws -> LearningTask {
        let inferred = LearningTask.inferred(from: train)
        switch (task, inferred) {
        case ("auto", _), ("binary", .binaryClassification), ("regression", .regression):
            return inferred
        case ("multiclass", .binaryClassification), ("multiclass", .multiclassClassification):
            return .multiclassClassification(classes: train.classCount ?? 2)
        case ("binary", .multiclassClassification(let classes)):
            throw usageError(
                "--task binary needs two classes, but the labels have \(classes); use --task multiclass"
            )
        case ("binary", .regression), ("multiclass", .regression):
            throw usageError(
                "--task \(task) needs class labels, but the labels are real numbers; use --task regression"
            )
        case ("regression", _):
            throw usageError(
                "--task regression needs real-valued targets, but \(dataset) has class labels")
        default:
            throw usageError("unknown task '\(task)'; use auto, binary, multiclass or regression")
        }
    }
}

/// The three splits of a data set, standardized, and the task their labels call for.
struct PreparedData {
    let name: String
    let train: Dataset
    let validation: Dataset
    let test: Dataset
    let task: LearningTask
    /// The side of square grayscale images (Fashion-MNIST), for showing samples in the report.
    let imageSide: Int?
    /// The test set before standardization, for showing its samples as they were.
    let rawTest: Dataset
    /// The standardization fitted on the training split, nil with `--no-standardize`.
    let standardizer: Standardizer?

    /// What the saved weights say the inputs are: their names, and the standardization from the
    /// units a user's file holds. Fashion-MNIST's pixels are read as `p / 255`; the weights take
    /// them as the bytes 0...255 under Kaggle's CSV column names (`pixel1` ... `pixel784`), so
    /// that its `fashion-mnist_test.csv` predicts as it is.
    var savedInputs: (names: [String]?, standardization: ModelDescription.Standardization?) {
        guard name == "fashion-mnist" else {
            return (train.featureNames, standardizer.map(ModelDescription.Standardization.init))
        }
        let pixels = (1...train.featureCount).map { "pixel\($0)" }
        let unit = 255.0
        let standardization =
            standardizer.map {
                ModelDescription.Standardization(
                    mean: $0.mean.map { $0 * unit }, scale: $0.scale.map { $0 * unit })
            }
            ?? ModelDescription.Standardization(
                mean: Array(repeating: 0, count: train.featureCount),
                scale: Array(repeating: unit, count: train.featureCount))
        return (pixels, standardization)
    }
}

/// A usage mistake, for the one-line error the commands print.
func usageError(_ reason: String) -> DescentError {
    .invalidArgument(operation: "descent", reason: reason)
}

/// `parse` as an `@Option`'s transform: a usage error it throws reaches ArgumentParser as the
/// reason alone, which prints it after the option and the value it refused.
func optionValue<Value>(_ parse: @escaping (String) throws -> Value) -> (String) throws -> Value {
    { text in
        do {
            return try parse(text)
        } catch DescentError.invalidArgument(_, let reason) {
            throw ValidationError(reason)
        }
    }
}
