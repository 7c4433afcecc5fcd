/// What a pipe must answer: its rows in ORDER BY order, and where that order leaves the target a
/// choice. A pipe that sorts by an unrounded Float64 (`top_products`' `sum(price * quantity)`) puts
/// rows equal in exact cents in whatever order the floats' last bits say (10.1 × 3 is
/// 30.299999999999997 but 15.15 × 2 is 30.3), and its LIMIT may then keep either of two tied rows.
public struct ExpectedResult: Sendable, Equatable {
    public var rows: [ExpectedRow]
    /// Runs of rows (index ranges into `rows`) that may come in any order among themselves.
    public var interchangeable: [Range<Int>]
    /// Rows the LIMIT cut off that tie with the last run: they may take the place of its rows.
    public var alternates: [ExpectedRow]

    public init(rows: [ExpectedRow], interchangeable: [Range<Int>] = [], alternates: [ExpectedRow] = []) {
        self.rows = rows
        self.interchangeable = interchangeable
        self.alternates = alternates
    }

    /// Rows ranked by a key (already sorted), cut at `limit`: the runs of equal keys among the rows
    /// kept, and the rows past the cut that equal the last kept key.
    public static func ranked<Key: Equatable>(_ sorted: [(row: ExpectedRow, key: Key)], limit: RowLimit) -> ExpectedResult {
        let kept = Array(limit.apply(sorted))
        var runs: [Range<Int>] = []
        var start = 0
        for index in kept.indices.dropFirst() where kept[index].key != kept[start].key {
            if index - start > 1 { runs.append(start..<index) }
            start = index
        }
        var alternates: [ExpectedRow] = []
        if let last = kept.last, limit.value >= 0, kept.count < sorted.count {
            alternates = sorted[kept.count...].prefix { $0.key == last.key }.map(\.row)
        }
        if kept.count - start > 1 || !alternates.isEmpty { runs.append(start..<kept.count) }
        return ExpectedResult(rows: kept.map(\.row), interchangeable: runs, alternates: alternates)
    }
}
