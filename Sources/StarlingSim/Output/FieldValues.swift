/// The possible values of one column (a channel, a device, a page, a set of tags…), each encoded once
/// as a whole field — key and separator included: `,"channel":"email"` in NDJSON, `,email` in CSV —
/// so that writing one is a single copy, with no scan, no escaping and no reference counting.
/// A model keeps one per categorical column and its events keep only the value's index.
///
/// The fragments are written by the encoders themselves (`string`, `stringArray`), so they are
/// byte for byte what writing the plain value would give. All fragments of a format sit in one
/// array, found by their offsets, followed by zero bytes: a fragment is copied in whole 16-byte
/// blocks (`RowScratch.copyBlocks`), which read past its end.
///
/// Every copy of a column covers at least `jsonSpan` (`csvSpan`) bytes, its longest fragment
/// rounded up to a block (up to `maxSpan`): the number of blocks is then the same in every row, a
/// loop the branch predictor learns, where a count that followed each value's length was
/// mispredicted about once per field (cachegrind: 2.7 of the 18 mispredicted branches of a journey
/// touchpoint). The bytes written past the fragment are overwritten by what follows it.
public struct FieldValues: Sendable {
    /// Each value as text, for code that wants the `String` (the events' public fields).
    public let texts: [String]
    @usableFromInline let json: [UInt8]
    /// `json[jsonOffsets[i]..<jsonOffsets[i + 1]]` is value `i`'s fragment.
    @usableFromInline let jsonOffsets: [Int]
    @usableFromInline let csv: [UInt8]
    @usableFromInline let csvOffsets: [Int]
    /// Bytes every copy of a fragment covers (a multiple of 16; see above).
    @usableFromInline let jsonSpan: Int
    @usableFromInline let csvSpan: Int

    /// String values of column `key`.
    public init(key: StaticString, values: [String]) {
        self.init(texts: values,
                  json: { (encoder: inout NDJSONEncoder, i: Int) in encoder.string(key, values[i]) },
                  csv: { (encoder: inout CSVEncoder, i: Int) in encoder.string(key, values[i]) })
    }

    /// Array values of column `key` (`texts` holds each array's values joined by `, `).
    public init(key: StaticString, arrays: [[String]]) {
        self.init(texts: arrays.map { $0.joined(separator: ", ") },
                  json: { (encoder: inout NDJSONEncoder, i: Int) in encoder.stringArray(key, arrays[i]) },
                  csv: { (encoder: inout CSVEncoder, i: Int) in encoder.stringArray(key, arrays[i]) })
    }

    /// Pre-encoded values of column `key` (a per-product JSON object…).
    public init(key: StaticString, encoded values: [EncodedText]) {
        self.init(texts: values.map(\.text),
                  json: { (encoder: inout NDJSONEncoder, i: Int) in encoder.encoded(key, values[i]) },
                  csv: { (encoder: inout CSVEncoder, i: Int) in encoder.encoded(key, values[i]) })
    }

    /// Writes each value as the second field of a row (after a placeholder field, so it is preceded
    /// by its separator as in any position but the first) and keeps the bytes between the two. A
    /// value may also be several consecutive fields (`write` writes them all); it then counts as one
    /// field for the encoder, which only tells the first field from the others.
    init(texts: [String], json writeJSON: (inout NDJSONEncoder, Int) -> Void, csv writeCSV: (inout CSVEncoder, Int) -> Void) {
        self.texts = texts
        var json = NDJSONEncoder(capacity: 64 * texts.count)
        var csv = CSVEncoder(capacity: 32 * texts.count)
        var jsonOffsets = [0], csvOffsets = [0]
        var fragments: [UInt8] = [], csvFragments: [UInt8] = []
        for i in texts.indices {
            json.removeAllBytes()
            json.beginRow()
            json.integer("_", 0)  // `{"_":0`
            writeJSON(&json, i)
            json.endRow()  // `}\n`
            json.withBytes { fragments += $0[#"{"_":0"#.utf8.count..<($0.count - 2)] }
            jsonOffsets.append(fragments.count)
            csv.removeAllBytes()
            csv.beginRow()
            csv.integer("_", 0)  // `0`
            writeCSV(&csv, i)
            csv.endRow()  // `\n`
            csv.withBytes { csvFragments += $0[1..<($0.count - 1)] }
            csvOffsets.append(csvFragments.count)
        }
        jsonSpan = Self.span(offsets: jsonOffsets)
        csvSpan = Self.span(offsets: csvOffsets)
        // A copy reads at most max(span, length rounded up to 16) bytes from a fragment's start.
        self.json = fragments + repeatElement(0, count: jsonSpan + Self.padding)
        self.jsonOffsets = jsonOffsets
        self.csv = csvFragments + repeatElement(0, count: csvSpan + Self.padding)
        self.csvOffsets = csvOffsets
    }

    public var count: Int { texts.count }

    /// Room a copy of a fragment of `length` bytes needs after the bytes written so far.
    @inlinable @inline(__always)
    static func room(length: Int, span: Int) -> Int { max(length, span) &+ padding }

    /// Bytes read and written past a fragment's end by a copy in 16-byte blocks, at most.
    @usableFromInline static var padding: Int { 16 }

    /// Copies cover at most this many bytes whatever the fragment (a column with a few very long
    /// values copies its short ones in fewer blocks, as many as they need).
    static var maxSpan: Int { 128 }

    /// The longest fragment, rounded up to a whole block, or `maxSpan` if that is less.
    static func span(offsets: [Int]) -> Int {
        let longest = zip(offsets.dropFirst(), offsets).map { $0 - $1 }.max() ?? 0
        return min((longest + 15) / 16 * 16, maxSpan)
    }
}
