
/// Starling's one JSON value: scenarios and field specs are read into it, pipe answers are parsed
/// into it, and the checks compare with it.
///
/// Numbers keep their exact text (`.number("18446744073709551615")`, `.number("1.50")`), so 64-bit
/// integers and decimals survive untouched and each reader decides how to take them: the typed
/// accessors below convert on demand. The numeric accessors also accept numbers quoted as strings,
/// which ClickHouse emits for 64-bit integers by default; `number` does not (a configuration value
/// must be a JSON number).
public indirect enum JSONValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// An integer, as JSON text.
    public static func integer(_ value: Int64) -> JSONValue { .number(String(value)) }

    /// A double, as its shortest round-tripping text (`2.5`, `3`, `1e-07`); `null` when not finite,
    /// as ClickHouse writes infinities and NaN in JSON.
    public static func double(_ value: Double) -> JSONValue {
        value.isFinite ? .number(numberText(value)) : .null
    }

    /// The shortest text of a finite double that JSON and ClickHouse read back as the same value:
    /// integral values below 10^15 without a fraction (`3`, not `3.0`).
    public static func numberText(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    public subscript(key: String) -> JSONValue? {
        if case let .object(members) = self { return members[key] }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case let .object(members) = self { return members }
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

    public var boolValue: Bool? {
        if case let .bool(value) = self { return value }
        return nil
    }

    /// A JSON number (not a quoted one) as a finite `Double`: how configuration reads numbers.
    public var number: Double? {
        guard case let .number(text) = self, let value = Double(text), value.isFinite else { return nil }
        return value
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

    /// The value as compact JSON text (object keys sorted, so equal values print alike).
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

    /// A short description of the value's kind and content, for error messages.
    public var summary: String {
        switch self {
        case .null: return "null"
        case let .bool(value): return value ? "true" : "false"
        case let .number(text): return text
        // Escaped: a message quoting a value must not carry its line breaks or terminal escapes.
        case let .string(text): return text.count > 40 ? String(JSONValue.quoted(String(text.prefix(40))).dropLast()) + "…\"" : JSONValue.quoted(text)
        case let .array(items): return "an array of \(items.count)"
        case .object: return "an object"
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped (RFC 8259).
    public static func quoted(_ text: String) -> String {
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

    /// Where the error is as `line L, column C` of `bytes` (1-based), for a file a person edits.
    public func position(in bytes: [UInt8]) -> (line: Int, column: Int) {
        guard case let .invalid(offset, _) = self else { return (1, 1) }
        var line = 1, lineStart = 0
        for index in 0..<min(offset, bytes.count) where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        return (line, offset - lineStart + 1)
    }

    public var reason: String {
        switch self {
        case let .invalid(_, reason): return reason
        }
    }
}
