/// A parsed JSON document as a Sendable value, for checking API responses.
///
/// Numbers keep their exact text (`.number("18446744073709551615")`), so 64-bit integers and
/// floats compare without rounding; the accessors also accept numbers quoted as strings, which
/// ClickHouse emits for 64-bit integers by default.
public indirect enum JSONValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case let .object(members) = self { return members[key] }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case let .array(items) = self { return items }
        return nil
    }

    public var stringValue: String? {
        if case let .string(text) = self { return text }
        return nil
    }

    /// The number, or a string holding a number, as `Int64` (integers only).
    public var int64Value: Int64? { numericText.flatMap { Int64($0) } }

    /// The number, or a string holding a number, as `UInt64` (integers only).
    public var uint64Value: UInt64? { numericText.flatMap { UInt64($0) } }

    /// The number, or a string holding a number, as `Double`.
    public var doubleValue: Double? { numericText.flatMap { Double($0) } }

    private var numericText: String? {
        switch self {
        case let .number(text), let .string(text): return text
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .null: return "null"
        case let .bool(value): return value ? "true" : "false"
        case let .number(text): return text
        case let .string(text): return JSONValue.quoted(text)
        case let .array(items): return "[" + items.map(\.description).joined(separator: ",") + "]"
        case let .object(members):
            let fields = members.keys.sorted().map { "\(JSONValue.quoted($0)):\(members[$0]?.description ?? "null")" }
            return "{" + fields.joined(separator: ",") + "}"
        }
    }

    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

public enum JSONValueError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(offset: Int, reason: String)

    public var description: String {
        switch self {
        case let .invalid(offset, reason): return "invalid JSON at byte \(offset): \(reason)"
        }
    }
}
