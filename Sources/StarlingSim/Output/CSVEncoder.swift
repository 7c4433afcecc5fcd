/// RFC 4180 CSV as ClickHouse reads it (`FORMAT CSV`): a field holding a comma, a quote, CR or LF is
/// quoted with inner quotes doubled; arrays are written as ClickHouse array literals
/// (`['a','b']`, single quotes and backslashes escaped with a backslash) inside a quoted field.
public struct CSVEncoder: RowEncoder {
    public var bytes: [UInt8]
    @usableFromInline var fieldCount = 0

    public init(capacity: Int = 1 << 16) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inlinable
    mutating func separate() {
        if fieldCount > 0 { bytes.append(UInt8(ascii: ",")) }
        fieldCount += 1
    }

    public mutating func beginRow() { fieldCount = 0 }
    public mutating func endRow() { bytes.append(UInt8(ascii: "\n")) }

    public mutating func string(_ key: StaticString, _ value: String) {
        separate()
        appendField(Array(value.utf8))
    }

    public mutating func prefixedID(_ key: StaticString, _ prefix: StaticString, _ number: Int) {
        separate()
        bytes.append(prefix)
        bytes.appendDecimal(number)
    }

    public mutating func prefixedIDPair(_ key: StaticString, _ prefix: StaticString, _ first: Int, _ second: Int) {
        separate()
        bytes.append(prefix)
        bytes.appendDecimal(first)
        bytes.append(UInt8(ascii: "_"))
        bytes.appendDecimal(second)
    }

    public mutating func integer(_ key: StaticString, _ value: Int) {
        separate()
        bytes.appendDecimal(value)
    }

    public mutating func decimal2(_ key: StaticString, _ value: Double) {
        separate()
        bytes.appendDecimal2(value)
    }

    public mutating func timestamp(_ key: StaticString, _ epochSeconds: Int64) {
        separate()
        bytes.appendTimestamp(epochSeconds)
    }

    public mutating func stringArray(_ key: StaticString, _ values: [String]) {
        separate()
        var literal: [UInt8] = [UInt8(ascii: "[")]
        for (i, value) in values.enumerated() {
            if i > 0 { literal.append(UInt8(ascii: ",")) }
            literal.append(UInt8(ascii: "'"))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\\") { literal.append(UInt8(ascii: "\\")) }
                literal.append(byte)
            }
            literal.append(UInt8(ascii: "'"))
        }
        literal.append(UInt8(ascii: "]"))
        appendField(literal)
    }

    mutating func appendField(_ field: [UInt8]) {
        let needsQuotes = field.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else {
            bytes.append(contentsOf: field)
            return
        }
        bytes.append(UInt8(ascii: "\""))
        for byte in field {
            if byte == UInt8(ascii: "\"") { bytes.append(UInt8(ascii: "\"")) }
            bytes.append(byte)
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
