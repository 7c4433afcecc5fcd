/// Text from a file or a server made safe to print on one line: control characters (a line break,
/// an escape sequence that could forge a console line) shown escaped, and anything past `limit`
/// characters cut. Every error that quotes what it read prints through this.
public enum PrintableText {
    public static func line(_ text: String, limit: Int = 2000) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out.count > limit ? String(out.prefix(limit)) + "…" : out
    }
}
