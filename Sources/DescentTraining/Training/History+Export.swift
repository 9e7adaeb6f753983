/// `History` as files: CSV for spreadsheets and pandas, JSON for scripts. Both use the column
/// names of `CSVLogger`'s file, so a logged run and an exported one read the same.
extension EpochRecord {
    /// The CSV header line (without newline):
    /// `epoch,loss,accuracy,val_loss,val_accuracy,learning_rate,seconds,samples_per_second`.
    public static let csvHeader =
        "epoch,loss,accuracy,val_loss,val_accuracy,learning_rate,seconds,samples_per_second"

    /// The measurements after `epoch`, in `csvHeader`'s order.
    var exportedFields: [(name: String, value: Double?)] {
        [
            ("loss", loss), ("accuracy", accuracy), ("val_loss", validationLoss),
            ("val_accuracy", validationAccuracy),
            ("learning_rate", learningRate), ("seconds", seconds),
            ("samples_per_second", samplesPerSecond),
        ]
    }

    /// The record as one CSV line (without newline) under `csvHeader`: Swift's shortest
    /// round-tripping decimal for each value ("0.1", "1e-05", "nan"), an empty field for one not
    /// measured, exactly as `CSVLogger` writes it.
    public var csvLine: String {
        ([String(epoch)] + exportedFields.map { $0.value.map { "\($0)" } ?? "" }).joined(
            separator: ",")
    }

}

/// A record in JSON: an object with `csvHeader`'s keys; an unmeasured or non-finite value is
/// `null`, since JSON has no NaN or infinity.
extension EpochRecord: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONKey.self)
        try container.encode(epoch, forKey: JSONKey("epoch"))
        for field in exportedFields {
            try container.encode(JSONNullable(finite: field.value), forKey: JSONKey(field.name))
        }
    }
}

extension History {
    /// The history as a CSV file: `EpochRecord.csvHeader`, then one `csvLine` per epoch, each
    /// line ending in a newline.
    public var csvText: String {
        ([EpochRecord.csvHeader] + epochs.map(\.csvLine)).map { $0 + "\n" }.joined()
    }

    /// The history as an indented JSON document, `{"epochs": [...], "stop_reason": ...}`, with
    /// one `EpochRecord` object per epoch and the stop reason as a string or `null`.
    public var jsonText: String {
        get throws { try JSON.prettyText(self) }
    }
}

extension History: Encodable {
    enum CodingKeys: String, CodingKey {
        case epochs
        case stopReason = "stop_reason"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(epochs, forKey: .epochs)
        try container.encode(JSONNullable(stopReason), forKey: .stopReason)
    }
}
