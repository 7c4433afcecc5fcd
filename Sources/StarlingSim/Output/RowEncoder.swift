/// Writes one row's fields, in schema order, into a byte buffer. The domain events call it field by
/// field; NDJSON and CSV implement it. Generic (`some RowEncoder`) on the hot path: no existentials.
public protocol RowEncoder {
    /// The bytes written so far; the caller drains them (e.g. to a file) and calls `removeAll`.
    var bytes: [UInt8] { get set }
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
}

/// A type that becomes one row of a datasource.
public protocol EncodableRow: Sendable {
    /// Encodes the row; `timestamp` replaces the event's own time (live mode) when not nil.
    func encode(into encoder: inout some RowEncoder, timestamp: Int64?)
}

extension Array where Element == UInt8 {
    @inlinable
    mutating func append(_ text: StaticString) {
        let pointer = text.utf8Start
        append(contentsOf: UnsafeBufferPointer(start: pointer, count: text.utf8CodeUnitCount))
    }

    /// Appends a decimal integer without building a String.
    @inlinable
    mutating func appendDecimal(_ value: Int) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            appendDecimal(magnitude: value.magnitude)
        } else {
            appendDecimal(magnitude: UInt(value))
        }
    }

    @inlinable
    mutating func appendDecimal(magnitude value: UInt) {
        if value < 10 {
            append(48 + UInt8(value))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        var count = 0
        var rest = value
        Swift.withUnsafeMutableBytes(of: &digits) { raw in
            while rest > 0 {
                count += 1
                raw[24 - count] = 48 + UInt8(rest % 10)
                rest /= 10
            }
            append(contentsOf: raw[(24 - count)...])
        }
    }

    /// Two-digit zero-padded number (timestamps).
    @inlinable
    mutating func appendTwoDigits(_ value: Int) {
        append(48 + UInt8(value / 10))
        append(48 + UInt8(value % 10))
    }

    @inlinable
    mutating func appendTimestamp(_ epochSeconds: Int64) {
        let t = CivilTime(epochSeconds: epochSeconds)
        appendTwoDigits(t.year / 100)
        appendTwoDigits(t.year % 100)
        append(UInt8(ascii: "-"))
        appendTwoDigits(t.month)
        append(UInt8(ascii: "-"))
        appendTwoDigits(t.day)
        append(UInt8(ascii: " "))
        appendTwoDigits(t.hour)
        append(UInt8(ascii: ":"))
        appendTwoDigits(t.minute)
        append(UInt8(ascii: ":"))
        appendTwoDigits(t.second)
    }

    @inlinable
    mutating func appendDecimal2(_ value: Double) {
        let cents = Int((value * 100).rounded(.toNearestOrAwayFromZero))
        if cents < 0 { append(UInt8(ascii: "-")) }
        let magnitude = cents.magnitude
        appendDecimal(magnitude: magnitude / 100)
        append(UInt8(ascii: "."))
        appendTwoDigits(Int(magnitude % 100))
    }
}

/// The text of a timestamp, for cold paths (messages, tests, oracles).
public func formatTimestamp(_ epochSeconds: Int64) -> String {
    var bytes: [UInt8] = []
    bytes.appendTimestamp(epochSeconds)
    return String(decoding: bytes, as: UTF8.self)
}
