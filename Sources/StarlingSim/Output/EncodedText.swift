/// A string value written many times — a per-product JSON object, a category — with its NDJSON
/// literal and CSV field computed once, so writing it is one copy with no scan and no escaping.
/// One reference, like a String: copying an event that holds one costs no more than before.
public struct EncodedText: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    @usableFromInline final class Forms: Sendable {
        let text: String
        /// The quoted, escaped JSON string literal.
        @usableFromInline let json: [UInt8]
        /// The CSV field (quoted when it must be).
        @usableFromInline let csv: [UInt8]

        init(_ text: String) {
            self.text = text
            var ndjson = NDJSONEncoder(capacity: text.utf8.count * 6 + 16)
            ndjson.beginRow()
            ndjson.string("v", text)
            ndjson.endRow()
            json = Array(ndjson.bytes.dropFirst(#"{"v":"#.utf8.count).dropLast("}\n".utf8.count))
            var fields = CSVEncoder(capacity: text.utf8.count * 2 + 4)
            fields.beginRow()
            fields.string("v", text)
            fields.endRow()
            csv = Array(fields.bytes.dropLast())
        }
    }

    @usableFromInline let forms: Forms

    public init(_ text: String) { forms = Forms(text) }

    public init(stringLiteral text: String) { self.init(text) }

    public var text: String { forms.text }
    public var description: String { forms.text }

    public static func == (a: EncodedText, b: EncodedText) -> Bool { a.forms === b.forms || a.forms.text == b.forms.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(forms.text) }
}
