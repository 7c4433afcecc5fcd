/// The NDJSON and CSV writers of spec rows, and the byte helpers they need beyond the seed domains'.
extension NDJSONEncoder {
    /// The row's layout: keys and braces pre-encoded, each column's value drawn in between.
    public mutating func specRow(_ event: SpecRow, timestamp: Int64?) {
        event.write(into: &out, csv: false, timestamp: timestamp)
    }
}

extension CSVEncoder {
    /// The columns in schema order; null is `\N`, arrays and maps ClickHouse literals.
    public mutating func specRow(_ event: SpecRow, timestamp: Int64?) {
        event.write(into: &out, csv: true, timestamp: timestamp)
    }
}

extension SpecRow {
    /// Writes this row at the end of `out` by its compiled plan for the format.
    @inline(__always)
    func write(into out: inout RowScratch, csv: Bool, timestamp: Int64?) {
        out.makeUnique()
        let tables = self.tables
        tables.plans.withBuffers { plans in
            tables.program.withBuffers { program in
                write(plan: RowPlans.index(state: state, csv: csv), plans, program, into: &out, csv ? .csv : .json, timestamp: timestamp)
            }
        }
    }
}

extension RowScratch {
    /// `value` with exactly `digits` digits, zero-padded (reserve first).
    mutating func putPadded(_ value: UInt, digits: Int) {
        var rest = value
        var index = count + digits - 1
        while index >= count {
            base[index] = 48 &+ UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
            index -= 1
        }
        count += digits
    }

    /// A decimal rounded to `digits` fraction digits (none: an integer).
    mutating func putFixed(_ value: Double, digits: Int) {
        reserve(44)
        guard value.isFinite, abs(value) < 9e15 else {
            putDecimal(0)
            return
        }
        let scale = NumberSpec.powersOfTen[digits]
        let scaled = (abs(value) * scale).roundedInline
        if value < 0 && scaled > 0 { put(UInt8(ascii: "-")) }
        let whole = UInt(scaled / scale)
        putDecimal(magnitude: whole)
        if digits > 0 {
            put(UInt8(ascii: "."))
            putPadded(UInt(scaled - Double(whole) * scale), digits: digits)
        }
    }

    /// A random (version 4) UUID from two 64-bit draws: `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`.
    mutating func putUUID(_ high: UInt64, _ low: UInt64) {
        reserve(36)
        let hex: StaticString = "0123456789abcdef"
        let high = (high & ~0xF000) | 0x4000
        let low = (low & ~(0xC << 60)) | (0x8 << 60)
        for i in 0..<16 {
            if i == 8 || i == 12 { put(UInt8(ascii: "-")) }
            put(hex.utf8Start[Int((high >> UInt64(60 - 4 * i)) & 0xF)])
        }
        for i in 0..<16 {
            if i == 0 || i == 4 { put(UInt8(ascii: "-")) }
            put(hex.utf8Start[Int((low >> UInt64(60 - 4 * i)) & 0xF)])
        }
    }

    /// The bytes since `start`, taken out to rewrite them (the rare escaping paths).
    mutating func take(from start: Int) -> [UInt8] {
        let bytes = Array(UnsafeBufferPointer(start: base + start, count: count - start))
        count = start
        return bytes
    }

    /// Rewrites the text since `start` with JSON escapes (the quotes around it are the caller's).
    @inline(never)
    mutating func escapeJSON(from start: Int) {
        let text = take(from: start)
        reserve(text.count * 6)
        let hex: StaticString = "0123456789abcdef"
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""): put("\\\"")
            case UInt8(ascii: "\\"): put("\\\\")
            case 0x0A: put("\\n")
            case 0x0D: put("\\r")
            case 0x09: put("\\t")
            case _ where byte < 0x20:
                put("\\u00")
                put(hex.utf8Start[Int(byte >> 4)])
                put(hex.utf8Start[Int(byte & 0xF)])
            default: put(byte)
            }
        }
    }

    /// Quotes the CSV field written since `start` when it must be (inner quotes doubled).
    @inline(never)
    mutating func quoteCSVField(from start: Int) {
        guard !CleanBytes.csv(UnsafeBufferPointer(start: base + start, count: count - start)) else { return }
        let text = take(from: start)
        reserve(text.count * 2 + 2)
        put(UInt8(ascii: "\""))
        for byte in text {
            if byte == UInt8(ascii: "\"") { put(UInt8(ascii: "\"")) }
            put(byte)
        }
        put(UInt8(ascii: "\""))
    }

    /// Backslash-escapes `'` and `\` in the text since `start` (a ClickHouse literal's string).
    mutating func escapeLiteral(from start: Int) {
        var clean = true
        for i in start..<count where base[i] == UInt8(ascii: "'") || base[i] == UInt8(ascii: "\\") { clean = false }
        guard !clean else { return }
        let text = take(from: start)
        reserve(text.count * 2)
        for byte in text {
            if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\\") { put(UInt8(ascii: "\\")) }
            put(byte)
        }
    }
}
