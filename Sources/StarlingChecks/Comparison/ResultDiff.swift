/// What differs between a pipe's expected and actual rows: counts, and the first differing rows
/// column by column. Codable for `checks.json`; `description` is the console rendering.
public struct ResultDiff: Sendable, Hashable, Codable, CustomStringConvertible {
    public struct CellDifference: Sendable, Hashable, Codable {
        public var column: String
        public var expected: String
        public var actual: String
    }

    public struct RowDifference: Sendable, Hashable, Codable {
        /// 0-based position in the pipe's order.
        public var index: Int
        public var cells: [CellDifference]
    }

    public var expectedRows: Int
    public var actualRows: Int
    /// All rows that differ (only the first few are detailed).
    public var differingRows: Int
    public var firstDifferences: [RowDifference]
    public var tolerance: FloatTolerance

    public var description: String {
        var lines: [String] = []
        let count = expectedRows == actualRows
            ? "\(expectedRows) rows" : "rows: expected \(expectedRows), actual \(actualRows)"
        lines.append("\(count); \(differingRows) differ")
        for row in firstDifferences {
            lines.append("  row \(row.index):")
            for cell in row.cells {
                lines.append("    \(cell.column): expected \(cell.expected), actual \(cell.actual)")
            }
        }
        if differingRows > firstDifferences.count {
            lines.append("  … \(differingRows - firstDifferences.count) more differing rows")
        }
        return lines.joined(separator: "\n")
    }
}
