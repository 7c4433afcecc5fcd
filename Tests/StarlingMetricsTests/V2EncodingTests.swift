import Testing
@testable import StarlingMetrics

@Suite struct V2EncodingTests {
    @Test func headerAndZeroRunsFollowTheV2Layout() {
        var histogram = HDRHistogram()
        histogram.record(1)
        histogram.record(5, count: 300)
        let bytes = histogram.encodeV2()
        #expect(Array(bytes[0..<4]) == [0x1c, 0x84, 0x93, 0x13])
        #expect(Array(bytes[4..<8]) == [0, 0, 0, 5])  // payload length
        #expect(Array(bytes[8..<12]) == [0, 0, 0, 0])  // normalizing index offset
        #expect(Array(bytes[12..<16]) == [0, 0, 0, 3])  // significant digits
        #expect(Array(bytes[16..<24]) == [0, 0, 0, 0, 0, 0, 0, 1])
        #expect(Array(bytes[24..<32]) == [0, 0, 0, 0, 0xd6, 0x93, 0xa4, 0x00])  // 3_600_000_000
        #expect(Array(bytes[32..<40]) == [0x3f, 0xf0, 0, 0, 0, 0, 0, 0])  // 1.0
        // slot 0 empty (0), slot 1 = 1 (2), slots 2...4 empty (-3 → 5), slot 5 = 300 (600 → LEB128 d8 04)
        #expect(Array(bytes[40...]) == [0x00, 0x02, 0x05, 0xd8, 0x04])
        #expect(bytes.count == 45)
    }

    @Test func zigZagUsesNineBytesForTheLargestWords() throws {
        var writer = WireWriter()
        for value in [0, -1, 1, Int64.max, Int64.min, -1_000_000] as [Int64] { writer.appendZigZag(value) }
        #expect(Array(writer.bytes.prefix(3)) == [0, 1, 2])
        var reader = WireReader(writer.bytes[...])
        for value in [0, -1, 1, Int64.max, Int64.min, -1_000_000] as [Int64] {
            #expect(try reader.readZigZag() == value)
        }
        #expect(reader.isAtEnd)
        #expect(writer.bytes.count == 3 + 9 + 9 + 3)
    }

    @Test(arguments: Distribution.allCases)
    func uncompressedAndCompressedRoundTrip(distribution: Distribution) throws {
        var histogram = HDRHistogram()
        for value in distribution.samples(count: 10_000, seed: 5) { histogram.record(value) }
        for bytes in [histogram.encodeV2(), try histogram.encodeCompressedV2()] {
            let decoded = try HDRHistogram(decoding: bytes)
            #expect(decoded.layout == histogram.layout)
            #expect(decoded.totalCount == histogram.totalCount)
            #expect(decoded.percentileSteps() == histogram.percentileSteps())
            #expect(decoded.max == histogram.layout.highestEquivalentValue(histogram.max))
            #expect(decoded.min == histogram.layout.lowestEquivalentValue(histogram.min))
            var again = HDRHistogram()
            again.add(decoded)
            #expect(again.encodeV2() == histogram.encodeV2())
        }
        let compressed = try histogram.encodeCompressedV2()
        #expect(Array(compressed[0..<4]) == [0x1c, 0x84, 0x93, 0x14])
        #expect(compressed.count < histogram.encodeV2().count)
        let fromBase64 = try HDRHistogram(decodingBase64: try histogram.encodeCompressedV2Base64())
        #expect(fromBase64.totalCount == histogram.totalCount)
    }

    @Test func nonDefaultLayoutsRoundTrip() throws {
        var histogram = try HDRHistogram(lowestDiscernibleValue: 1_000, highestTrackableValue: 3_600_000_000_000, significantDigits: 2)
        histogram.record(123_456_789)
        histogram.record(5_000, count: 7)
        let decoded = try HDRHistogram(decoding: try histogram.encodeCompressedV2())
        #expect(decoded.layout == histogram.layout)
        #expect(decoded.count(at: 5_000) == 7)
        #expect(decoded.totalCount == 8)
    }

    @Test func emptyHistogramRoundTrips() throws {
        let decoded = try HDRHistogram(decoding: try HDRHistogram().encodeCompressedV2())
        #expect(decoded == HDRHistogram())
    }

    @Test func rejectsDamagedInput() throws {
        var histogram = HDRHistogram()
        histogram.record(42)
        let bytes = histogram.encodeV2()
        #expect(throws: MetricsError.self) { try HDRHistogram(decoding: [0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0]) }
        #expect(throws: MetricsError.self) { try HDRHistogram(decoding: Array(bytes.prefix(30))) }
        #expect(throws: MetricsError.self) { try HDRHistogram(decoding: Array(bytes.dropLast())) }
        var compressed = try histogram.encodeCompressedV2()
        compressed[12] ^= 0xff
        #expect(throws: MetricsError.self) { try HDRHistogram(decoding: compressed) }
        #expect(throws: MetricsError.self) { try HDRHistogram(decodingBase64: "not base64!") }
        var hostile = WireWriter()
        hostile.append(contentsOf: Array(bytes[0..<40]))
        hostile.appendZigZag(-1 << 62)  // a run of empty slots far past the layout
        hostile.appendZigZag(1)
        hostile.patchBigEndian(UInt32(hostile.bytes.count - 40), at: 4)
        #expect(throws: MetricsError.self) { try HDRHistogram(decoding: hostile.bytes) }
        var badDigits = bytes
        badDigits[15] = 9
        #expect(throws: MetricsError.invalidEncoding(
            "header settings rejected: invalid histogram configuration: significant digits must be 1...5, got 9")) {
            try HDRHistogram(decoding: badDigits)
        }
    }
}
