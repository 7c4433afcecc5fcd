/// One JSON object per line, written by hand into a reused byte buffer. Strings are escaped per
/// RFC 8259: `"` and `\` get a backslash, control characters become `\n`, `\t`… or `\u00XX`, and
/// everything else (non-ASCII UTF-8 included) is copied as it is.
public struct NDJSONEncoder: RowEncoder {
    public var bytes: [UInt8]
    @usableFromInline var fieldCount = 0

    public init(capacity: Int = 1 << 16) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inlinable
    mutating func key(_ key: StaticString) {
        bytes.append(fieldCount == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
        fieldCount += 1
        bytes.append(UInt8(ascii: "\""))
        bytes.append(key)
        bytes.append("\":")
    }

    public mutating func beginRow() { fieldCount = 0 }

    public mutating func endRow() {
        bytes.append(fieldCount == 0 ? "{}\n" : "}\n")
    }

    public mutating func string(_ key: StaticString, _ value: String) {
        self.key(key)
        appendQuoted(value)
    }

    public mutating func prefixedID(_ key: StaticString, _ prefix: StaticString, _ number: Int) {
        self.key(key)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(prefix)
        bytes.appendDecimal(number)
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func prefixedIDPair(_ key: StaticString, _ prefix: StaticString, _ first: Int, _ second: Int) {
        self.key(key)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(prefix)
        bytes.appendDecimal(first)
        bytes.append(UInt8(ascii: "_"))
        bytes.appendDecimal(second)
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func integer(_ key: StaticString, _ value: Int) {
        self.key(key)
        bytes.appendDecimal(value)
    }

    public mutating func decimal2(_ key: StaticString, _ value: Double) {
        self.key(key)
        bytes.appendDecimal2(value)
    }

    public mutating func timestamp(_ key: StaticString, _ epochSeconds: Int64) {
        self.key(key)
        bytes.append(UInt8(ascii: "\""))
        bytes.appendTimestamp(epochSeconds)
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func stringArray(_ key: StaticString, _ values: [String]) {
        self.key(key)
        bytes.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            appendQuoted(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// A JSON string literal. Fast path: copy when nothing needs escaping.
    @inlinable
    mutating func appendQuoted(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = value
        let clean = text.withUTF8 { utf8 in
            for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                return false
            }
            bytes.append(contentsOf: utf8)
            return true
        }
        if !clean { appendEscaped(value) }
        bytes.append(UInt8(ascii: "\""))
    }

    @inline(never) @usableFromInline
    mutating func appendEscaped(_ value: String) {
        let hex: StaticString = "0123456789abcdef"
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append("\\\"")
            case UInt8(ascii: "\\"): bytes.append("\\\\")
            case 0x0A: bytes.append("\\n")
            case 0x0D: bytes.append("\\r")
            case 0x09: bytes.append("\\t")
            case 0x08: bytes.append("\\b")
            case 0x0C: bytes.append("\\f")
            case ..<0x20:
                bytes.append("\\u00")
                bytes.append(hex.utf8Start[Int(byte >> 4)])
                bytes.append(hex.utf8Start[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
    }
}
