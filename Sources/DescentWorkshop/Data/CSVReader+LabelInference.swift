import DescentCore
import DescentTraining

extension CSVReader {
    /// The most distinct integer values a label column may hold and still be read as classes.
    public static let maximumInferredClassCount = 100

    /// Whether `column` of `table` holds class labels or a real-valued target, judged from its
    /// values: any text that is not a number, or integer values only (written `2`, `2.0` or
    /// `2e0` alike) with at most `maximumInferredClassCount` distinct values, are classes; other
    /// numbers are a target.
    /// Pass the answer to `dataset(from:label:featureColumns:)`, or name the kind yourself when
    /// the data says otherwise (integer-valued targets such as counts).
    ///
    /// - Throws: `DescentError.invalidArgument` when the table has no column of that name.
    public static func inferredLabel(column name: String, in table: CSVTable) throws -> LabelColumn
    {
        let index = try column(name, in: table)
        let values = table.rows.map { trimmed($0[index]) }
        if values.contains(where: { !$0.isEmpty && Double($0) == nil }) { return .classes(name) }
        let integers = values.compactMap(integerValue)
        if integers.count == values.count && Set(integers).count <= maximumInferredClassCount {
            return .classes(name)
        }
        return .targets([name])
    }
}
