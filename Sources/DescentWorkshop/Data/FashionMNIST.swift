#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore
import DescentTraining

/// Fashion-MNIST [1]: 28 x 28 grayscale images of clothing in 10 classes, 60,000 for training and
/// 10,000 for testing, 6,000 and 1,000 per class.
///
/// The files are those of Debian's `dataset-fashion-mnist` package, installed under
/// `/usr/share/datasets/fashion-mnist`: `train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`,
/// `t10k-images-idx3-ubyte.gz` and `t10k-labels-idx1-ubyte.gz` (uncompressed files without `.gz`
/// are read too). Each image is one sample of 784 features, the pixels row by row; the labels are
/// class indices with `classNames`.
///
/// [1]: Xiao, Rasul & Vollgraf, "Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine
///      Learning Algorithms", arXiv:1708.07747, 2017.
public struct FashionMNIST: Sendable {
    /// The names of the 10 classes, in label order.
    public static let classNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
        "Ankle boot",
    ]

    /// Where Debian's `dataset-fashion-mnist` installs the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"

    /// The side of an image in pixels.
    public static let imageSide = 28

    /// How pixel intensities (bytes 0...255, 0 is the background) become feature values.
    public enum PixelValues: Sendable, Equatable {
        /// `p / 255`, in `[0, 1]`: the usual input scaling for a network.
        case unitInterval
        /// `p` itself, in `[0, 255]`: for a scaler fitted later (`Standardizer`, `MinMaxScaler`).
        case raw
    }

    /// The 60,000 training images.
    public let train: Dataset
    /// The 10,000 test images.
    public let test: Dataset

    /// Loads the training and test sets.
    ///
    /// The directory is the first of: `directory`; when `DESCENT_DATA` is set,
    /// `$DESCENT_DATA/fashion-mnist` or else `$DESCENT_DATA` itself; `defaultDirectory`.
    ///
    /// - Parameters:
    ///   - directory: The folder holding the four files, or nil to search as above.
    ///   - pixels: The scale of the feature values; `unitInterval` by default.
    /// - Throws: `DescentError.invalidArgument` when a file is missing (the message says to run
    ///   `apt-get install dataset-fashion-mnist` or to set `$DESCENT_DATA`), is corrupt or
    ///   truncated, or the images and labels do not match.
    public static func load(
        directory: String? = nil, pixels: PixelValues = .unitInterval
    ) throws -> FashionMNIST {
        let folder = try locate(directory: directory)
        return FashionMNIST(
            train: try split(in: folder, prefix: "train", pixels: pixels),
            test: try split(in: folder, prefix: "t10k", pixels: pixels))
    }

    /// The folders searched for the files, in order, given the `directory` argument and the
    /// value of `DESCENT_DATA` (nil when it is unset or empty).
    public static func searchDirectories(directory: String?, environment: String?) -> [String] {
        if let directory { return [directory] }
        if let root = environment, !root.isEmpty { return [root + "/fashion-mnist", root] }
        return [defaultDirectory]
    }

    private static let fileStems = [
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ]

    /// The first searched folder that holds all four files.
    private static func locate(directory: String?) throws -> String {
        let environment = getenv("DESCENT_DATA").map { String(cString: $0) }
        let candidates = searchDirectories(directory: directory, environment: environment)
        for folder in candidates where fileStems.allSatisfy({ file(stem: $0, in: folder) != nil }) {
            return folder
        }
        let missing = fileStems.filter { file(stem: $0, in: candidates[0]) == nil }
        throw DescentError.invalidArgument(
            operation: "FashionMNIST.load",
            reason: "the Fashion-MNIST files are not in \(candidates.joined(separator: " or ")) ("
                + "\(candidates[0]) lacks \(missing.map { $0 + ".gz" }.joined(separator: ", "))). "
                + "Install them with `apt-get install dataset-fashion-mnist` (into \(defaultDirectory)), "
                + "or set $DESCENT_DATA to a folder that holds them (directly or in fashion-mnist/)"
        )
    }

    /// The path of `stem.gz` or else `stem` in `folder`, if either exists.
    private static func file(stem: String, in folder: String) -> String? {
        for path in [folder + "/" + stem + ".gz", folder + "/" + stem] where access(path, R_OK) == 0
        {
            return path
        }
        return nil
    }

    /// The images and labels with file prefix `prefix` ("train" or "t10k") as a data set.
    private static func split(
        in folder: String, prefix: String, pixels: PixelValues
    ) throws -> Dataset {
        let imagesPath = file(stem: prefix + "-images-idx3-ubyte", in: folder)!
        let labelsPath = file(stem: prefix + "-labels-idx1-ubyte", in: folder)!
        let images = try IDXReader.readImages(path: imagesPath)
        let labels = try IDXReader.readLabels(path: labelsPath)
        let operation = "FashionMNIST.load"
        try DataValidation.require(
            images.shape[1] == imageSide && images.shape[2] == imageSide, operation,
            "\(imagesPath) holds images of \(images.shape[1]) x \(images.shape[2]) pixels, not 28 x 28"
        )
        try DataValidation.require(
            images.shape[0] == labels.count, operation,
            "\(imagesPath) holds \(images.shape[0]) images but \(labelsPath) \(labels.count) labels"
        )
        try DataValidation.require(images.shape[0] > 0, operation, "\(imagesPath) holds no images")
        if let bad = labels.firstIndex(where: { Int($0) >= classNames.count }) {
            throw DescentError.invalidArgument(
                operation: operation,
                reason:
                    "\(labelsPath) gives sample \(bad) the label \(labels[bad]), outside 0...9; is it corrupt?"
            )
        }
        let table = (0...255).map { pixels == .raw ? Float($0) : Float($0) / 255 }
        let features = [Float](unsafeUninitializedCapacity: images.bytes.count) { buffer, count in
            table.withUnsafeBufferPointer { table in
                images.bytes.withUnsafeBufferPointer { bytes in
                    for index in bytes.indices { buffer[index] = table[Int(bytes[index])] }
                }
            }
            count = images.bytes.count
        }
        return Dataset(
            unchecked: features,
            sampleShape: .image(channels: 1, height: imageSide, width: imageSide),
            labels: .classes(
                indices: labels.map { Int32($0) }, classCount: classNames.count, names: classNames),
            featureNames: nil)
    }
}
