/// The columns a profile reads from a datasource (in the order it numbers them) and which of them
/// hold arrays. Other columns of a row are skipped.
struct RowLayout: Sendable {
    let columns: [String]
    let isArray: [Bool]
    let names: [[UInt8]]

    init(_ columns: [String], arrays: Set<String> = []) {
        self.columns = columns
        isArray = columns.map { arrays.contains($0) }
        names = columns.map { Array($0.utf8) }
    }

    /// The column named `key`: the one after `previous` is tried first (rows mostly list their keys
    /// in one order).
    @inline(__always)
    func column(named key: UnsafeBufferPointer<UInt8>, after previous: Int) -> Int? {
        let guess = previous + 1
        if guess < names.count, Self.equal(names[guess], key) { return guess }
        for (index, name) in names.enumerated() where index != guess && Self.equal(name, key) { return index }
        return nil
    }

    @inline(__always)
    static func equal(_ name: [UInt8], _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard name.count == key.count else { return false }
        return name.withUnsafeBufferPointer { n in
            guard let a = n.baseAddress, let b = key.baseAddress else { return true }
            return memoryEqual(a, b, key.count)
        }
    }
}

/// Where one column's value is in a record: a byte range for a scalar, an `elements` range for an
/// array. `start`/`end` are offsets from the record's first byte.
struct FieldSlot: Sendable {
    enum Kind: UInt8, Sendable {
        case absent, text, number, literal, null, array, object
    }

    var start: Int32 = 0
    var end: Int32 = 0
    var kind: Kind = .absent

    static let absent = FieldSlot()
}

/// One row of a datasource as its accumulator reads it: the record's bytes (strings already
/// unescaped in place) and, per column of the layout, where its value is. Both formats (NDJSON and
/// CSV) become this, so the statistics have one code path. It points into the feed's buffer: it is
/// valid only during the `add(_:)` it is passed to.
struct ProfileRow {
    let bytes: UnsafeBufferPointer<UInt8>
    let fields: [FieldSlot]
    /// Array elements: byte ranges of `bytes`.
    let elements: [Range<Int32>]
    let layout: RowLayout
    /// The row's number among the source's rows (1-based; a CSV header is not a row): examples name
    /// rows by it, the same whichever the format.
    let number: Int

    @inline(__always)
    func slot(_ column: Int) throws(RowProblem) -> FieldSlot {
        let slot = fields[column]
        switch slot.kind {
        case .absent, .null: throw .missing(column: layout.columns[column])
        case .array, .object: throw .badValue(column: layout.columns[column], expected: "a single value", found: slot.kind == .array ? "an array" : "an object")
        case .text, .number, .literal: return slot
        }
    }

    @inline(__always)
    func range(_ slot: FieldSlot) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[Int(slot.start)..<Int(slot.end)])
    }

    /// The text of a column (a JSON number is taken as its text: ids are strings, but need not be).
    @inline(__always)
    func text(_ column: Int) throws(RowProblem) -> UnsafeBufferPointer<UInt8> {
        range(try slot(column))
    }

    /// The column's value as an Int32 (`-12`, `300`: the schema's Int32 columns).
    func integer(_ column: Int) throws(RowProblem) -> Int {
        let text = try text(column)
        guard let value = DecimalText.integer(text), value >= Int(Int32.min), value <= Int(Int32.max) else {
            throw .badValue(column: layout.columns[column], expected: "an Int32 integer", found: RowProblem.shown(text))
        }
        return value
    }

    /// The column's value as a number (`19.99`, `1e3`).
    func number(_ column: Int) throws(RowProblem) -> Double {
        let text = try text(column)
        guard let value = DecimalText.double(text) else {
            throw .badValue(column: layout.columns[column], expected: "a number", found: RowProblem.shown(text))
        }
        return value
    }

    /// The column's `YYYY-MM-DD HH:MM:SS[.fff]` (UTC) as Unix milliseconds.
    func milliseconds(_ column: Int) throws(RowProblem) -> Int64 {
        let text = try text(column)
        guard let value = TimestampText.milliseconds(text) else {
            throw .badValue(column: layout.columns[column], expected: "a timestamp 'YYYY-MM-DD HH:MM:SS' (UTC)", found: RowProblem.shown(text))
        }
        return value
    }

    /// Calls `body` with each element of an array column.
    func forEachElement(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(RowProblem) {
        let slot = fields[column]
        switch slot.kind {
        case .array:
            for element in elements[Int(slot.start)..<Int(slot.end)] {
                body(UnsafeBufferPointer(rebasing: bytes[Int(element.lowerBound)..<Int(element.upperBound)]))
            }
        case .absent, .null: throw .missing(column: layout.columns[column])
        default: throw .badValue(column: layout.columns[column], expected: "an array of strings", found: RowProblem.shown(range(slot)))
        }
    }
}

