import Descent
import Testing

struct IDXReaderTests {
    @Test(arguments: [false, true])
    func readsLabelsAndImages(gzip: Bool) throws {
        let directory = try DataTemporaryDirectory()
        let labels: [UInt8] = [3, 0, 9, 255, 7]
        let pixels = (0..<(4 * 3 * 2)).map { UInt8($0 * 10 % 256) }
        let labelsPath = directory.write("labels", idxBytes(shape: [5], data: labels), gzip: gzip)
        let imagesPath = directory.write(
            "images", idxBytes(shape: [4, 3, 2], data: pixels), gzip: gzip)

        #expect(try IDXReader.readLabels(path: labelsPath) == labels)
        let images = try IDXReader.readImages(path: imagesPath)
        #expect(images.shape == [4, 3, 2])
        #expect(images.bytes == pixels)
        #expect(try IDXReader.read(path: labelsPath) == IDXArray(shape: [5], bytes: labels))
    }

    @Test func readsMoreThanOneChunk() throws {
        let directory = try DataTemporaryDirectory()
        let count = (1 << 22) * 2 + 12_345
        let data = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let path = directory.write(
            "large.gz", idxBytes(shape: [count / 5, 5], data: Array(data[..<(count / 5 * 5)])),
            gzip: true)
        let array = try IDXReader.read(path: path)
        #expect(array.shape == [count / 5, 5])
        #expect(array.bytes == Array(data[..<(count / 5 * 5)]))
    }

    @Test func rejectsTheWrongNumberOfDimensions() throws {
        let directory = try DataTemporaryDirectory()
        let images = directory.write(
            "images", idxBytes(shape: [2, 2, 2], data: Array(repeating: 1, count: 8)))
        let labels = directory.write("labels", idxBytes(shape: [2], data: [1, 2]))
        expectDescentError(mentioning: [images, "one-dimensional"]) {
            _ = try IDXReader.readLabels(path: images)
        }
        expectDescentError(mentioning: [labels, "three-dimensional"]) {
            _ = try IDXReader.readImages(path: labels)
        }
    }

    @Test(arguments: [false, true])
    func rejectsCorruptAndTruncatedFiles(gzip: Bool) throws {
        let directory = try DataTemporaryDirectory()
        let good = idxBytes(shape: [3, 2, 2], data: Array(repeating: 7, count: 12))
        let cases: [(name: String, bytes: [UInt8], mentions: [String])] = [
            ("empty", [], ["truncated", "magic number"]),
            ("short-magic", [0, 0], ["truncated", "magic number"]),
            ("not-idx", Array("P5 28 28\n".utf8), ["IDX magic number", "0x50 0x35"]),
            (
                "floats", idxBytes(shape: [2], data: [0, 0, 0, 0, 0, 0, 0, 0], type: 0x0D),
                ["IDX type 0x0d", "unsigned bytes"]
            ),
            ("no-dimensions", [0, 0, 8, 0], ["0 dimensions"]),
            ("short-header", Array(good[..<10]), ["truncated", "dimensions"]),
            ("short-data", Array(good.dropLast(5)), ["truncated", "declares 12 bytes", "holds 7"]),
            ("trailing", good + [1, 2], ["bytes after the 12 bytes"]),
            ("huge", idxBytes(shape: [1 << 20, 1 << 20, 1 << 10], data: []), ["too large"]),
        ]
        for (name, bytes, mentions) in cases {
            let path = directory.write(name, bytes, gzip: gzip)
            expectDescentError(mentioning: [path] + mentions) { _ = try IDXReader.read(path: path) }
        }
    }

    @Test func rejectsACorruptGzipStream() throws {
        let directory = try DataTemporaryDirectory()
        let data = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }
        directory.write("whole.gz", idxBytes(shape: [5000], data: data), gzip: true)
        let compressed = try #require(directory.contents(of: "whole.gz"))

        // A gzip header followed by bytes that are not a deflate stream.
        var garbled = compressed
        for index in 10..<garbled.count { garbled[index] = UInt8(truncatingIfNeeded: index &* 31) }
        let garbledPath = directory.write("garbled.gz", garbled)
        expectDescentError(mentioning: [garbledPath]) { _ = try IDXReader.read(path: garbledPath) }

        // The compressed stream cut in the middle.
        let cutPath = directory.write("cut.gz", Array(compressed[..<(compressed.count / 2)]))
        expectDescentError(mentioning: [cutPath]) { _ = try IDXReader.read(path: cutPath) }
    }

    @Test func rejectsAMissingFileAndADirectory() throws {
        let directory = try DataTemporaryDirectory()
        let missing = directory.path + "/absent.gz"
        expectDescentError(mentioning: ["cannot open", missing, "No such file"]) {
            _ = try IDXReader.read(path: missing)
        }
        expectDescentError(mentioning: [directory.path, "not a regular file"]) {
            _ = try IDXReader.read(path: directory.path)
        }
    }
}
