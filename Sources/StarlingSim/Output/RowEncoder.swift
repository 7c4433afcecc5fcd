/// Writes one row's fields, in schema order, into a byte buffer. The domain events call it field by
/// field; NDJSON and CSV implement it. Generic (`some RowEncoder`) on the hot path: no existentials.
public protocol RowEncoder {
    /// How many bytes the rows written since the last `removeAllBytes()` take.
    var byteCount: Int { get }
    /// The bytes written since the last `removeAllBytes()`, valid only inside `body`: the caller
    /// drains them (to a file, a request body) and then calls `removeAllBytes()`.
    func withBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R
    /// Forgets the bytes written (the buffer is kept for the next rows).
    mutating func removeAllBytes()
    /// Appends bytes that are not a row (a CSV header).
    mutating func append(raw: some Collection<UInt8>)
    mutating func beginRow()
    mutating func endRow()
    mutating func string(_ key: StaticString, _ value: String)
    /// `prefix` followed by the decimal `number`, as one string: `visit_42`. No String is built.
    mutating func prefixedID(_ key: StaticString, _ prefix: StaticString, _ number: Int)
    /// `prefix`, `first`, `_`, `second` as one string: `sess_42_3`.
    mutating func prefixedIDPair(_ key: StaticString, _ prefix: StaticString, _ first: Int, _ second: Int)
    mutating func integer(_ key: StaticString, _ value: Int)
    /// A decimal with exactly two fraction digits (prices, amounts), rounded half away from zero.
    mutating func decimal2(_ key: StaticString, _ value: Double)
    /// `YYYY-MM-DD HH:MM:SS` in UTC.
    mutating func timestamp(_ key: StaticString, _ epochSeconds: Int64)
    mutating func stringArray(_ key: StaticString, _ values: [String])
    /// A string whose encoded forms were computed once (`EncodedText`).
    mutating func encoded(_ key: StaticString, _ value: EncodedText)
    /// Value `index` of a column whose fields were encoded once (`FieldValues`, key included).
    mutating func field(_ values: FieldValues, _ index: Int)
    /// A whole row of a spec-described datasource (its columns and layout come from its schema).
    mutating func specRow(_ row: SpecRow, timestamp: Int64?)
}

extension RowEncoder {
    /// A copy of the bytes written (tests, request bodies, cold paths).
    public var bytes: [UInt8] { withBytes { Array($0) } }
}

/// A type that becomes one row of a datasource.
public protocol EncodableRow: Sendable {
    /// Encodes the row; `timestamp` replaces the event's own time (live mode) when not nil.
    func encode(into encoder: inout some RowEncoder, timestamp: Int64?)
}

/// The text of a timestamp, `YYYY-MM-DD HH:MM:SS` in UTC, for cold paths (messages, tests,
/// oracles): the writers' own code, so the two can never differ.
public func formatTimestamp(_ epochSeconds: Int64) -> String {
    var row = RowScratch(capacity: 32)
    row.putTimestamp(epochSeconds)
    return String(decoding: UnsafeBufferPointer(start: row.base, count: row.count), as: UTF8.self)
}
