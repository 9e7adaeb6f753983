import DescentCore
import DescentTraining

/// An array read from an IDX file: its dimensions and its unsigned bytes, row-major.
public struct IDXArray: Sendable, Equatable {
    /// The dimensions, outermost first: `[N]` for labels, `[N, rows, columns]` for images.
    public let shape: [Int]
    /// The `shape.reduce(1, *)` values, row-major (the last dimension varies fastest).
    public let bytes: [UInt8]

    public init(shape: [Int], bytes: [UInt8]) {
        self.shape = shape
        self.bytes = bytes
    }
}

/// Reads IDX files, the format of MNIST and Fashion-MNIST [1], plain or gzip-compressed.
///
/// An IDX file is a big-endian header and the data: the magic number `0x0000TTNN` (two zero bytes,
/// the element type `TT` and the dimension count `NN`), then `NN` 32-bit big-endian dimensions,
/// then the elements, row-major. Only unsigned bytes (`TT = 0x08`) are read, which is what the
/// MNIST files hold: labels have the magic `0x00000801` (`[N]`) and images `0x00000803`
/// (`[N, rows, columns]`).
///
/// Files go through zlib's `gzopen` / `gzread`, which decompress a gzip file and pass any other
/// file through unchanged, so `train-images-idx3-ubyte.gz` and `train-images-idx3-ubyte` read the
/// same. The data are read in chunks of a few MiB into one array.
///
/// [1]: LeCun, Cortes & Burges, "The MNIST database of handwritten digits",
///      http://yann.lecun.com/exdb/mnist/ (the file format section).
public enum IDXReader {
    /// The IDX element type code of unsigned bytes.
    public static let unsignedByteType: UInt8 = 0x08

    /// Reads an IDX file of unsigned bytes with any number of dimensions.
    ///
    /// - Parameter path: A plain or gzip-compressed IDX file.
    /// - Throws: `DescentError.invalidArgument` naming the file when it is missing or unreadable,
    ///   is not IDX (a bad magic number), holds another element type than unsigned bytes, is
    ///   truncated (fewer elements than its dimensions say), has bytes after its data, or is a
    ///   corrupt gzip stream.
    public static func read(path: String) throws -> IDXArray {
        let file = try GzipFile(path: path, operation: "IDXReader")
        defer { file.close() }
        let magic = try file.readExactly(4, what: "the magic number")
        guard magic[0] == 0, magic[1] == 0 else {
            throw file.error(
                "does not start with an IDX magic number (its first bytes are "
                    + "\(magic.map { hex($0) }.joined(separator: " "))); is it an IDX file?")
        }
        guard magic[2] == unsignedByteType else {
            throw file.error(
                "holds elements of IDX type \(hex(magic[2])); only unsigned bytes (0x08) are supported"
            )
        }
        let dimensionCount = Int(magic[3])
        guard dimensionCount >= 1 else { throw file.error("declares 0 dimensions") }
        let header = try file.readExactly(
            4 * dimensionCount, what: "the \(dimensionCount) dimensions")
        var shape = [Int]()
        var elementCount = 1
        for dimension in 0..<dimensionCount {
            let size = header[4 * dimension..<4 * dimension + 4].reduce(0) { $0 << 8 | Int($1) }
            let product = elementCount.multipliedReportingOverflow(by: size)
            guard !product.overflow, product.partialValue <= maximumElementCount else {
                throw file.error("declares dimensions too large to read (\(shape + [size]))")
            }
            shape.append(size)
            elementCount = product.partialValue
        }
        let data = try file.readAll(expected: elementCount, what: "data")
        return IDXArray(shape: shape, bytes: data)
    }

    /// Reads an IDX file of labels: magic `0x00000801`, shape `[N]`.
    ///
    /// - Throws: `DescentError.invalidArgument` as `read(path:)`, or when the file is not one-dimensional.
    public static func readLabels(path: String) throws -> [UInt8] {
        let array = try read(path: path)
        guard array.shape.count == 1 else {
            throw DescentError.invalidArgument(
                operation: "IDXReader",
                reason:
                    "\(path) holds an array of shape \(array.shape), but labels must be one-dimensional "
                    + "(magic number 0x00000801)")
        }
        return array.bytes
    }

    /// Reads an IDX file of images: magic `0x00000803`, shape `[N, rows, columns]`.
    ///
    /// - Throws: `DescentError.invalidArgument` as `read(path:)`, or when the file is not three-dimensional.
    public static func readImages(path: String) throws -> IDXArray {
        let array = try read(path: path)
        guard array.shape.count == 3 else {
            throw DescentError.invalidArgument(
                operation: "IDXReader",
                reason:
                    "\(path) holds an array of shape \(array.shape), but images must be three-dimensional "
                    + "(magic number 0x00000803)")
        }
        return array
    }

    /// The largest number of elements read from one file (16 GiB), so that a corrupt header
    /// cannot make the reader try to allocate an absurd amount of memory.
    static let maximumElementCount = 1 << 34

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return "0x" + (digits.count == 1 ? "0" + digits : digits)
    }
}
