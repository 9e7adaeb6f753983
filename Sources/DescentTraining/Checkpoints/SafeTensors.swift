import DescentCore

/// One float32 tensor of a safetensors file: its name, shape and values (row-major).
public struct SafeTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        self.name = name
        self.shape = shape
        self.values = values
    }

    /// The same tensor under another name.
    public func renamed(_ newName: String) -> SafeTensor {
        SafeTensor(name: newName, shape: shape, values: values)
    }
}

/// What is wrong with a safetensors file; `description` says it in a sentence.
public enum SafeTensorsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file ends before the header length, the header or the data it announces.
    case truncated(expected: Int, actual: Int)
    /// The header is over the 100 MB the format allows.
    case headerTooLarge(Int)
    /// The bytes are not a safetensors file at all (another kind of file, or noise); the string
    /// says what they look like, when that is known.
    case notSafeTensors(String)
    /// The header is not valid UTF-8 JSON of the expected structure.
    case invalidHeader(String)
    /// A dtype other than "F32".
    case unsupportedDType(tensor: String, dtype: String)
    /// `data_offsets` that run backwards, out of the data, or disagree with the shape.
    case invalidOffsets(tensor: String, reason: String)
    /// Two tensors share bytes, or bytes belong to no tensor.
    case overlappingOrGap(String)
    /// A tensor that cannot be written (shape and value count disagree, duplicate name).
    case invalidTensor(tensor: String, reason: String)
    /// The file could not be read or written.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .truncated(let expected, let actual):
            return
                "the safetensors file is truncated: it needs \(expected) bytes but has \(actual); write it again"
        case .headerTooLarge(let size):
            return "the safetensors header of \(size) bytes is over the 100 MB limit"
        case .notSafeTensors(let looksLike):
            return
                "this is not a safetensors file\(looksLike.isEmpty ? "" : " (it looks like \(looksLike))"): "
                + "it does not start with a header length and a JSON header; pass the model.safetensors that descent train wrote"
        case .invalidHeader(let reason): return "the safetensors header is corrupt: \(reason)"
        case .unsupportedDType(let tensor, let dtype):
            return "tensor '\(tensor)' has dtype \(dtype); Descent reads only F32"
        case .invalidOffsets(let tensor, let reason):
            return "tensor '\(tensor)' has bad data_offsets: \(reason)"
        case .overlappingOrGap(let reason):
            return "the safetensors data layout is invalid: \(reason)"
        case .invalidTensor(let tensor, let reason):
            return "tensor '\(tensor)' cannot be stored: \(reason)"
        case .io(let path, let reason): return "\(path): \(reason)"
        }
    }
}

/// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
/// header length N, N bytes of JSON header (padded with spaces to a multiple of 8) mapping each
/// tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets relative to the
/// data) plus an optional `"__metadata__"` map of strings, then the little-endian data.
/// Only float32 ("F32") tensors are written and read. Parsing is strict: every structural fault
/// is a `SafeTensorsError`.
public struct SafeTensorsFile: Sendable, Equatable {
    /// The tensors, in data order.
    public var tensors: [SafeTensor]
    public var metadata: [String: String]

    public static let maximumHeaderSize = 100_000_000

