#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Descent
import Testing

struct FashionMNISTTests {
    /// The real files of Debian's `dataset-fashion-mnist`, which `make test` installs
    /// (scripts/install-deps.sh): this test fails rather than skips when they are missing.
    @Test func loadsDebiansFiles() throws {
        let start = monotonicSeconds()
        let fashion = try FashionMNIST.load()
        print("FashionMNIST.load(): \(monotonicSeconds() - start) s")
        let (train, test) = (fashion.train, fashion.test)
        #expect(train.sampleCount == 60_000 && test.sampleCount == 10_000)
        #expect(train.featureCount == 784 && test.featureCount == 784)
        #expect(train.classCounts == Array(repeating: 6_000, count: 10))
        #expect(test.classCounts == Array(repeating: 1_000, count: 10))
        #expect(
            train.classNames == FashionMNIST.classNames
                && test.classNames == FashionMNIST.classNames)
        #expect(
            FashionMNIST.classNames == [
                "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                "Bag", "Ankle boot",
            ])
        #expect(Array(train.classIndices!.prefix(10)) == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        #expect(Array(test.classIndices!.prefix(10)) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        // Pixels as p / 255: the first training image's bytes sum to 76,247; the whole training
        // set's to 3,431,114,169.
        var (minimum, maximum, total, firstImage) = (Float.infinity, -Float.infinity, 0.0, 0.0)
        train.features.withUnsafeBufferPointer { pixels in
            for index in pixels.indices {
                let value = pixels[index]
                minimum = min(minimum, value)
                maximum = max(maximum, value)
                let byte = (Double(value) * 255).rounded()
                total += byte
                if index < 784 { firstImage += byte }
            }
        }
        #expect(minimum == 0 && maximum == 1)
        #expect(firstImage == 76_247)
        #expect(total == 3_431_114_169)
    }

    @Test func missingFilesSayHowToInstallThem() throws {
        let directory = try DataTemporaryDirectory()
        expectDescentError(mentioning: [
            "FashionMNIST.load", directory.path, "train-images-idx3-ubyte.gz",
            "apt-get install dataset-fashion-mnist", "$DESCENT_DATA",
        ]) {
            _ = try FashionMNIST.load(directory: directory.path)
        }
    }

    @Test func searchesTheDataDirectoryFromTheEnvironment() {
        #expect(
            FashionMNIST.searchDirectories(directory: nil, environment: nil) == [
                "/usr/share/datasets/fashion-mnist"
            ])
        #expect(
            FashionMNIST.searchDirectories(directory: nil, environment: "") == [
                "/usr/share/datasets/fashion-mnist"
            ])
        #expect(
            FashionMNIST.searchDirectories(directory: nil, environment: "/data") == [
                "/data/fashion-mnist", "/data",
            ])
        #expect(
            FashionMNIST.searchDirectories(directory: "/mine", environment: "/data") == ["/mine"])
    }

    /// A miniature copy in the same format (3 training and 2 test images), plain and compressed.
    @Test func readsSmallFilesInTheSameFormat() throws {
        let directory = try DataTemporaryDirectory()
        let images = (0..<(5 * 784)).map { UInt8(truncatingIfNeeded: $0 * 7) }
        directory.write(
            "train-images-idx3-ubyte.gz",
            idxBytes(shape: [3, 28, 28], data: Array(images[..<(3 * 784)])), gzip: true)
        directory.write(
            "train-labels-idx1-ubyte.gz", idxBytes(shape: [3], data: [4, 0, 9]), gzip: true)
        directory.write(
            "t10k-images-idx3-ubyte",
            idxBytes(shape: [2, 28, 28], data: Array(images[(3 * 784)...])))
        directory.write("t10k-labels-idx1-ubyte", idxBytes(shape: [2], data: [1, 1]))

        let unit = try FashionMNIST.load(directory: directory.path)
        #expect(unit.train.sampleCount == 3 && unit.test.sampleCount == 2)
        #expect(unit.train.classIndices == [4, 0, 9] && unit.test.classIndices == [1, 1])
        #expect(unit.train.features == images[..<(3 * 784)].map { Float($0) / 255 })
        let raw = try FashionMNIST.load(directory: directory.path, pixels: .raw)
        #expect(raw.test.features == images[(3 * 784)...].map { Float($0) })
    }

    @Test func rejectsMismatchedOrCorruptFiles() throws {
        let directory = try DataTemporaryDirectory()
        let image = [UInt8](repeating: 3, count: 784)
        directory.write(
            "train-images-idx3-ubyte", idxBytes(shape: [2, 28, 28], data: image + image))
        directory.write("train-labels-idx1-ubyte", idxBytes(shape: [3], data: [0, 1, 2]))
        directory.write("t10k-images-idx3-ubyte", idxBytes(shape: [1, 28, 28], data: image))
        let badLabels = directory.write("t10k-labels-idx1-ubyte", idxBytes(shape: [1], data: [10]))
        expectDescentError(mentioning: ["2 images", "3 labels"]) {
            _ = try FashionMNIST.load(directory: directory.path)
        }
        directory.write("train-labels-idx1-ubyte", idxBytes(shape: [2], data: [0, 1]))
        expectDescentError(mentioning: [badLabels, "label 10", "outside 0...9"]) {
            _ = try FashionMNIST.load(directory: directory.path)
        }
        directory.write("t10k-labels-idx1-ubyte", idxBytes(shape: [1], data: [9]))
        directory.write("t10k-images-idx3-ubyte", idxBytes(shape: [1, 14, 56], data: image))
        expectDescentError(mentioning: ["14 x 56 pixels, not 28 x 28"]) {
            _ = try FashionMNIST.load(directory: directory.path)
        }
    }
}

/// Seconds on the monotonic clock.
private func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}
