/// One JSON object per line, written by hand into a reused byte buffer. Strings are escaped per
/// RFC 8259: `"` and `\` get a backslash, control characters become `\n`, `\t`… or `\u00XX`, and
/// everything else (non-ASCII UTF-8 included) is copied as it is.
///
/// The field writers a row is made of are inlined into each row's writer (`@inline(__always)`): the
/// key and prefix are then constants, copied as a few immediate stores, and the row's length and
/// base stay in registers from field to field.
///
/// Every field is written as `,"key":value`; `endRow` turns the row's first byte into `{`. A count
/// of the row's fields, tested by each field for `{` or `,`, was not always folded by the compiler
/// into constants (cachegrind: ~50 instructions per e-commerce row where it was not).
public struct NDJSONEncoder: RowEncoder {
    /// Where the row being written starts in `out`.
    @usableFromInline var rowStart = 0
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

    /// `,"key":` — with room reserved for `extra` more bytes of the value.
    @inlinable @inline(__always)
    mutating func key(_ key: StaticString, extra: Int) {
        out.reserve(key.utf8CodeUnitCount + 4 + extra)
        out.put(UInt8(ascii: ","))
        out.put(UInt8(ascii: "\""))
        out.put(key)
        out.put("\":")
    }

    @inlinable @inline(__always)
    public mutating func beginRow() {
        out.makeUnique()
        rowStart = out.count
    }

    @inlinable @inline(__always)
    public mutating func endRow() {
        out.reserve(3)
        if out.count == rowStart {
            out.put("{}\n")
        } else {
            out.base[rowStart] = UInt8(ascii: "{")
            out.put("}\n")
        }
    }

    public mutating func string(_ key: StaticString, _ value: String) {
        self.key(key, extra: 0)
        appendQuoted(value)
    }

    @inlinable @inline(__always)
    public mutating func prefixedID(_ key: StaticString, _ prefix: StaticString, _ number: Int) {
        quotedID(key, prefix, number, nil)
    }

    @inlinable @inline(__always)
    public mutating func prefixedIDPair(_ key: StaticString, _ prefix: StaticString, _ first: Int, _ second: Int) {
        quotedID(key, prefix, first, second)
    }

    /// `"prefix<first>"` or `"prefix<first>_<second>"`.
    @inlinable @inline(__always)
    mutating func quotedID(_ key: StaticString, _ prefix: StaticString, _ first: Int, _ second: Int?) {
        self.key(key, extra: prefix.utf8CodeUnitCount + 1)
        out.put(UInt8(ascii: "\""))
        out.put(prefix)
        if second != nil {
            out.putRepeatedID(first)
        } else {
            out.putID(first)
        }
        if let second {
            out.reserve(1)
            out.put(UInt8(ascii: "_"))
            out.putDecimal(second)
        }
        out.reserve(1)
        out.put(UInt8(ascii: "\""))
    }

    @inlinable @inline(__always)
    public mutating func integer(_ key: StaticString, _ value: Int) {
        self.key(key, extra: 0)
        out.putDecimal(value)
    }

    @inlinable @inline(__always)
    public mutating func decimal2(_ key: StaticString, _ value: Double) {
        self.key(key, extra: 0)
        out.putDecimal2(value)
    }

    @inlinable @inline(__always)
    public mutating func timestamp(_ key: StaticString, _ epochSeconds: Int64) {
        self.key(key, extra: 21)
        out.put(UInt8(ascii: "\""))
        out.putTimestamp(epochSeconds)
        out.put(UInt8(ascii: "\""))
    }

    public mutating func stringArray(_ key: StaticString, _ values: [String]) {
        self.key(key, extra: 2)
        out.put(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 {
                out.reserve(1)
                out.put(UInt8(ascii: ","))
            }
            appendQuoted(value)
        }
        out.reserve(1)
        out.put(UInt8(ascii: "]"))
    }

    public mutating func encoded(_ key: StaticString, _ value: EncodedText) {
        self.key(key, extra: value.forms.json.count)
        value.forms.json.withUnsafeBufferPointer { out.put($0) }
    }

    /// One copy of the pre-encoded `,"key":value`.
    @inlinable @inline(__always)
    public mutating func field(_ values: FieldValues, _ index: Int) {
        let start = values.jsonOffsets[index], end = values.jsonOffsets[index &+ 1]
        out.reserve(FieldValues.room(length: end &- start, span: values.jsonSpan))
        values.json.withUnsafeBufferPointer { json in
            guard let base = json.baseAddress else { return }
            RowScratch.copyBlocks(to: out.base + out.count, from: base + start, count: end &- start, span: values.jsonSpan)
            out.count &+= end &- start
        }
    }

    /// A JSON string literal. Fast path: one copy when nothing needs escaping.
    @inlinable
    mutating func appendQuoted(_ value: String) {
        var text = value
        let clean = text.withUTF8 { utf8 in
            guard CleanBytes.json(utf8) else { return false }
            out.reserve(utf8.count + 2)
            out.put(UInt8(ascii: "\""))
            out.put(utf8)
            out.put(UInt8(ascii: "\""))
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
            out.reserve(utf8.count * 6 + 2)
            out.put(UInt8(ascii: "\""))
            var run = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.put(UnsafeBufferPointer(rebasing: utf8[run..<index]))
                run = index + 1
                switch byte {
                case UInt8(ascii: "\""): out.put("\\\"")
                case UInt8(ascii: "\\"): out.put("\\\\")
                case 0x0A: out.put("\\n")
                case 0x0D: out.put("\\r")
                case 0x09: out.put("\\t")
                case 0x08: out.put("\\b")
                case 0x0C: out.put("\\f")
                default:
                    let hex: StaticString = "0123456789abcdef"
                    out.put("\\u00")
                    out.put(hex.utf8Start[Int(byte >> 4)])
                    out.put(hex.utf8Start[Int(byte & 0xF)])
                }
            }
            out.put(UnsafeBufferPointer(rebasing: utf8[run...]))
            out.put(UInt8(ascii: "\""))
        }
    }
}
