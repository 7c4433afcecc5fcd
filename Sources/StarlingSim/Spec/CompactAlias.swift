/// An alias table's draws (the same as `AliasTable.sample`, draw for draw) from 8 bytes a column
/// instead of 16: a session's entity is drawn from a Zipf over all of a population (tens of
/// thousands of members), and the miss on that table was most of generating a session.
///
/// `unit() < p` is `k < ceil(p · 2⁵³)` for the draw's 53 bits `k`; each column keeps the top 31
/// bits of that threshold beside its alias, which decide but for one draw in 2³¹, when the full
/// column is read.
struct CompactAlias: Sendable {
    /// Threshold's top bits << 32 | alias.
    let words: [UInt64]
    let table: AliasTable

    /// Nil when an alias does not fit 32 bits.
    init?(_ table: AliasTable) {
        guard table.count <= Int(UInt32.max) else { return nil }
        self.table = table
        words = table.columns.map { column in
            let threshold: UInt64 = column.probability >= 1 ? 1 << 53 : column.probability > 0 ? UInt64((column.probability * 0x1p53).rounded(.up)) : 0
            return (threshold >> 22) << 32 | UInt64(column.alias)
        }
    }

    @inline(__always)
    func sample(using rng: inout Xoshiro256) -> Int {
        words.withUnsafeBufferPointer { words in
            let (index, within) = AliasTable.draw(count: words.count, using: &rng)
            let word = words[index]
            let high = within >> 33, threshold = word >> 32
            if high != threshold { return high < threshold ? index : Int(truncatingIfNeeded: word & 0xFFFF_FFFF) }
            return table.columns[index].pick(index, within: within)
        }
    }
}
