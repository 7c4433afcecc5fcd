import StarlingSim

/// One expected cell, typed by how the pipe computes it, which decides how it is compared.
public indirect enum ExpectedValue: Sendable, Hashable, Codable {
    case string(String)
    /// An integer column (UInt8…UInt64, Int32, Int64): equal to a JSON number or a numeric string.
    case integer(Int64)
    /// An unrounded Float64 (a sum or an average): equal within the relative tolerance.
    case float(Double)
    /// `round(x, 2)` of this unrounded value, as ClickHouse computes it (see `ClickHouseMath.round2`).
    case rounded2(Double)
    /// `round(x, 2)` where ClickHouse computes x from a sum of Float64 amounts (an average order
    /// value): x's last bits, and so a half cent's rounding, depend on the order of the additions.
    case rounded2OfFloatSum(Double)
    /// A DateTime column, as Unix seconds; the target writes 'YYYY-MM-DD HH:MM:SS'.
    case dateTime(Int64)
    /// An array whose element order SQL defines.
    case array([ExpectedValue])
    /// An array whose element order SQL does not define (groupArray): compared as a multiset.
    case multiset([ExpectedValue])
    /// SQL NULL (a reference replay's answer).
    case null

    /// Whether the printed value depends on float noise: a `round(x, 2)` of a float sum whose x lies
    /// within float error of a half cent (as the average of two amounts whose cents add up to an odd
    /// number does). Which way ClickHouse rounds it then depends on the order it added the floats
    /// in, so no exact text can be promised (the run's own checks compare within a tolerance).
    public var roundsOnFloatNoise: Bool {
        switch self {
        case .rounded2OfFloatSum(let x):
            let scaled = abs(x * 100)
            return abs(scaled - scaled.rounded(.down) - 0.5) <= 1e-9 * max(1, scaled)
        case .array(let items), .multiset(let items): return items.contains(where: \.roundsOnFloatNoise)
        case .string, .integer, .float, .rounded2, .dateTime, .null: return false
        }
    }

    /// The value as the target would print it, for diffs.
    public var rendered: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .integer(let n): return "\(n)"
        case .float(let x): return "\(x)"
        case .rounded2(let x), .rounded2OfFloatSum(let x): return "\(ClickHouseMath.round2(x))"
        case .dateTime(let t): return "\"\(formatTimestamp(t))\""
        case .array(let items): return "[" + items.map(\.rendered).joined(separator: ",") + "]"
        case .multiset(let items): return "multiset[" + items.map(\.rendered).joined(separator: ",") + "]"
        case .null: return "null"
        }
    }
}

/// One expected result row: its columns in the pipe's SELECT order.
public struct ExpectedRow: Sendable, Hashable, Codable {
    public struct Column: Sendable, Hashable, Codable {
        public var name: String
        public var value: ExpectedValue

        public init(_ name: String, _ value: ExpectedValue) {
            self.name = name
            self.value = value
        }
    }

    public var columns: [Column]

    public init(_ columns: [Column]) {
        self.columns = columns
    }

    public subscript(name: String) -> ExpectedValue? {
        columns.first { $0.name == name }?.value
    }
}

/// ClickHouse's arithmetic, reproduced where a pipe's result depends on it.
public enum ClickHouseMath {
    /// `round(x, 2)` on Float64: x × 100 rounded half to even (the FPU's default mode), ÷ 100.
    /// A tie happens only when x × 100 is exactly k + 0.5 as a double (e.g. 2.125), as in ClickHouse.
    @inlinable
    public static func round2(_ x: Double) -> Double {
        (x * 100).rounded(.toNearestOrEven) / 100
    }

    /// `a / b` of two integers in ClickHouse: always Float64 division.
    @inlinable
    public static func divide(_ a: Int64, _ b: Int64) -> Double {
        Double(a) / Double(b)
    }

    /// Integer cents of a value written with two decimals by the generator, as the target stores it.
    @inlinable
    public static func cents(_ value: Double) -> Int64 {
        Int64((value * 100).rounded(.toNearestOrAwayFromZero))
    }

    /// A Float64 from integer cents: the double nearest to the decimal text the target parsed.
    @inlinable
    public static func amount(cents: Int64) -> Double {
        Double(cents) / 100
    }
}

extension String {
    /// ClickHouse's String order: bytewise.
    @inlinable
    func bytewisePrecedes(_ other: String) -> Bool {
        utf8.lexicographicallyPrecedes(other.utf8)
    }
}

extension Sequence {
    /// Sorted as `ORDER BY key DESC, name ASC` (names compared bytewise, as ClickHouse does).
    func rankedDescending<Key: Comparable>(by key: (Element) -> Key, thenBy name: (Element) -> String) -> [Element] {
        sorted { a, b in
            let (ka, kb) = (key(a), key(b))
            return ka != kb ? ka > kb : name(a).bytewisePrecedes(name(b))
        }
    }
}

extension Dictionary where Key == Int {
    /// The entries a `LIMIT` keeps of `ORDER BY rank DESC, id ASC`, where an entry's id is
    /// `idPrefix` followed by its key (`visitor_42`): the same rows as naming every entry, sorting
    /// them all and applying `limit`. The sort compares ranks and the ids' first 16 bytes packed in
    /// an integer (the whole text only where those are equal), moving small tuples, not the
    /// entries; beyond the limit's cut entries are passed over on their rank alone; and only the
    /// rows kept are named. Sorting the named entries was most of the time a run's visitors' and
    /// customers' expected answers took.
    func ranked<Rank: Comparable>(idPrefix: String, by rank: (Value) -> Rank, limit: RowLimit) -> [(id: String, value: Value)] {
        let entries = Array(self)
        var order = entries.indices.map { (rank: rank(entries[$0].value), text: Self.leadingBytes(entries[$0].key), index: $0) }
        let k = limit.count
        if k < order.count {
            guard k > 0 else { return [] }
            let ranks = order.map(\.rank).sorted()
            // A positive limit keeps the k highest ranks (the first rows), a negative one the k
            // lowest (the last rows): every entry beyond the k-th rank from that end is out; those
            // tied with it are ordered by id below.
            if limit.value >= 0 {
                let cut = ranks[ranks.count - k]
                order.removeAll { $0.rank < cut }
            } else {
                let cut = ranks[k - 1]
                order.removeAll { $0.rank > cut }
            }
        }
        order.sort { a, b in
            if a.rank != b.rank { return a.rank > b.rank }
            if a.text != b.text { return a.text < b.text }
            return String(entries[a.index].key).bytewisePrecedes(String(entries[b.index].key))
        }
        return limit.apply(order).map { (id: idPrefix + String(entries[$0.index].key), value: entries[$0.index].value) }
    }

    /// The first 16 bytes of `key`'s decimal text, big-endian, zero-padded: ordered as the texts
    /// are bytewise wherever they differ in those bytes (a shorter text pads with 0, below every
    /// character, as a prefix sorts first).
    static func leadingBytes(_ key: Int) -> UInt128 {
        var packed: UInt128 = 0
        var shift = 120
        for byte in String(key).utf8.prefix(16) {
            packed |= UInt128(byte) << shift
            shift -= 8
        }
        return packed
    }
}
