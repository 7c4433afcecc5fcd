import Foundation
import Testing
@testable import StarlingSim

/// A row with one field of each kind, to exercise the encoders directly.
struct SampleRow: EncodableRow {
    var text: String
    var tags: [String]
    var amount: Double
    var number: Int

    func encode(into encoder: inout some RowEncoder, timestamp: Int64?) {
        encoder.beginRow()
        encoder.string("text", text)
        encoder.prefixedID("id", "item_", number)
        encoder.prefixedIDPair("pair", "p_", number, 7)
        encoder.integer("number", number)
        encoder.decimal2("amount", amount)
        encoder.timestamp("time", timestamp ?? 1_747_008_000)
        encoder.stringArray("tags", tags)
        encoder.endRow()
    }
}

@Suite struct EncoderTests {
    /// Rows are written straight into the encoder's buffer, which copies share until one writes: a
    /// copy written to must leave the original as it was (an array of encoders made with
    /// `Array(repeating:)` holds copies of one), and draining one must not drain the other.
    @Test func encodersAreValues() {
        let row = SampleRow(text: "a", tags: ["x"], amount: 1.5, number: 3)
        var first = NDJSONEncoder(capacity: 16)
        row.encode(into: &first, timestamp: nil)
        let written = first.bytes
        var copies = Array(repeating: first, count: 2)
        SampleRow(text: "b", tags: [], amount: 2, number: 4).encode(into: &copies[0], timestamp: nil)
        copies[1].removeAllBytes()
        #expect(first.bytes == written)
        #expect(copies[0].byteCount > written.count && copies[0].bytes.starts(with: written))
        #expect(copies[1].byteCount == 0)
        for _ in 0..<1000 { row.encode(into: &copies[1], timestamp: nil) }  // grows past 16 bytes
        #expect(copies[1].byteCount == written.count * 1000 && first.bytes == written)

        var csv = CSVEncoder(capacity: 16)
        row.encode(into: &csv, timestamp: nil)
        let csvCopy = csv
        csv.removeAllBytes()
        #expect(csvCopy.byteCount > 0 && csv.byteCount == 0)
    }

    /// A copy that grows before it writes (no `makeUnique` first) gets a buffer of its own, and the
    /// buffer it shared stays allocated for the original: growing freed it, leaving the original's
    /// bytes in freed memory.
    @Test func aCopyThatGrowsLeavesTheSharedBufferToTheOthers() {
        var original = RowScratch(capacity: 8)
        original.makeUnique()
        original.reserve(5)
        for byte in Array("start".utf8) { original.put(byte) }
        var copy = original
        copy.reserve(100)  // grows while shared
        for byte in Array(repeating: UInt8(ascii: "x"), count: 100) { copy.put(byte) }
        #expect(copy.storage !== original.storage)
        #expect(original.base == original.storage.base, "the original points at a buffer its storage no longer owns")
        #expect(original.withBytes { Array($0) } == Array("start".utf8))
        #expect(copy.withBytes { Array($0) } == Array("start".utf8) + Array(repeating: UInt8(ascii: "x"), count: 100))
    }

    static let awkward = [
        "", "plain", "quote \" inside", "back\\slash", "line\nbreak\r\n", "tab\tand\u{0}nul\u{1F}unit",
        "ünïcödé — 日本語 🐦", "\u{7F}del", "comma, and 'single'", "\u{2028}separator",
    ]

    @Test(arguments: awkward)
    func ndjsonRoundTripsAnyString(text: String) throws {
        var encoder = NDJSONEncoder()
        SampleRow(text: text, tags: [text, "x"], amount: -12.345, number: -42).encode(into: &encoder, timestamp: nil)
        #expect(encoder.bytes.last == UInt8(ascii: "\n"))
        #expect(encoder.bytes.dropLast().contains(UInt8(ascii: "\n")) == false, "one line per row")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(encoder.bytes)) as? [String: Any])
        #expect(object["text"] as? String == text)
        #expect(object["tags"] as? [String] == [text, "x"])
        #expect(object["id"] as? String == "item_-42")
        #expect(object["pair"] as? String == "p_-42_7")
        #expect(object["number"] as? Int == -42)
        #expect((object["amount"] as? NSNumber)?.doubleValue == -12.35)
        #expect(object["time"] as? String == "2025-05-12 00:00:00")
    }

