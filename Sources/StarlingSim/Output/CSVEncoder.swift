/// RFC 4180 CSV as ClickHouse reads it (`FORMAT CSV`): a field holding a comma, a quote, CR or LF is
/// quoted with inner quotes doubled; arrays are written as ClickHouse array literals
/// (`['a','b']`, single quotes and backslashes escaped with a backslash) inside a quoted field.
public struct CSVEncoder: RowEncoder {
    public var bytes: [UInt8]
    @usableFromInline var fieldCount = 0
    /// The row being written; `endRow` appends it to `bytes` in one copy.
    @usableFromInline var row = RowScratch()

    public init(capacity: Int = 1 << 16) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// A comma before every field but the first, with room for `extra` more bytes.
    @inlinable @inline(__always)
    mutating func separate(extra: Int) {
        row.reserve(1 + extra)
        if fieldCount > 0 { row.put(UInt8(ascii: ",")) }
        fieldCount += 1
    }

    public mutating func beginRow() {
        fieldCount = 0
        row.count = 0
    }

    public mutating func endRow() {
        row.reserve(1)
        row.put(UInt8(ascii: "\n"))
        row.flush(into: &bytes)
    }

    public mutating func string(_ key: StaticString, _ value: String) {
        separate(extra: 0)
        var text = value
        let clean = text.withUTF8 { utf8 in
            guard CleanBytes.csv(utf8) else { return false }
            row.reserve(utf8.count)
            row.put(utf8)
            return true
        }
        if !clean { appendQuoted(value.utf8) }
    }

    public mutating func encoded(_ key: StaticString, _ value: EncodedText) {
        separate(extra: value.forms.csv.count)
        value.forms.csv.withUnsafeBufferPointer { row.put($0) }
    }

    /// One copy of the pre-encoded `,value`; as the first field, without the comma.
    public mutating func field(_ values: FieldValues, _ index: Int) {
        let start = values.csvOffsets[index], end = values.csvOffsets[index + 1]
        row.reserve(end - start)
        let skip = fieldCount == 0 && end > start ? 1 : 0
        values.csv.withUnsafeBufferPointer { csv in row.put(UnsafeBufferPointer(rebasing: csv[(start + skip)..<end])) }
        fieldCount += 1
    }

    public mutating func prefixedID(_ key: StaticString, _ prefix: StaticString, _ number: Int) {
        separate(extra: prefix.utf8CodeUnitCount)
        row.put(prefix)
        row.putDecimal(number)
    }

    public mutating func prefixedIDPair(_ key: StaticString, _ prefix: StaticString, _ first: Int, _ second: Int) {
        separate(extra: prefix.utf8CodeUnitCount)
        row.put(prefix)
        row.putDecimal(first)
        row.reserve(1)
        row.put(UInt8(ascii: "_"))
        row.putDecimal(second)
    }

    public mutating func integer(_ key: StaticString, _ value: Int) {
        separate(extra: 0)
        row.putDecimal(value)
    }

    public mutating func decimal2(_ key: StaticString, _ value: Double) {
        separate(extra: 0)
        row.putDecimal2(value)
    }

    public mutating func timestamp(_ key: StaticString, _ epochSeconds: Int64) {
        separate(extra: 0)
        row.putTimestamp(epochSeconds)
    }

    /// A ClickHouse array literal (`['a','b']`, `'` and `\\` escaped with a backslash), quoted as a
    /// CSV field when it holds a comma (two or more values), a quote, CR or LF.
    public mutating func stringArray(_ key: StaticString, _ values: [String]) {
        var quoted = values.count > 1
        var length = 2
        for value in values {
            for byte in value.utf8 {
                if Self.needsQuoting(byte) { quoted = true }
                length += 2
            }
            length += 3
        }
        // Each byte may become two (a backslash, or a doubled quote), plus the field's quotes.
        separate(extra: length + 2)
        if quoted { row.put(UInt8(ascii: "\"")) }
        row.put(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { row.put(UInt8(ascii: ",")) }
            row.put(UInt8(ascii: "'"))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\\") { row.put(UInt8(ascii: "\\")) }
                if quoted && byte == UInt8(ascii: "\"") { row.put(UInt8(ascii: "\"")) }
                row.put(byte)
            }
            row.put(UInt8(ascii: "'"))
        }
        row.put(UInt8(ascii: "]"))
        if quoted { row.put(UInt8(ascii: "\"")) }
    }

    @inlinable @inline(__always)
    static func needsQuoting(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D
    }

    /// A field in quotes, inner quotes doubled.
    @inline(never) @usableFromInline
    mutating func appendQuoted(_ field: String.UTF8View) {
        row.reserve(field.count * 2 + 2)
        row.put(UInt8(ascii: "\""))
        for byte in field {
            if byte == UInt8(ascii: "\"") { row.put(UInt8(ascii: "\"")) }
            row.put(byte)
        }
        row.put(UInt8(ascii: "\""))
    }
}
