import StarlingJSON

/// What a server said when it refused a request, as one short line fit for a summary: the
/// `error` of a Tinybird error body (`{"error": "..."}`), else the body's start; control
/// characters folded to spaces, the token never included, at most `limit` characters.
public enum ServerErrorText {
    public static let limit = 240

    public static func line(status: Int, body: [UInt8], token: String) -> String {
        var text = ""
        if let json = try? JSONValue.parse(body), let error = json["error"]?.stringValue {
            text = error
        } else {
            text = String(decoding: body.prefix(4 * limit), as: UTF8.self)
        }
        return "HTTP \(status)" + (text.isEmpty ? "" : ": " + clean(text, token: token))
    }

    /// One line: the token replaced, control characters and runs of spaces folded, cut to `limit`.
    public static func clean(_ text: String, token: String) -> String {
        var text = text
        if token.count >= 4 { text = text.replacing(token, with: "<token>") }
        var out = ""
        var lastSpace = false
        for scalar in text.unicodeScalars {
            let space = scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
            if space {
                if !lastSpace && !out.isEmpty { out.append(" ") }
                lastSpace = true
            } else {
                out.unicodeScalars.append(scalar)
                lastSpace = false
            }
            if out.count >= limit { return String(out.prefix(limit - 1)) + "…" }
        }
        return lastSpace ? String(out.dropLast()) : out
    }
}