    @Test func randomStringsRoundTrip() throws {
        var rng = Xoshiro256(seed: 21)
        for _ in 0..<2_000 {
            let scalars = (0..<rng.below(20)).compactMap { _ -> Character? in
                let choice = rng.below(4)
                let value = choice == 0 ? UInt32(rng.below(0x20)) : choice == 1 ? UInt32(0x20 + rng.below(0x60)) : UInt32(0xA0 + rng.below(0xD000))
                return Unicode.Scalar(value).map(Character.init)
            }
            let text = String(scalars)
            var encoder = NDJSONEncoder()
            SampleRow(text: text, tags: [], amount: 0, number: 0).encode(into: &encoder, timestamp: nil)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(encoder.bytes)) as? [String: Any])
            #expect(object["text"] as? String == text)
        }
    }

    @Test(arguments: [(0.0, "0.00"), (1.125, "1.13"), (698, "698.00"), (-0.5, "-0.50"), (123_456.789, "123456.79"), (0.004, "0.00")])
    func decimalsHaveTwoFractionDigits(value: Double, text: String) {
        var row = RowScratch(capacity: 1)  // grows: the room each put reserves is enough
        row.putDecimal2(value)
        #expect(String(decoding: UnsafeBufferPointer(start: row.base, count: row.count), as: UTF8.self) == text)
    }

    @Test(arguments: [0, 7, 10, 99, 1_000_000, Int.max, Int.min + 1, Int.min, -1])
    func integersMatchDescription(value: Int) {
        var row = RowScratch(capacity: 1)
        row.putDecimal(value)
        #expect(String(decoding: UnsafeBufferPointer(start: row.base, count: row.count), as: UTF8.self) == value.description)
    }

    /// Every number of digits, at both ends (10^k - 1, 10^k) and in between, on the 32- and 64-bit
    /// paths: the digit count comes from the bit length, which a power of ten's neighbours test.
    @Test func decimalsOfEveryLengthMatchDescription() {
        var values: [UInt] = [0, 1, UInt.max, UInt(UInt32.max), UInt(UInt32.max) + 1]
        var power: UInt = 1
        for _ in 0..<19 {
            power *= 10
            values += [power - 1, power, power + 1, power / 2, power / 3 * 2, power - power / 10]
        }
        var rng = Xoshiro256(seed: 5, stream: StreamTag("digits"), index: 0)
        for _ in 0..<10_000 { values.append(UInt(rng.next() >> UInt64(rng.below(64)))) }
        for value in values {
            var row = RowScratch(capacity: 1)
            row.reserve(20)
            row.putDecimal(magnitude: value)
            #expect(String(decoding: UnsafeBufferPointer(start: row.base, count: row.count), as: UTF8.self) == value.description)
            #expect(RowScratch.digitCount(UInt64(value)) == value.description.count)
        }
        // The first number of a pair id is copied when it repeats: repeats, changes and negatives
        // in one buffer give the same text as converting each.
        var ids = RowScratch(capacity: 8)
        var expected = ""
        for i in 0..<20_000 {
            let value = i % 3 == 0 ? Int(truncatingIfNeeded: values[i % values.count]) : i / 7 - 100
            ids.putRepeatedID(value)
            ids.reserve(1)
            ids.put(UInt8(ascii: ","))
            expected += "\(value),"
        }
        #expect(String(decoding: UnsafeBufferPointer(start: ids.base, count: ids.count), as: UTF8.self) == expected)
    }

    /// The timestamp text is cached and updated in place (the seconds, the time of day, or all of
    /// it): a walk of small and large steps, forward and back, across minutes, days and 1970, must
    /// give the same text as a fresh writer for each second.
    @Test func cachedTimestampsMatchFreshOnes() {
        var rng = Xoshiro256(seed: 11, stream: StreamTag("timestamps"), index: 0)
        var cached = RowScratch(capacity: 64)
        var time: Int64 = -90_000
        for step in 0..<200_000 {
            switch rng.below(10) {
            case 0: time += Int64(rng.below(200_000)) - 100_000
            case 1: time -= Int64(rng.below(70))
            case 2: time = Int64(rng.below(4_000_000_000)) - 100_000_000
            default: time += Int64(rng.below(61))
            }
            cached.count = 0
            cached.putTimestamp(time)
            var fresh = RowScratch(capacity: 64)
            fresh.putTimestamp(time)
            let text = String(decoding: UnsafeBufferPointer(start: cached.base, count: cached.count), as: UTF8.self)
            if text != String(decoding: UnsafeBufferPointer(start: fresh.base, count: fresh.count), as: UTF8.self) {
                Issue.record("step \(step): \(time) written as \(text)")
                return
            }
        }
        #expect(formatTimestamp(59) == "1970-01-01 00:00:59" && formatTimestamp(-1) == "1969-12-31 23:59:59")
    }

    @Test func csvQuotesOnlyWhatNeedsIt() {
        var encoder = CSVEncoder()
        SampleRow(text: "say \"hi\", ok", tags: ["it's", "a\\b"], amount: 3, number: 5).encode(into: &encoder, timestamp: nil)
        let line = String(decoding: encoder.bytes, as: UTF8.self)
        #expect(line == "\"say \"\"hi\"\", ok\",item_5,p_5_7,5,3.00,2025-05-12 00:00:00,\"['it\\'s','a\\\\b']\"\n")
    }

    @Test func liveTimestampReplacesEventTime() {
        var encoder = NDJSONEncoder()
        SampleRow(text: "", tags: [], amount: 0, number: 1).encode(into: &encoder, timestamp: 0)
        #expect(String(decoding: encoder.bytes, as: UTF8.self).contains("\"time\":\"1970-01-01 00:00:00\""))
    }

    /// The eight-bytes-at-a-time clean tests agree with the byte-by-byte rule on every length and
    /// position of an offending byte (including bytes ≥ 0x80 next to ones below 0x20).
    @Test func wordScansAgreeWithByteScans() {
        var rng = Xoshiro256(seed: 5)
        let interesting: [UInt8] = [0x00, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x21, 0x22, 0x2C, 0x5C, 0x7F, 0x80, 0x9F, 0xA0, 0xFF]
        for _ in 0..<20_000 {
            let count = rng.below(40)
            let bytes: [UInt8] = (0..<count).map { _ in
                rng.below(4) == 0 ? interesting[rng.below(interesting.count)] : UInt8(0x23 + rng.below(0x5C - 0x23))
            }
            let json = !bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
            let csv = !bytes.contains { CSVEncoder.needsQuoting($0) }
            bytes.withUnsafeBufferPointer { buffer in
                #expect(CleanBytes.json(buffer) == json, "\(bytes)")
                #expect(CleanBytes.csv(buffer) == csv, "\(bytes)")
            }
        }
    }

    /// A pre-encoded value writes exactly the bytes the plain string would, in both formats.
    @Test(arguments: awkward + [#"{"product_id":"prod_7","category":"electronics"}"#])
    func encodedTextWritesWhatStringWrites(text: String) {
        var plain = NDJSONEncoder(), encoded = NDJSONEncoder()
        var plainCSV = CSVEncoder(), encodedCSV = CSVEncoder()
        for _ in 0..<2 {  // twice: the second row reuses the row buffer
            plain.beginRow(); plain.integer("n", 1); plain.string("v", text); plain.endRow()
            encoded.beginRow(); encoded.integer("n", 1); encoded.encoded("v", EncodedText(text)); encoded.endRow()
            plainCSV.beginRow(); plainCSV.integer("n", 1); plainCSV.string("v", text); plainCSV.endRow()
            encodedCSV.beginRow(); encodedCSV.integer("n", 1); encodedCSV.encoded("v", EncodedText(text)); encodedCSV.endRow()
        }
        #expect(encoded.bytes == plain.bytes)
        #expect(encodedCSV.bytes == plainCSV.bytes)
        #expect(EncodedText(text).text == text)
    }
}
