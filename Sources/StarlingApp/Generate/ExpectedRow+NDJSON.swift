import StarlingChecks
import StarlingRun
import StarlingSim

extension ExpectedRow {
    /// The row as one line of a pipe's `.ndjson` answer (ClickHouse `JSONEachRow` with
    /// `output_format_json_quote_64bit_integers=0`), without the newline: keys in SELECT order.
    public var ndjsonLine: String {
        var out = "{"
        for (i, column) in columns.enumerated() {
            if i > 0 { out += "," }
            ClickHouseJSON.appendString(column.name, to: &out)
            out += ":"
            column.value.appendNDJSON(to: &out)
        }
        return out + "}"
    }

    /// A whole `.ndjson` body: one line per row, each ending in a newline ("" for no rows).
    public static func ndjsonBody(_ rows: [ExpectedRow]) -> String {
        rows.map { $0.ndjsonLine + "\n" }.joined()
    }
}

extension ExpectedValue {
    /// Appends the value as ClickHouse's JSON output writes it. A multiset is written in the order
    /// held (the caller puts it in the target's storage order first).
    func appendNDJSON(to out: inout String) {
        switch self {
        case .string(let s): ClickHouseJSON.appendString(s, to: &out)
        case .integer(let n): out += String(n)
        case .float(let x): out += ClickHouseJSON.float(x)
        case .rounded2(let x), .rounded2OfFloatSum(let x): out += ClickHouseJSON.float(ClickHouseMath.round2(x))
        case .dateTime(let t): out += "\"" + formatTimestamp(t) + "\""
        case .null: out += "null"
        case .array(let items), .multiset(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.appendNDJSON(to: &out)
            }
            out += "]"
        }
    }
}

/// ClickHouse's JSON text for strings and Float64, as its `JSONEachRow` output writes them.
enum ClickHouseJSON {
    /// A JSON string: `"`, `\`, `/` escaped with a backslash; \b \f \n \r \t; other control bytes as
    /// `\u00XX` (uppercase hex); U+2028 and U+2029 as `\u2028` / `\u2029`; everything else raw UTF-8.
    static func appendString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/": out += "\\/"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// A Float64 as ClickHouse prints it: the shortest digits that round-trip, written plainly when
    /// the decimal exponent n (value = 0.d₁d₂… × 10ⁿ) satisfies -6 < n ≤ 21, else as `d.ddde±x` without
    /// a plus sign (`1e21`, `1.5e-7`); whole numbers without a fraction (`3`); NaN and ±inf as `null`.
    static func float(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        let sign = x.sign == .minus ? "-" : ""
        if x == 0 { return sign + "0" }
        // Swift's description gives the shortest round-trip digits, e.g. "0.30000000000000004", "1e-07", "1.234e+25".
        let text = x.magnitude.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = parts[0]
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let dot = mantissa.firstIndex(of: ".")
        let integerPart = dot.map { mantissa[..<$0] } ?? mantissa
        let fractionPart = dot.map { mantissa[mantissa.index(after: $0)...] } ?? ""
        var digits = Array(integerPart + fractionPart)
        var n = integerPart.count + exponent
        while digits.first == "0", digits.count > 1 { digits.removeFirst(); n -= 1 }
        while digits.last == "0", digits.count > 1 { digits.removeLast() }
        let k = digits.count
        let d = String(digits)
        if k <= n, n <= 21 { return sign + d + String(repeating: "0", count: n - k) }
        if 0 < n, n <= 21 { return sign + String(digits[..<n]) + "." + String(digits[n...]) }
        if -6 < n, n <= 0 { return sign + "0." + String(repeating: "0", count: -n) + d }
        let e = n - 1
        let mant = k == 1 ? d : String(digits[0]) + "." + String(digits[1...])
        return sign + mant + "e" + String(e)
    }
}
