import Foundation

/// HdrHistogram's V2 encoding, byte-compatible with the Java, C and Python implementations.
///
/// Uncompressed (cookie `0x1c849303`, written as `0x1c849313`: the `0x10` bit marks the
/// ZigZag-LEB128 word format, and readers mask it out with `& ~0xf0`), all big-endian:
///
///     cookie u32 | payload length u32 | normalizing index offset u32 (0) | significant digits u32
///     | lowest discernible value u64 | highest trackable value u64 | int-to-double ratio f64 (1.0)
///     | counts: ZigZag LEB128-64b9B; a count n > 0 as n, a single empty slot as 0,
///       k > 1 consecutive empty slots as -k; up to and including the slot of the max value.
///
/// Compressed (cookie `0x1c849304`, written as `0x1c849314`): cookie u32 | length u32 | the
/// uncompressed encoding DEFLATE-compressed in zlib format. Base64 of the compressed form is what
/// `.hlog` lines carry.
extension HDRHistogram {
    static let v2Cookie: UInt32 = 0x1c84_9303
    static let v2CompressedCookie: UInt32 = 0x1c84_9304
    static let wordFormatBits: UInt32 = 0x10
    static let v2HeaderLength = 40
    /// Refuse to inflate more than this (a 5-digit, full-range layout needs far less).
    static let maximumDecodedLength = 64 << 20

    /// The uncompressed V2 encoding.
    public func encodeV2() -> [UInt8] {
        var writer = WireWriter()
        writer.appendBigEndian(Self.v2Cookie | Self.wordFormatBits)
        writer.appendBigEndian(UInt32(0))  // payload length, patched below
        writer.appendBigEndian(UInt32(0))  // normalizing index offset
        writer.appendBigEndian(UInt32(layout.significantDigits))
        writer.appendBigEndian(layout.lowestDiscernibleValue)
        writer.appendBigEndian(layout.highestTrackableValue)
        writer.appendBigEndian((1.0 as Double).bitPattern)
        let limit = storedTotalCount == 0 ? 0 : layout.countsIndex(of: maxValue) + 1
        var index = 0
        while index < limit {
            let count = counts[index]
            index += 1
            guard count == 0 else {
                writer.appendZigZag(Int64(clamping: count))
                continue
            }
            var zeros: Int64 = 1
            while index < limit, counts[index] == 0 {
                zeros += 1
                index += 1
            }
            writer.appendZigZag(zeros > 1 ? -zeros : 0)
        }
        writer.patchBigEndian(UInt32(writer.bytes.count - Self.v2HeaderLength), at: 4)
        return writer.bytes
    }

    /// The compressed V2 encoding (what `.hlog` files carry, before Base64).
    public func encodeCompressedV2() throws(MetricsError) -> [UInt8] {
        let compressed = try ZlibCodec.deflate(encodeV2())
        var writer = WireWriter()
        writer.appendBigEndian(Self.v2CompressedCookie | Self.wordFormatBits)
        writer.appendBigEndian(UInt32(compressed.count))
        writer.append(contentsOf: compressed)
        return writer.bytes
    }

    /// Base64 of ``encodeCompressedV2()``, the histogram field of an `.hlog` line.
    public func encodeCompressedV2Base64() throws(MetricsError) -> String {
        Data(try encodeCompressedV2()).base64EncodedString()
    }

    /// Decodes an uncompressed or compressed V2 encoding (told apart by the cookie).
    ///
    /// Min and max come back at slot precision (the lowest value of the first slot, the highest of
    /// the last), as in HdrHistogram; ``overflowCount`` is not part of the encoding and is 0.
    public init(decoding bytes: [UInt8]) throws(MetricsError) {
        var reader = WireReader(bytes[...])
        let cookie = try reader.readBigEndianUInt32("cookie")
        switch cookie & ~0xf0 {
        case Self.v2Cookie:
            try self.init(uncompressed: bytes[...])
        case Self.v2CompressedCookie:
            let length = Int(try reader.readBigEndianUInt32("compressed length"))
            let compressed = try reader.readBytes(length, "compressed histogram")
            let inflated = try ZlibCodec.inflate(compressed, limit: Self.maximumDecodedLength)
            try self.init(uncompressed: inflated[...])
        default:
            throw .invalidEncoding("unknown cookie 0x\(String(cookie, radix: 16))")
        }
    }

    /// Decodes the Base64 text of a compressed (or uncompressed) V2 encoding.
    public init(decodingBase64 text: some StringProtocol) throws(MetricsError) {
        guard let data = Data(base64Encoded: String(text)) else {
            throw .invalidEncoding("the histogram field is not valid Base64")
        }
        try self.init(decoding: [UInt8](data))
    }

    private init(uncompressed bytes: ArraySlice<UInt8>) throws(MetricsError) {
        var reader = WireReader(bytes)
        let cookie = try reader.readBigEndianUInt32("cookie")
        guard cookie & ~0xf0 == Self.v2Cookie else {
            throw .invalidEncoding("compressed payload holds cookie 0x\(String(cookie, radix: 16))")
        }
        let payloadLength = Int(try reader.readBigEndianUInt32("payload length"))
        guard try reader.readBigEndianUInt32("normalizing index offset") == 0 else {
            throw .invalidEncoding("a non-zero normalizing index offset (shifted histogram) is not supported")
        }
        let digits = Int(try reader.readBigEndianUInt32("significant digits"))
        let lowest = try reader.readBigEndianUInt64("lowest discernible value")
        let highest = try reader.readBigEndianUInt64("highest trackable value")
        _ = try reader.readBigEndianUInt64("integer to double ratio")
        let layout: HistogramLayout
        do {
            layout = try HistogramLayout(
                lowestDiscernibleValue: lowest, highestTrackableValue: highest, significantDigits: digits)
        } catch {
            throw .invalidEncoding("header settings rejected: \(error)")
        }
        self.init(layout: layout)
        var payload = WireReader(try reader.readBytes(payloadLength, "counts payload"))
        var index = 0
        while !payload.isAtEnd {
            let word = try payload.readZigZag()
            if word < 0 {
                guard word.magnitude <= UInt64(counts.count - index) else {
                    throw .invalidEncoding("a run of empty slots passes the \(counts.count) slots of the header's layout")
                }
                index += Int(word.magnitude)
                continue
            }
            guard index < counts.count else {
                throw .invalidEncoding("counts run past the \(counts.count) slots of the header's layout")
            }
            counts[index] = UInt64(word)
            index += 1
        }
        establishTotalsFromCounts()
    }

    /// Recomputes total, min and max from the counts (after decoding), at slot precision.
    private mutating func establishTotalsFromCounts() {
        var first: Int?
        var last: Int?
        var total: UInt64 = 0
        for index in counts.indices where counts[index] != 0 {
            total &+= counts[index]
            if first == nil { first = index }
            last = index
        }
        storedTotalCount = total
        if let first, let last {
            minValue = layout.value(atIndex: first)
            maxValue = layout.highestEquivalentValue(layout.value(atIndex: last))
        }
    }
}
