#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DescentCore

/// The shapes every op is tested on: 1, primes and non-multiples of every tile size (DESIGN.md §6).
///
/// With `DESCENT_REDUCED_SHAPES=1` (the oclgrind run, which simulates every work-item and is
/// ~100x slower) a smaller set that still covers 1, partial tiles and several work-groups is used.
public enum ParityShapes {
    /// Whether the reduced set is in force.
    public static let reduced: Bool = {
        guard let value = getenv("DESCENT_REDUCED_SHAPES") else { return false }
        return !["", "0", "false"].contains(String(cString: value))
    }()

    /// Matrix shapes for row-wise, column-wise and elementwise ops.
    public static var matrices: [MatrixShape] {
        reduced
            ? [
                MatrixShape(rows: 1, columns: 1), MatrixShape(rows: 7, columns: 33),
                MatrixShape(rows: 3, columns: 130),
                MatrixShape(rows: 33, columns: 65), MatrixShape(rows: 1, columns: 257),
            ]
            : [
                MatrixShape(rows: 1, columns: 1), MatrixShape(rows: 1, columns: 7),
                MatrixShape(rows: 7, columns: 1),
                MatrixShape(rows: 33, columns: 33), MatrixShape(rows: 127, columns: 7),
                MatrixShape(rows: 257, columns: 65),
                MatrixShape(rows: 65, columns: 257), MatrixShape(rows: 2, columns: 1031),
            ]
    }

    /// Element counts for flat ops (elementwise, random fills).
    public static var counts: [Int] {
        reduced ? [1, 7, 130, 257] : [1, 7, 33, 127, 257 * 65, 100_003]
    }

    /// Batches for the training ops (issue: N in 1, 2, 7, 129, 1000; C in 1, 3, 10, 257). Batch
    /// norm skips N = 1, where training mode is an error.
    public static var batches: [MatrixShape] {
        reduced
            ? [
                MatrixShape(rows: 1, columns: 3), MatrixShape(rows: 2, columns: 10),
                MatrixShape(rows: 7, columns: 257),
                MatrixShape(rows: 129, columns: 1),
            ]
            : [1, 2, 7, 129, 1000].flatMap { rows in
                [1, 3, 10, 257].map { MatrixShape(rows: rows, columns: $0) }
            }
    }

    /// `(m, n, k)` for matmul; each is run in all four transpose combinations.
    public static var matmul: [(m: Int, n: Int, k: Int)] {
        reduced
            ? [(1, 1, 1), (7, 33, 5), (33, 7, 40), (33, 65, 17), (65, 1, 33)]
            : [
                (1, 1, 1), (1, 7, 33), (7, 1, 127), (33, 33, 33), (127, 7, 1), (257, 65, 33),
                (65, 257, 127), (1, 257, 65), (128, 128, 128), (100, 37, 257), (129, 70, 10),
            ]
    }

    /// Convolutions over the awkward sizes: images of 1, 3, 7, 28 and 33, kernels of 1, 3
    /// and 5, strides 1 and 2, paddings 0, 1 and 2 (every combination whose kernel fits the
    /// padded image), with batches and channel counts (1, 2, 3, 5, 17) that are multiples of no
    /// tile. The reduced set keeps images up to 7 and every kernel, stride and padding.
    public static var convolutions: [ConvolutionShape] {
        let sizes = reduced ? [1, 3, 7] : [1, 3, 7, 28, 33]
        var shapes: [ConvolutionShape] = [], index = 0
        for size in sizes {
            for kernel in [1, 3, 5] {
                for stride in [1, 2] {
                    for padding in [0, 1, 2] where kernel <= size + 2 * padding {
                        // Large images take few channels, so that the CPU's textbook matmul stays quick.
                        let channels = size >= 28 ? [1, 3, 2] : [1, 3, 5, 17, 2]
                        shapes.append(
                            ConvolutionShape(
                                batch: [1, 2, 3][index % 3],
                                inputChannels: channels[index % channels.count],
                                inputHeight: size, inputWidth: size + index % 2,
                                outputChannels: channels[(index + 1) % channels.count],
                                kernelHeight: kernel, kernelWidth: kernel, stride: stride,
                                padding: padding))
                        index += 1
                    }
                }
            }
        }
        return shapes
    }

    /// Poolings: windows of 1, 2, 3 and the whole image (global average), strides 1, 2 and 3
    /// (overlapping windows, windows that leave rows out), over images of 1, 3, 7, 28 and 33.
    public static var poolings: [PoolingShape] {
        let sizes = reduced ? [1, 3, 7] : [1, 3, 7, 28, 33]
        var shapes: [PoolingShape] = [], index = 0
        for size in sizes {
            for (window, stride) in [(1, 1), (2, 2), (3, 2), (2, 1), (3, 3), (size, 1)]
            where window <= size {
                shapes.append(
                    PoolingShape(
                        batch: [1, 2, 3][index % 3], channels: [1, 3, 5][index % 3],
                        height: size, width: max(window, size - index % 2),
                        windowHeight: window, windowWidth: window, stride: stride))
                index += 1
            }
        }
        return shapes
    }

    /// Batch norm over the channels of NCHW images.
    public static var channelBatches: [ChannelShape] {
        reduced
            ? [
                ChannelShape(batch: 2, channels: 3, spatial: 7),
                ChannelShape(batch: 1, channels: 2, spatial: 9),
            ]
            : [
                ChannelShape(batch: 2, channels: 3, spatial: 49),
                ChannelShape(batch: 1, channels: 17, spatial: 9),
                ChannelShape(batch: 7, channels: 5, spatial: 784),
                ChannelShape(batch: 33, channels: 1, spatial: 1),
            ]
    }
}
