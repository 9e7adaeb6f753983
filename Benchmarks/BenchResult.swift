import Descent

/// One row of the benchmark's output.
struct BenchResult {
    /// What was measured: `matmul`, `dense_forward`, `adam_step`, `train_mlp`, `peak_bandwidth`, ...
    var name: String
    /// `opencl`, `cpu`, `clblast` or `peak`.
    var backend: String
    var device: String
    /// The problem size, for example `m=128 n=512 k=784 tA` or `10000000 params`.
    var shape: String
    var timing: Timing
    /// The rate, one of GFLOP/s, GB/s or samples/s.
    var rate: Rate
    /// The measured device peak of the same kind, for the share shown beside the rate.
    var peak: Double? = nil
    /// A remark: a validation result, why a row is missing.
    var note: String? = nil

    enum Rate {
        case gflops(Double)
        case gbps(Double)
        case samplesPerSecond(Double)
        case seconds(Double)

        var value: Double {
            switch self {
            case .gflops(let value), .gbps(let value), .samplesPerSecond(let value),
                .seconds(let value):
                value
            }
        }

        var key: String {
            switch self {
            case .gflops: "gflops"
            case .gbps: "gbps"
            case .samplesPerSecond: "samples_per_second"
            case .seconds: "seconds"
            }
        }

        var unit: String {
            switch self {
            case .gflops: "GFLOP/s"
            case .gbps: "GB/s"
            case .samplesPerSecond: "samples/s"
            case .seconds: "s"
            }
        }
    }

}

/// A row as one JSON object, its rate under the rate's own key (`gflops`, `samples_per_second`).
extension BenchResult: Encodable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONKey.self)
        for (key, text) in [
            ("name", name), ("backend", backend), ("device", device), ("shape", shape),
        ] {
            try container.encode(text, forKey: JSONKey(key))
        }
        for (key, number) in [
            ("median_ms", timing.median), ("min_ms", timing.min), ("max_ms", timing.max),
            (rate.key, rate.value),
        ] {
            try container.encode(JSONNullable(finite: number), forKey: JSONKey(key))
        }
        if let peak, peak > 0 {
            try container.encode(
                JSONNullable(finite: 100 * rate.value / peak), forKey: JSONKey("percent_of_peak"))
        }
        if let note { try container.encode(note, forKey: JSONKey("note")) }
    }
}

/// The human-readable table: one line per row, aligned columns.
enum BenchTable {
    static let header = [
        "benchmark", "backend", "shape", "median ms", "min ms", "max ms", "rate", "% peak", "note",
    ]

    static func line(_ row: BenchResult) -> [String] {
        let percent = row.peak.map { $0 > 0 ? fixed(100 * row.rate.value / $0, 1) : "" } ?? ""
        return [
            row.name, row.backend, row.shape, fixed(row.timing.median, 3), fixed(row.timing.min, 3),
            fixed(row.timing.max, 3),
            "\(fixed(row.rate.value, row.rate.value >= 100 ? 0 : 2)) \(row.rate.unit)", percent,
            row.note ?? "",
        ]
    }

    /// The rows under `header` in columns as wide as their widest cell.
    static func render(_ rows: [[String]], header: [String] = header) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { $0.element.padding(to: widths[$0.offset]) }.joined(
                separator: "  ")
        }.joined(separator: "\n")
    }

    /// `value` with `digits` decimals.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = digits == 0 ? String(Int(rounded)) : String(rounded)
        if digits > 0, let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        }
        return text
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
