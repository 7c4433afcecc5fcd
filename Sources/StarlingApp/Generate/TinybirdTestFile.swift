import StarlingChecks
import StarlingRun

/// One case of a Tinybird Forward `tests/<pipe>.yaml`, run by `tb test run`: it fetches
/// `/v0/pipes/<pipe>.ndjson?<parameters>` and compares the body with `expectedResult` exactly.
public struct TinybirdTestCase: Sendable, Equatable {
    public var name: String
    public var description: String
    /// The query string, e.g. `start_date=2025-05-12%2000%3A00%3A00&limit=5` (values percent-encoded).
    public var parameters: String
    /// The exact `.ndjson` body: one JSON object per line, each ending in a newline.
    public var expectedResult: String
    public var expectedHTTPStatus: Int

    public init(name: String, description: String, parameters: String, expectedResult: String, expectedHTTPStatus: Int = 200) {
        (self.name, self.description, self.parameters) = (name, description, parameters)
        (self.expectedResult, self.expectedHTTPStatus) = (expectedResult, expectedHTTPStatus)
    }

    /// `a=1&b=2` with names sorted and values percent-encoded (everything but RFC 3986 unreserved
    /// characters), so that `tb test run`, which appends the text to the URL as it is, sends them intact.
    public static func queryString(_ parameters: PipeParameters) -> String {
        parameters.sorted.map { percentEncoded($0.name) + "=" + percentEncoded($0.value) }.joined(separator: "&")
    }

    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }
}

/// The YAML text of a test file: a list of mappings. Short scalars are double-quoted (escaped);
/// a non-empty `expected_result` is a literal block (`|`, clip: exactly one final newline, which the
/// body always has), indented four spaces, as `tb test create` writes it.
enum TinybirdTestYAML {
    static func render(_ cases: [TinybirdTestCase]) -> String {
        var out = ""
        for (i, test) in cases.enumerated() {
            if i > 0 { out += "\n" }
            out += "- name: " + quoted(test.name) + "\n"
            out += "  description: " + quoted(test.description) + "\n"
            out += "  parameters: " + quoted(test.parameters) + "\n"
            if test.expectedResult.isEmpty || !test.expectedResult.hasSuffix("\n") || !blockSafe(test.expectedResult) {
                out += "  expected_result: " + quoted(test.expectedResult) + "\n"
            } else {
                out += "  expected_result: |\n"
                for line in test.expectedResult.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
                    out += "    " + line + "\n"
                }
            }
            out += "  expected_http_status: \(test.expectedHTTPStatus)\n"
        }
        return out
    }

    /// A literal block keeps every character of lines that are not empty, do not start with a space,
    /// and hold only printable characters (a JSON line always does: its control characters are escaped).
    static func blockSafe(_ text: String) -> Bool {
        text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).allSatisfy { line in
            !line.isEmpty && line.first != " " && line.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0 != "\u{7F}" && $0.value != 0xFEFF && $0 != "\u{2028}" && $0 != "\u{2029}" && $0 != "\u{85}" }
        }
    }

    /// A YAML double-quoted scalar: `\` and `"` escaped, control characters as `\xXX` / `\uXXXX`.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}" || scalar.value == 0xFEFF {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