/// Numbers from their decimal text, without building a `String` on the common path.
enum DecimalText {
    static func integer(_ text: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0, negative = false
        if i < text.count, text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+") {
            negative = text[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < text.count, text.count - i <= 18 else { return nil }
        var value = 0
        while i < text.count {
            let digit = Int(text[i]) &- 48
            guard digit >= 0, digit <= 9 else { return nil }
            value = value * 10 + digit
            i += 1
        }
        return negative ? -value : value
    }

    /// Exact: a mantissa below 2^53 divided by a power of ten up to 10^22 is one correctly rounded
    /// IEEE operation, as `strtod` would round; anything else (exponents, long mantissas) goes to the
    /// standard library's parser.
    static func double(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0, negative = false
        if i < text.count, text[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var mantissa: UInt64 = 0, digits = 0, fraction = 0, seenPoint = false
        while i < text.count {
            let byte = text[i]
            if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else if byte >= 48, byte <= 57, digits < 18 {
                mantissa = mantissa * 10 + UInt64(byte - 48)
                digits += 1
                if seenPoint { fraction += 1 }
            } else {
                return Double(String(decoding: text, as: UTF8.self)).flatMap { $0.isFinite ? $0 : nil }
            }
            i += 1
        }
        guard digits > 0, mantissa < 1 << 53 else { return nil }
        let value = Double(mantissa) / powersOfTen[fraction]
        return negative ? -value : value
    }

    static let powersOfTen: [Double] = (0...22).map { exponent in (0..<exponent).reduce(1.0) { value, _ in value * 10 } }
}

/// `YYYY-MM-DD HH:MM:SS` in UTC (a `T` for the space, fractional seconds and a trailing `Z` are
/// accepted), as Unix milliseconds; fractions beyond the millisecond are dropped.
enum TimestampText {
    static func milliseconds(_ t: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard t.count >= 19,
              t[4] == UInt8(ascii: "-"), t[7] == UInt8(ascii: "-"), t[10] == UInt8(ascii: " ") || t[10] == UInt8(ascii: "T"),
              t[13] == UInt8(ascii: ":"), t[16] == UInt8(ascii: ":")
        else { return nil }
        func number(_ from: Int, _ count: Int) -> Int {
            var value = 0
            for i in from..<from + count {
                let digit = Int(t[i]) &- 48
                guard digit >= 0, digit <= 9 else { return -1 }
                value = value * 10 + digit
            }
            return value
        }
        let year = number(0, 4), month = number(5, 2), day = number(8, 2)
        let hour = number(11, 2), minute = number(14, 2), second = number(17, 2)
        guard year >= 0, (1...12).contains(month), day >= 1, day <= CivilTime.daysIn(month: month, year: year),
              (0..<24).contains(hour), (0..<60).contains(minute), (0..<60).contains(second)
        else { return nil }
        var i = 19, millis = 0
        if i < t.count, t[i] == UInt8(ascii: ".") {
            i += 1
            var place = 100, digits = 0
            while i < t.count, t[i] >= 48, t[i] <= 57 {
                millis += Int(t[i] - 48) * place
                place /= 10
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
        }
        if i < t.count, t[i] == UInt8(ascii: "Z") { i += 1 }
        guard i == t.count else { return nil }
        let seconds = CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second).epochSeconds
        return seconds * 1000 + Int64(millis)
    }
}
