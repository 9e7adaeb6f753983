/// A safetensors file's JSON header: each tensor's entry by name, and the optional
/// `"__metadata__"` map of strings. Decoding is strict: a field other than `dtype`, `shape` and
/// `data_offsets`, or metadata that is not a string, is a `SafeTensorsError.invalidHeader`.
struct SafeTensorsHeader: Codable, Equatable {
    /// Where one tensor's bytes are, and what they hold.
    struct Entry: Codable, Equatable {
        var dtype: String
        var shape: [Int]
        /// `[begin, end)` in bytes, relative to the start of the data.
        var dataOffsets: [Int]

        enum CodingKeys: String, CodingKey, CaseIterable {
            case dtype, shape
            case dataOffsets = "data_offsets"
        }

        init(dtype: String, shape: [Int], dataOffsets: [Int]) {
            self.dtype = dtype
            self.shape = shape
            self.dataOffsets = dataOffsets
        }

        init(from decoder: any Decoder) throws {
            let name = decoder.codingPath.last?.stringValue ?? "?"
            let keys = try decoder.container(keyedBy: JSONKey.self).allKeys.map(\.stringValue)
            if let unexpected = keys.first(where: { CodingKeys(rawValue: $0) == nil }) {
                throw SafeTensorsError.invalidHeader(
                    "tensor '\(name)' has an unexpected field '\(unexpected)'")
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            guard CodingKeys.allCases.allSatisfy(container.contains) else {
                throw SafeTensorsError.invalidHeader(
                    "tensor '\(name)' lacks dtype, shape or data_offsets")
            }
            func integers(_ key: CodingKeys) throws -> [Int] {
                guard let values = try? container.decode([Int].self, forKey: key),
                    values.allSatisfy({ $0 >= 0 })
                else {
                    throw SafeTensorsError.invalidHeader(
                        "\(key.rawValue) of '\(name)' holds something other than non-negative integers"
                    )
                }
                return values
            }
            guard let dtype = try? container.decode(String.self, forKey: .dtype) else {
                throw SafeTensorsError.invalidHeader("the dtype of '\(name)' is not a string")
            }
            self.init(
                dtype: dtype, shape: try integers(.shape), dataOffsets: try integers(.dataOffsets))
        }
    }

    static let metadataKey = "__metadata__"

    var tensors: [String: Entry]
    var metadata: [String: String]

    init(tensors: [String: Entry], metadata: [String: String]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    init(from decoder: any Decoder) throws {
        let container: KeyedDecodingContainer<JSONKey>
        do {
            container = try decoder.container(keyedBy: JSONKey.self)
        } catch {
            throw SafeTensorsError.invalidHeader("the header is not a JSON object")
        }
        var tensors: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for key in container.allKeys {
            if key.stringValue == Self.metadataKey {
                guard let pairs = try? container.decode([String: String].self, forKey: key) else {
                    throw SafeTensorsError.invalidHeader("__metadata__ is not an object of strings")
                }
                metadata = pairs
            } else {
                tensors[key.stringValue] = try container.decode(Entry.self, forKey: key)
            }
        }
        self.init(tensors: tensors, metadata: metadata)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONKey.self)
        for (name, entry) in tensors { try container.encode(entry, forKey: JSONKey(name)) }
        if !metadata.isEmpty { try container.encode(metadata, forKey: JSONKey(Self.metadataKey)) }
    }
}
