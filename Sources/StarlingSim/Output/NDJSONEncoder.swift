/// One JSON object per line, written by hand into a reused byte buffer. Strings are escaped per
/// RFC 8259: `"` and `\` get a backslash, control characters become `\n`, `\t`… or `\u00XX`, and
/// everything else (non-ASCII UTF-8 included) is copied as it is.
///
/// The field writers a row is made of are inlined into each row's writer (`@inline(__always)`): the
/// key and prefix are then constants, copied as a few immediate stores, and the row's length and
/// base stay in registers from field to field.
public struct NDJSONEncoder: RowEncoder {
    public var bytes: [UInt8]
    @usableFromInline var fieldCount = 0
    /// The row being written; `endRow` appends it to `bytes` in one copy.
    @usableFromInline var row = RowScratch()

    public init(capacity: Int = 1 << 16) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// `{"key":` or `,"key":` — with room reserved for `extra` more bytes of the value.
    @inlinable @inline(__always)
    mutating func key(_ key: StaticString, extra: Int) {
        row.reserve(key.utf8CodeUnitCount + 4 + extra)
        row.put(fieldCount == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
        fieldCount += 1
        row.put(UInt8(ascii: "\""))
        row.put(key)
        row.put("\":")
    }

    @inline(__always)
    public mutating func beginRow() {
        fieldCount = 0
        row.count = 0
    }

    @inline(__always)
    public mutating func endRow() {
        row.reserve(3)
        row.put(fieldCount == 0 ? "{}\n" : "}\n")
        row.flush(into: &bytes)
    }

    public mutating func string(_ key: StaticString, _ value: String) {
        self.key(key, extra: 0)
        appendQuoted(value)
    }

    @inline(__always)
    public mutating func prefixedID(_ key: StaticString, _ prefix: StaticString, _ number: Int) {
        quotedID(key, prefix, number, nil)
    }

    @inline(__always)
    public mutating func prefixedIDPair(_ key: StaticString, _ prefix: StaticString, _ first: Int, _ second: Int) {
        quotedID(key, prefix, first, second)
    }

    /// `"prefix<first>"` or `"prefix<first>_<second>"`.
    @inlinable @inline(__always)
    mutating func quotedID(_ key: StaticString, _ prefix: StaticString, _ first: Int, _ second: Int?) {
        self.key(key, extra: prefix.utf8CodeUnitCount + 1)
        row.put(UInt8(ascii: "\""))
        row.put(prefix)
        row.putDecimal(first)
        if let second {
            row.reserve(1)
            row.put(UInt8(ascii: "_"))
            row.putDecimal(second)
        }
        row.reserve(1)
        row.put(UInt8(ascii: "\""))
    }

    @inline(__always)
    public mutating func integer(_ key: StaticString, _ value: Int) {
        self.key(key, extra: 0)
        row.putDecimal(value)
    }

    @inline(__always)
    public mutating func decimal2(_ key: StaticString, _ value: Double) {
        self.key(key, extra: 0)
        row.putDecimal2(value)
    }

    @inline(__always)
    public mutating func timestamp(_ key: StaticString, _ epochSeconds: Int64) {
        self.key(key, extra: 21)
        row.put(UInt8(ascii: "\""))
        row.putTimestamp(epochSeconds)
        row.put(UInt8(ascii: "\""))
    }

    public mutating func stringArray(_ key: StaticString, _ values: [String]) {
        self.key(key, extra: 2)
        row.put(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 {
                row.reserve(1)
                row.put(UInt8(ascii: ","))
            }
            appendQuoted(value)
        }
        row.reserve(1)
        row.put(UInt8(ascii: "]"))
    }

    public mutating func encoded(_ key: StaticString, _ value: EncodedText) {
        self.key(key, extra: value.forms.json.count)
        value.forms.json.withUnsafeBufferPointer { row.put($0) }
    }

    /// One copy of the pre-encoded `,"key":value`; as the first field, `{` replaces the comma.
    @inline(__always)
    public mutating func field(_ values: FieldValues, _ index: Int) {
        let start = values.jsonOffsets[index], end = values.jsonOffsets[index + 1]
        row.reserve(end - start)
        let first = fieldCount == 0 && end > start
        values.json.withUnsafeBufferPointer { json in
            if first { row.put(UInt8(ascii: "{")) }
            row.put(UnsafeBufferPointer(rebasing: json[(first ? start + 1 : start)..<end]))
        }
        fieldCount += 1
    }

    /// A JSON string literal. Fast path: one copy when nothing needs escaping.
    @inlinable
    mutating func appendQuoted(_ value: String) {
        var text = value
        let clean = text.withUTF8 { utf8 in
            guard CleanBytes.json(utf8) else { return false }
            row.reserve(utf8.count + 2)
            row.put(UInt8(ascii: "\""))
            row.put(utf8)
            row.put(UInt8(ascii: "\""))
            return true
        }
        if !clean { appendEscaped(value) }
    }

    /// The quoted, escaped literal: at most 6 bytes per input byte. Runs of bytes that need no
    /// escape are copied whole (JSON held in a String column is mostly such runs between quotes).
    @inline(never) @usableFromInline
    mutating func appendEscaped(_ value: String) {
        var text = value
        text.withUTF8 { utf8 in
            row.reserve(utf8.count * 6 + 2)
            row.put(UInt8(ascii: "\""))
            var run = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                row.put(UnsafeBufferPointer(rebasing: utf8[run..<index]))
                run = index + 1
                switch byte {
                case UInt8(ascii: "\""): row.put("\\\"")
                case UInt8(ascii: "\\"): row.put("\\\\")
                case 0x0A: row.put("\\n")
                case 0x0D: row.put("\\r")
                case 0x09: row.put("\\t")
                case 0x08: row.put("\\b")
                case 0x0C: row.put("\\f")
                default:
                    let hex: StaticString = "0123456789abcdef"
                    row.put("\\u00")
                    row.put(hex.utf8Start[Int(byte >> 4)])
                    row.put(hex.utf8Start[Int(byte & 0xF)])
                }
            }
            row.put(UnsafeBufferPointer(rebasing: utf8[run...]))
            row.put(UInt8(ascii: "\""))
        }
    }
}
