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