    public init(tensors: [SafeTensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The tensor named `name`, if any.
    public subscript(name: String) -> SafeTensor? { tensors.first { $0.name == name } }

    // MARK: Writing

    /// The file's bytes.
    public func encoded() throws -> [UInt8] {
        var entries: [String: SafeTensorsHeader.Entry] = [:]
        var offset = 0
        for tensor in tensors {
            guard tensor.name != SafeTensorsHeader.metadataKey, entries[tensor.name] == nil else {
                throw SafeTensorsError.invalidTensor(
                    tensor: tensor.name, reason: "the name is reserved or used twice")
            }
            guard tensor.shape.allSatisfy({ $0 >= 0 }),
                tensor.shape.reduce(1, *) == tensor.values.count
            else {
                throw SafeTensorsError.invalidTensor(
                    tensor: tensor.name,
                    reason: "shape \(tensor.shape) does not hold \(tensor.values.count) values")
            }
            let end = offset + 4 * tensor.values.count
            entries[tensor.name] = SafeTensorsHeader.Entry(
                dtype: "F32", shape: tensor.shape, dataOffsets: [offset, end])
            offset = end
        }
        var header = Array(
            try JSON.text(SafeTensorsHeader(tensors: entries, metadata: metadata)).utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        let length = UInt64(header.count)
        for shift in stride(from: 0, to: 64, by: 8) {
            bytes.append(UInt8(truncatingIfNeeded: length >> UInt64(shift)))
        }
        bytes += header
        for tensor in tensors { appendLittleEndian(tensor.values, to: &bytes) }
        return bytes
    }

    /// Writes the file atomically: to a temporary file in the same directory, flushed and
    /// `fsync`ed, then renamed over `path`; a failure leaves any previous file untouched.
    public func write(to path: String) throws {
        try writeAtomically(try encoded(), to: path)
    }

    // MARK: Reading

    /// What a file that is not safetensors looks like, from its first bytes ("" when unknown).
    static func kind(of bytes: [UInt8]) -> String {
        let signatures: [([UInt8], String)] = [
            ([0x89, 0x50, 0x4E, 0x47], "a PNG image"), ([0x1F, 0x8B], "a gzip file"),
            ([0x50, 0x4B, 0x03, 0x04], "a zip archive (a PyTorch .pt?)"),
            ([0x80], "a Python pickle (a PyTorch .pt or .bin?)"),
            ([0x7F, 0x45, 0x4C, 0x46], "an executable"),
            ([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59], "a NumPy .npy file"),
            ([0x89, 0x48, 0x44, 0x46], "an HDF5 file (a Keras .h5?)"),
        ]
        if let (_, name) = signatures.first(where: { bytes.starts(with: $0.0) }) { return name }
        let head = bytes.prefix(256)
        if !head.isEmpty,
            head.allSatisfy({ $0 == 9 || $0 == 10 || $0 == 13 || (32..<127).contains($0) })
        {
            return "a text file"
        }
        return ""
    }

    /// Parses a file's bytes.
    public init(decoding bytes: [UInt8]) throws {
        guard bytes.count >= 8 else {
            throw SafeTensorsError.truncated(expected: 8, actual: bytes.count)
        }
        let length = bytes[0..<8].enumerated().reduce(UInt64(0)) {
            $0 | UInt64($1.element) << UInt64(8 * $1.offset)
        }
        // A header always opens with '{': anything else is another kind of file, not a damaged
        // safetensors one (a PNG's first 8 bytes read as a length of 7e17).
        guard bytes.count > 8, bytes[8] == UInt8(ascii: "{") else {
            throw SafeTensorsError.notSafeTensors(Self.kind(of: bytes))
        }
        guard length <= UInt64(Self.maximumHeaderSize) else {
            throw SafeTensorsError.headerTooLarge(Int(clamping: length))
        }
        let headerEnd = 8 + Int(length)
        guard headerEnd <= bytes.count else {
            throw SafeTensorsError.truncated(expected: headerEnd, actual: bytes.count)
        }
        let header: SafeTensorsHeader
        do {
            header = try JSON.decode(SafeTensorsHeader.self, from: bytes[8..<headerEnd])
        } catch let error as SafeTensorsError {
            throw error
        } catch {
            throw SafeTensorsError.invalidHeader(JSON.reason(error))
        }
        let dataCount = bytes.count - headerEnd

        var layout: [(name: String, shape: [Int], begin: Int, end: Int)] = []
        for (name, entry) in header.tensors {
            let (dtype, shape, offsets) = (entry.dtype, entry.shape, entry.dataOffsets)
            guard dtype == "F32" else {
                throw SafeTensorsError.unsupportedDType(tensor: name, dtype: dtype)
            }
            guard offsets.count == 2, offsets[0] <= offsets[1] else {
                throw SafeTensorsError.invalidOffsets(
                    tensor: name, reason: "\(offsets) is not [begin, end] with begin <= end")
            }
            let (count, overflow) = shape.reduce((1, false)) { partial, dimension in
                let (product, over) = partial.0.multipliedReportingOverflow(by: dimension)
                return (product, partial.1 || over)
            }
            let tooMany = overflow || count > Int.max / 4 || shape.contains { $0 < 0 }
            guard offsets[0] >= 0, !tooMany, offsets[1] - offsets[0] == 4 * count else {
                throw SafeTensorsError.invalidOffsets(
                    tensor: name,
                    reason:
                        "\(offsets) does not hold the shape \(shape) (\(tooMany ? "too many or negative sizes" : "\(4 * count) bytes"))"
                )
            }
            layout.append((name, shape, offsets[0], offsets[1]))
        }
        layout.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var position = 0
        for entry in layout {
            guard entry.begin >= position else {
                throw SafeTensorsError.overlappingOrGap(
                    "tensor '\(entry.name)' at \(entry.begin) overlaps the one before, which ends at \(position)"
                )
            }
            guard entry.begin == position else {
                throw SafeTensorsError.overlappingOrGap(
                    "bytes \(position)..<\(entry.begin) belong to no tensor")
            }
            position = entry.end
        }
        guard position <= dataCount else {
            throw SafeTensorsError.truncated(expected: headerEnd + position, actual: bytes.count)
        }
        guard position == dataCount else {
            throw SafeTensorsError.overlappingOrGap(
                "\(dataCount - position) bytes after the last tensor belong to no tensor")
        }
        tensors = layout.map { entry in
            SafeTensor(
                name: entry.name, shape: entry.shape,
                values: readLittleEndian(
                    bytes, from: headerEnd + entry.begin, count: (entry.end - entry.begin) / 4))
        }
        metadata = header.metadata
    }

    /// Reads and parses the file at `path`.
    public init(contentsOf path: String) throws {
        try self.init(decoding: try readWholeFile(path))
    }

    /// Reads and parses the file at `path` for `operation`, its faults as the library's errors.
    /// - Throws: `DescentError.invalidArgument` naming `path` and what is wrong with it.
    init(contentsOf path: String, for operation: String) throws {
        do {
            try self.init(contentsOf: path)
        } catch let error as SafeTensorsError {
            throw DescentError.invalidArgument(
                operation: operation, reason: "\(path): \(error.description)")
        }
    }
}

// MARK: - Bytes and files

private func appendLittleEndian(_ values: [Float], to bytes: inout [UInt8]) {
    #if _endian(little)
    values.withUnsafeBytes { bytes.append(contentsOf: $0) }
    #else
    for value in values {
        let bits = value.bitPattern
        for shift in stride(from: 0, to: 32, by: 8) {
            bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift)))
        }
    }
    #endif
}

private func readLittleEndian(_ bytes: [UInt8], from start: Int, count: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        bytes.withUnsafeBytes { raw in
            for index in 0..<count {
                let bits = raw.loadUnaligned(fromByteOffset: start + 4 * index, as: UInt32.self)
                buffer[index] = Float(bitPattern: UInt32(littleEndian: bits))
            }
        }
        initialized = count
    }
}

/// The whole file at `path`.
/// - Throws: `SafeTensorsError.io` naming the file and what failed.
private func readWholeFile(_ path: String) throws -> [UInt8] {
    do { return try FileIO.read(path) } catch {
        throw SafeTensorsError.io(path: error.path, reason: error.reason)
    }
}

/// `FileIO.writeAtomically`, whose failure is a `SafeTensorsError.io`.
private func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    do { try FileIO.writeAtomically(bytes, to: path) } catch {
        throw SafeTensorsError.io(path: error.path, reason: error.reason)
    }
}
