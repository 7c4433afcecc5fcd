/// Big-endian integers and ZigZag LEB128-64b9B varints, the primitives of HdrHistogram's V2 encoding.
///
/// LEB128-64b9B: up to eight 7-bit groups with a continuation bit, then a ninth byte carrying the
/// last 8 bits, so any 64-bit value fits in 9 bytes. ZigZag maps signed to unsigned
/// (0, -1, 1, -2 … → 0, 1, 2, 3 …) so small negative numbers stay short.
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    mutating func appendBigEndian(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }

    mutating func appendBigEndian(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    mutating func appendZigZag(_ value: Int64) {
        var remaining = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        for _ in 0..<8 {
            if remaining < 0x80 {
                bytes.append(UInt8(remaining))
                return
            }
            bytes.append(UInt8(truncatingIfNeeded: remaining & 0x7f) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: remaining))
    }

    /// Overwrites four bytes at `offset` with `value`, big-endian (for lengths known only at the end).
    mutating func patchBigEndian(_ value: UInt32, at offset: Int) {
        for byte in 0..<4 {
            bytes[offset + byte] = UInt8(truncatingIfNeeded: value >> UInt32(24 - 8 * byte))
        }
    }

    mutating func append(contentsOf other: [UInt8]) {
        bytes.append(contentsOf: other)
    }
}

/// Reads what ``WireWriter`` writes, failing with ``MetricsError/invalidEncoding(_:)`` on truncation.
struct WireReader {
    let bytes: ArraySlice<UInt8>
    private(set) var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    var isAtEnd: Bool { position >= bytes.endIndex }

    mutating func readBigEndianUInt32(_ field: String) throws(MetricsError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 { value = value << 8 | UInt32(try readByte(field)) }
        return value
    }

    mutating func readBigEndianUInt64(_ field: String) throws(MetricsError) -> UInt64 {
        var value: UInt64 = 0
        for _ in 0..<8 { value = value << 8 | UInt64(try readByte(field)) }
        return value
    }

    mutating func readZigZag() throws(MetricsError) -> Int64 {
        var raw: UInt64 = 0
        var shift: UInt64 = 0
        while shift < 56 {
            let byte = try readByte("counts varint")
            raw |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return Self.unZigZag(raw) }
            shift += 7
        }
        raw |= UInt64(try readByte("counts varint")) << 56
        return Self.unZigZag(raw)
    }

    mutating func readBytes(_ count: Int, _ field: String) throws(MetricsError) -> ArraySlice<UInt8> {
        guard count >= 0, bytes.endIndex - position >= count else {
            throw .invalidEncoding("\(field) needs \(count) bytes, \(bytes.endIndex - position) left")
        }
        defer { position += count }
        return bytes[position..<position + count]
    }

    private mutating func readByte(_ field: String) throws(MetricsError) -> UInt8 {
        guard position < bytes.endIndex else { throw .invalidEncoding("truncated in \(field)") }
        defer { position += 1 }
        return bytes[position]
    }

    private static func unZigZag(_ raw: UInt64) -> Int64 {
        Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }
}
