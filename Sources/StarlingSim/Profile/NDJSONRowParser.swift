/// Reads one NDJSON line — a flat JSON object — into field slots: the layout's columns get their
/// value's range (strings unescaped in place, arrays of strings as elements), other keys are skipped
/// whatever their value. A key given twice keeps its last value.
struct NDJSONRowParser {
    let line: UnsafeMutableBufferPointer<UInt8>
    var i = 0

    init(_ line: UnsafeMutableBufferPointer<UInt8>) {
        self.line = line
    }

    /// Fills `fields` (one per layout column) and `elements`; false for a blank line.
    mutating func parse(layout: RowLayout, fields: inout [FieldSlot], elements: inout [Range<Int32>]) throws(RowProblem) -> Bool {
        skipSpace()
        guard i < line.count else { return false }
        try expect(UInt8(ascii: "{"), "a JSON object")
        skipSpace()
        if peek == UInt8(ascii: "}") {
            i += 1
            return try end()
        }
        var previous = -1
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw malformed("a key") }
            let key = try string()
            skipSpace()
            try expect(UInt8(ascii: ":"), "':' after a key")
            skipSpace()
            let column = layout.column(named: UnsafeBufferPointer(rebasing: line[key]), after: previous)
            if let column {
                previous = column
                fields[column] = try value(array: layout.isArray[column], elements: &elements)
            } else {
                try skipValue(depth: 0)
            }
            skipSpace()
            guard i < line.count else { throw malformed("',' or '}'") }
            let byte = line[i]
            i += 1
            if byte == UInt8(ascii: "}") { return try end() }
            guard byte == UInt8(ascii: ",") else { throw malformed("',' or '}'", at: i - 1) }
        }
    }

    @inline(__always)
    var peek: UInt8 { i < line.count ? line[i] : 0 }

    @inline(__always)
    mutating func skipSpace() {
        while i < line.count, line[i] == 0x20 || line[i] == 0x09 || line[i] == 0x0D { i += 1 }
    }

    mutating func end() throws(RowProblem) -> Bool {
        skipSpace()
        guard i == line.count else { throw malformed("the end of the line after the object") }
        return true
    }

    @inline(__always)
    mutating func expect(_ byte: UInt8, _ what: String) throws(RowProblem) {
        guard peek == byte else { throw malformed(what) }
        i += 1
    }

    func malformed(_ expected: String, at position: Int? = nil) -> RowProblem {
        let at = position ?? i
        return .malformed("not a JSON object: expected \(expected) at byte \(at + 1)")
    }

    /// A value of a column: its slot.
    mutating func value(array: Bool, elements: inout [Range<Int32>]) throws(RowProblem) -> FieldSlot {
        let byte = peek
        if byte == UInt8(ascii: "\"") {
            let range = try string()
            return FieldSlot(start: Int32(range.lowerBound), end: Int32(range.upperBound), kind: .text)
        }
        if byte == UInt8(ascii: "["), array {
            let first = elements.count
            i += 1
            skipSpace()
            if peek == UInt8(ascii: "]") {
                i += 1
            } else {
                while true {
                    skipSpace()
                    guard peek == UInt8(ascii: "\"") else { throw malformed("a string in the array") }
                    let range = try string()
                    elements.append(Int32(range.lowerBound)..<Int32(range.upperBound))
                    skipSpace()
                    if peek == UInt8(ascii: "]") {
                        i += 1
                        break
                    }
                    try expect(UInt8(ascii: ","), "',' or ']' in the array")
                }
            }
            return FieldSlot(start: Int32(first), end: Int32(elements.count), kind: .array)
        }
        let start = i
        if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
            try skipValue(depth: 0)
            return FieldSlot(start: Int32(start), end: Int32(i), kind: byte == UInt8(ascii: "[") ? .array : .object)
        }
        while i < line.count, Self.isTokenByte(line[i]) { i += 1 }
        guard i > start else { throw malformed("a value") }
        let token = UnsafeBufferPointer(rebasing: line[start..<i])
        let kind: FieldSlot.Kind
        switch token.first {
        case UInt8(ascii: "n"): kind = .null
        case UInt8(ascii: "t"), UInt8(ascii: "f"): kind = .literal
        default: kind = .number
        }
        if kind != .number, !Self.isLiteral(token) { throw malformed("a value", at: start) }
        return FieldSlot(start: Int32(start), end: Int32(i), kind: kind)
    }

    static func isTokenByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "E")
    }

    static func isLiteral(_ token: UnsafeBufferPointer<UInt8>) -> Bool {
        token.elementsEqual("null".utf8) || token.elementsEqual("true".utf8) || token.elementsEqual("false".utf8)
    }

    /// A string at `i` (on its opening quote): its content's range, unescaped in place unless
    /// `decode` is false (a value the profile skips).
    mutating func string(decode: Bool = true) throws(RowProblem) -> Range<Int> {
        let start = i + 1
        var j = start
        var escaped = false
        while true {
            j = ByteScan.first(UInt8(ascii: "\""), or: UInt8(ascii: "\\"), in: line, from: j, end: line.count)
            guard j < line.count, line[j] == UInt8(ascii: "\\") else { break }
            escaped = true
            j += 2
        }
        guard j < line.count else { throw malformed("the end of a string", at: start - 1) }
        i = j + 1
        guard escaped, decode else { return start..<j }
        return start..<(try unescape(start..<j))
    }

    /// Decodes the escapes of `range` in place (the text only shrinks); returns the new end.
    func unescape(_ range: Range<Int>) throws(RowProblem) -> Int {
        var read = range.lowerBound, write = range.lowerBound
        while read < range.upperBound {
            let byte = line[read]
            read += 1
            guard byte == UInt8(ascii: "\\") else {
                line[write] = byte
                write += 1
                continue
            }
            guard read < range.upperBound else { throw malformed("an escape", at: read - 1) }
            let code = line[read]
            read += 1
            switch code {
            case UInt8(ascii: "n"): line[write] = 0x0A
            case UInt8(ascii: "t"): line[write] = 0x09
            case UInt8(ascii: "r"): line[write] = 0x0D
            case UInt8(ascii: "b"): line[write] = 0x08
            case UInt8(ascii: "f"): line[write] = 0x0C
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): line[write] = code
            case UInt8(ascii: "u"):
                guard var scalar = hex4(at: read, end: range.upperBound) else { throw malformed("four hex digits after \\u", at: read) }
                read += 4
                if (0xD800..<0xDC00).contains(scalar), read + 6 <= range.upperBound, line[read] == UInt8(ascii: "\\"),
                   line[read + 1] == UInt8(ascii: "u"), let low = hex4(at: read + 2, end: range.upperBound), (0xDC00..<0xE000).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    read += 6
                }
                // A lone surrogate becomes U+FFFD; at most 4 bytes from the 6 or 12 read.
                for unit in (Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8 {
                    line[write] = unit
                    write += 1
                }
                continue
            default: throw malformed("a valid escape", at: read - 2)
            }
            write += 1
        }
        return write
    }

    func hex4(at position: Int, end: Int) -> UInt32? {
        guard position + 4 <= end else { return nil }
        var value: UInt32 = 0
        for byte in line[position..<position + 4] {
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }

    /// Skips any JSON value (nested objects and arrays included) of a key the profile does not read.
    mutating func skipValue(depth: Int) throws(RowProblem) {
        guard depth < 64 else { throw malformed("at most 64 levels of nesting") }
        let byte = peek
        switch byte {
        case UInt8(ascii: "\""):
            _ = try string(decode: false)
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            let close = byte == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}")
            i += 1
            skipSpace()
            if peek == close {
                i += 1
                return
            }
            while true {
                skipSpace()
                if close == UInt8(ascii: "}") {
                    guard peek == UInt8(ascii: "\"") else { throw malformed("a key") }
                    _ = try string(decode: false)
                    skipSpace()
                    try expect(UInt8(ascii: ":"), "':' after a key")
                    skipSpace()
                }
                try skipValue(depth: depth + 1)
                skipSpace()
                if peek == close {
                    i += 1
                    return
                }
                try expect(UInt8(ascii: ","), "',' in a nested value")
            }
        default:
            let start = i
            while i < line.count, Self.isTokenByte(line[i]) { i += 1 }
            guard i > start else { throw malformed("a value") }
        }
    }
}
