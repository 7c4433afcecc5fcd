/// Reads one CSV record (RFC 4180, as `CSVEncoder` writes it and ClickHouse reads it) into field
/// slots, by the header's column positions. A quoted field is unquoted in place (doubled quotes
/// become one); an array column holds a ClickHouse array literal (`['a','b']`, backslash escapes).
struct CSVRowParser {
    let record: UnsafeMutableBufferPointer<UInt8>

    init(_ record: UnsafeMutableBufferPointer<UInt8>) {
        self.record = record
    }

    /// The record's fields, unquoted, in order; empty for a blank line.
    func split() throws(RowProblem) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        try forEachField { ranges.append($0) }
        return ranges
    }

    /// Fills `fields` (one per layout column) from the record's fields, `mapping[n]` being the
    /// layout column of field n (or -1); false for a blank line.
    func parse(mapping: [Int], layout: RowLayout, fields: inout [FieldSlot], elements: inout [Range<Int32>]) throws(RowProblem) -> Bool {
        guard !record.isEmpty else { return false }
        var count = 0
        try forEachField { (range) throws(RowProblem) in
            defer { count += 1 }
            guard count < mapping.count, mapping[count] >= 0 else { return }
            let column = mapping[count]
            fields[column] = layout.isArray[column]
                ? try arrayLiteral(range, column: layout.columns[column], elements: &elements)
                : FieldSlot(start: Int32(range.lowerBound), end: Int32(range.upperBound), kind: .text)
        }
        guard count == mapping.count else { throw .fieldCount(found: count, expected: mapping.count) }
        return true
    }

    /// Calls `body` with each field's range (unquoted in place).
    func forEachField(_ body: (Range<Int>) throws(RowProblem) -> Void) throws(RowProblem) {
        guard !record.isEmpty else { return }
        var i = 0
        while true {
            if i < record.count, record[i] == UInt8(ascii: "\"") {
                let start = i + 1
                var read = start, write = start
                while true {
                    guard read < record.count else { throw .malformed("a quoted field is not closed (it starts at byte \(start))") }
                    let byte = record[read]
                    read += 1
                    if byte == UInt8(ascii: "\"") {
                        guard read < record.count, record[read] == UInt8(ascii: "\"") else { break }
                        read += 1
                    }
                    record[write] = byte
                    write += 1
                }
                try body(start..<write)
                i = read
                guard i < record.count else { return }
                guard record[i] == UInt8(ascii: ",") else { throw .malformed("a ',' after the quoted field at byte \(start), found byte \(i + 1)") }
                i += 1
            } else {
                let start = i
                while i < record.count, record[i] != UInt8(ascii: ",") { i += 1 }
                try body(start..<i)
                guard i < record.count else { return }
                i += 1
            }
        }
    }

    /// `['a','b']` (or with double quotes): its elements, unescaped in place.
    func arrayLiteral(_ range: Range<Int>, column: String, elements: inout [Range<Int32>]) throws(RowProblem) -> FieldSlot {
        let first = elements.count
        var i = range.lowerBound
        func skipSpace() { while i < range.upperBound, record[i] == 0x20 { i += 1 } }
        func bad() -> RowProblem {
            .badValue(column: column, expected: "an array like ['a','b']", found: RowProblem.shown(UnsafeBufferPointer(rebasing: record[range])))
        }
        skipSpace()
        guard i < range.upperBound, record[i] == UInt8(ascii: "[") else { throw bad() }
        i += 1
        skipSpace()
        if i < range.upperBound, record[i] == UInt8(ascii: "]") {
            i += 1
        } else {
            while true {
                skipSpace()
                guard i < range.upperBound, record[i] == UInt8(ascii: "'") || record[i] == UInt8(ascii: "\"") else { throw bad() }
                let quote = record[i]
                let start = i + 1
                var read = start, write = start
                while true {
                    guard read < range.upperBound else { throw bad() }
                    var byte = record[read]
                    read += 1
                    if byte == quote { break }
                    if byte == UInt8(ascii: "\\") {
                        guard read < range.upperBound else { throw bad() }
                        byte = Self.unescaped(record[read])
                        read += 1
                    }
                    record[write] = byte
                    write += 1
                }
                elements.append(Int32(start)..<Int32(write))
                i = read
                skipSpace()
                guard i < range.upperBound else { throw bad() }
                if record[i] == UInt8(ascii: "]") {
                    i += 1
                    break
                }
                guard record[i] == UInt8(ascii: ",") else { throw bad() }
                i += 1
            }
        }
        skipSpace()
        guard i == range.upperBound else { throw bad() }
        return FieldSlot(start: Int32(first), end: Int32(elements.count), kind: .array)
    }

    /// The byte a ClickHouse escape `\x` stands for.
    static func unescaped(_ code: UInt8) -> UInt8 {
        switch code {
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "t"): return 0x09
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "0"): return 0x00
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        default: return code
        }
    }
}
