/// RFC 4180 CSV as ClickHouse reads it (`FORMAT CSV`): a field holding a comma, a quote, CR or LF is
/// quoted with inner quotes doubled; arrays are written as ClickHouse array literals
/// (`['a','b']`, single quotes and backslashes escaped with a backslash) inside a quoted field.
public struct CSVEncoder: RowEncoder {
    @usableFromInline var fieldCount = 0
    /// Every row written since the last `removeAllBytes()`: each field goes straight to its place
    /// in the output (a row is not written aside and copied).
    @usableFromInline var out: RowScratch

    public init(capacity: Int = 1 << 16) {
        out = RowScratch(capacity: max(capacity, 256))
    }

    public var byteCount: Int { out.count }
    public func withBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R { try out.withBytes(body) }
    public mutating func removeAllBytes() { out.removeAll() }
    public mutating func append(raw: some Collection<UInt8>) { out.append(raw: raw) }

    /// A comma before every field but the first, with room for `extra` more bytes.
    @inlinable @inline(__always)
    mutating func separate(extra: Int) {
        out.reserve(1 + extra)
        if fieldCount > 0 { out.put(UInt8(ascii: ",")) }
        fieldCount += 1
    }

    public mutating func beginRow() {
        fieldCount = 0
        out.makeUnique()
    }

    public mutating func endRow() {
        out.reserve(1)
        out.put(UInt8(ascii: "\n"))
    }

    public mutating func string(_ key: StaticString, _ value: String) {
        separate(extra: 0)
        var text = value
        let clean = text.withUTF8 { utf8 in
            guard CleanBytes.csv(utf8) else { return false }
            out.reserve(utf8.count)
            out.put(utf8)
            return true
        }
        if !clean { appendQuoted(value.utf8) }
    }

    public mutating func encoded(_ key: StaticString, _ value: EncodedText) {
        separate(extra: value.forms.csv.count)
        value.forms.csv.withUnsafeBufferPointer { out.put($0) }
    }

    /// One copy of the pre-encoded `,value`; as the first field, without the comma.
    @inlinable @inline(__always)
    public mutating func field(_ values: FieldValues, _ index: Int) {
        let start = values.csvOffsets[index], end = values.csvOffsets[index &+ 1]
        out.reserve(FieldValues.room(length: end &- start, span: values.csvSpan))
        let from = fieldCount == 0 && end > start ? start &+ 1 : start
        values.csv.withUnsafeBufferPointer { csv in
            guard let base = csv.baseAddress else { return }
            RowScratch.copyBlocks(to: out.base + out.count, from: base + from, count: end &- from, span: values.csvSpan)
            out.count &+= end &- from
        }
        fieldCount += 1
    }

    public mutating func prefixedID(_ key: StaticString, _ prefix: StaticString, _ number: Int) {
        separate(extra: prefix.utf8CodeUnitCount)
        out.put(prefix)
        out.putID(number)
    }

    public mutating func prefixedIDPair(_ key: StaticString, _ prefix: StaticString, _ first: Int, _ second: Int) {
        separate(extra: prefix.utf8CodeUnitCount)
        out.put(prefix)
        out.putRepeatedID(first)
        out.reserve(1)
        out.put(UInt8(ascii: "_"))
        out.putDecimal(second)
    }

    public mutating func integer(_ key: StaticString, _ value: Int) {
        separate(extra: 0)
        out.putDecimal(value)
    }

    public mutating func decimal2(_ key: StaticString, _ value: Double) {
        separate(extra: 0)
        out.putDecimal2(value)
    }

    public mutating func timestamp(_ key: StaticString, _ epochSeconds: Int64) {
        separate(extra: 0)
        out.putTimestamp(epochSeconds)
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
        if quoted { out.put(UInt8(ascii: "\"")) }
        out.put(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { out.put(UInt8(ascii: ",")) }
            out.put(UInt8(ascii: "'"))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\\") { out.put(UInt8(ascii: "\\")) }
                if quoted && byte == UInt8(ascii: "\"") { out.put(UInt8(ascii: "\"")) }
                out.put(byte)
            }
            out.put(UInt8(ascii: "'"))
        }
        out.put(UInt8(ascii: "]"))
        if quoted { out.put(UInt8(ascii: "\"")) }
    }

    @inlinable @inline(__always)
    static func needsQuoting(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D
    }

    /// A field in quotes, inner quotes doubled.
    @inline(never) @usableFromInline
    mutating func appendQuoted(_ field: String.UTF8View) {
        out.reserve(field.count * 2 + 2)
        out.put(UInt8(ascii: "\""))
        for byte in field {
            if byte == UInt8(ascii: "\"") { out.put(UInt8(ascii: "\"")) }
            out.put(byte)
        }
        out.put(UInt8(ascii: "\""))
    }
}
