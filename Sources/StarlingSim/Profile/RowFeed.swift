/// A datasource's statistics and impossibility checks, fed one row at a time.
protocol RowAccumulator {
    static var datasource: String { get }
    /// The columns it reads (every row must have them).
    static var layout: RowLayout { get }

    init(declared: DomainTargets)
    mutating func add(_ row: ProfileRow) throws(RowProblem)
    /// Every statistic (whether or not a target names it) and every impossibility of the rows added.
    func finish() -> MeasuredRows
    /// A statistic of a family (`ctr_<channel>`) that the rows did not list; nil for an unknown name.
    static func unlisted(_ name: String, in measured: MeasuredRows) -> Statistic?
}

extension RowAccumulator {
    static func unlisted(_ name: String, in measured: MeasuredRows) -> Statistic? { nil }
}

/// What an accumulator found.
struct MeasuredRows {
    /// Unix milliseconds of the first and last event (nil without rows).
    var first: Int64?
    var last: Int64?
    var counts: [DatasourceProfile.Count] = []
    var statistics: [Statistic] = []
    var impossibilities: [Impossibility] = []
    var notes: [String] = []
}

/// The text formats `profile` reads.
public enum ProfileFormat: String, Sendable, CaseIterable {
    /// One JSON object per line.
    case ndjson
    /// A header row, then RFC 4180 records (arrays as ClickHouse literals).
    case csv
}

/// Cuts bytes, however they arrive (file reads, a generator's buffer), into records — lines, or CSV
/// records whose quoted fields may hold line breaks — parses each into a `ProfileRow` and gives it
/// to the accumulator. A record cut by the end of a chunk waits for the next one.
struct RowFeed<Accumulator: RowAccumulator> {
    var accumulator: Accumulator
    let format: ProfileFormat
    let source: String
    private(set) var rows = 0
    /// Lines consumed so far.
    private var line = 0
    /// Bytes of a record not complete yet.
    private var pending: [UInt8] = []
    /// CSV: the layout column of each header field (-1: not read); nil until the header is read.
    private var mapping: [Int]?
    private var fields: [FieldSlot]
    private var elements: [Range<Int32>] = []

    init(accumulator: Accumulator, format: ProfileFormat, source: String) {
        self.accumulator = accumulator
        self.format = format
        self.source = source
        fields = Array(repeating: .absent, count: Accumulator.layout.columns.count)
    }

    mutating func consume(_ chunk: UnsafeBufferPointer<UInt8>) throws(ProfileInputError) {
        pending.append(contentsOf: chunk)
        try drain(final: false)
    }

    /// Reads the last record (a file need not end with a newline) and returns the measurements.
    mutating func finish() throws(ProfileInputError) -> MeasuredRows {
        try drain(final: true)
        return accumulator.finish()
    }

    private mutating func drain(final: Bool) throws(ProfileInputError) {
        var buffer = pending
        pending = []
        let consumed = try buffer.withUnsafeMutableBufferPointer { (all) throws(ProfileInputError) -> Int in
            var position = 0
            while position < all.count {
                let (end, lines) = recordEnd(all, from: position)
                let complete = end < all.count
                guard complete || final else { break }
                var stop = end
                if stop > position, all[stop - 1] == 0x0D { stop -= 1 }
                try handle(UnsafeMutableBufferPointer(rebasing: all[position..<stop]), line: line + 1)
                line += lines
                position = complete ? end + 1 : end
            }
            return position
        }
        buffer.removeFirst(consumed)
        pending = buffer
    }

    /// Where the record at `start` ends (its newline, or the end of the bytes) and how many lines it
    /// takes.
    private func recordEnd(_ all: UnsafeMutableBufferPointer<UInt8>, from start: Int) -> (end: Int, lines: Int) {
        switch format {
        case .ndjson:
            return (ByteScan.first(0x0A, or: 0x0A, in: all, from: start, end: all.count), 1)
        case .csv:
            var end = start, quoted = false, lines = 1
            while end < all.count {
                let byte = all[end]
                if byte == UInt8(ascii: "\"") {
                    quoted.toggle()
                } else if byte == 0x0A {
                    if !quoted { break }
                    lines += 1
                }
                end += 1
            }
            return (end, lines)
        }
    }

    private mutating func handle(_ record: UnsafeMutableBufferPointer<UInt8>, line: Int) throws(ProfileInputError) {
        var record = record
        if line == 1, record.starts(with: [0xEF, 0xBB, 0xBF]) {
            record = UnsafeMutableBufferPointer(rebasing: record[3...])
        }
        let layout = Accumulator.layout
        do throws(RowProblem) {
            // Field slots hold 32-bit offsets.
            guard record.count < Int(Int32.max) else { throw .malformed("a row of 2 GiB or more") }
            for i in fields.indices { fields[i] = .absent }
            elements.removeAll(keepingCapacity: true)
            switch format {
            case .ndjson:
                var parser = NDJSONRowParser(record)
                guard try parser.parse(layout: layout, fields: &fields, elements: &elements) else { return }
            case .csv:
                guard let mapping else {
                    mapping = try Self.columns(ofHeader: record, layout: layout)
                    return
                }
                guard try CSVRowParser(record).parse(mapping: mapping, layout: layout, fields: &fields, elements: &elements) else { return }
            }
            rows += 1
            try accumulator.add(ProfileRow(bytes: UnsafeBufferPointer(record), fields: fields, elements: elements, layout: layout, number: rows))
        } catch {
            throw ProfileInputError(source: source, line: line, problem: error)
        }
    }

    /// The layout column of each header field; every column of the layout must be there.
    static func columns(ofHeader record: UnsafeMutableBufferPointer<UInt8>, layout: RowLayout) throws(RowProblem) -> [Int] {
        let names = try CSVRowParser(record).split().map { String(decoding: record[$0], as: UTF8.self) }
        let mapping = names.map { layout.columns.firstIndex(of: $0) ?? -1 }
        let missing = layout.columns.indices.filter { !mapping.contains($0) }
        guard missing.isEmpty else { throw .header(missing: missing.map { layout.columns[$0] }) }
        return mapping
    }
}
