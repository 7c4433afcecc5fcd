import Foundation

/// A JSON value of a pipe's answer. Integers are kept exact (64-bit), apart from other numbers.
public indirect enum ResultValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([ResultValue])
    case object([String: ResultValue])

    public init(from decoder: any Decoder) throws {
        if var items = try? decoder.unkeyedContainer() {
            var values: [ResultValue] = []
            while !items.isAtEnd { values.append(try items.decode(ResultValue.self)) }
            self = .array(values)
        } else if let object = try? decoder.container(keyedBy: Key.self) {
            var values: [String: ResultValue] = [:]
            for key in object.allKeys { values[key.stringValue] = try object.decode(ResultValue.self, forKey: key) }
            self = .object(values)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                self = .null
            } else if let b = try? single.decode(Bool.self) {
                self = .bool(b)
            } else if let n = try? single.decode(Int64.self) {
                self = .integer(n)
            } else if let x = try? single.decode(Double.self) {
                self = .number(x)
            } else {
                self = .string(try single.decode(String.self))
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .integer(let n):
            var c = encoder.singleValueContainer()
            try c.encode(n)
        case .number(let x):
            var c = encoder.singleValueContainer()
            try c.encode(x)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .array(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        case .object(let fields):
            var c = encoder.container(keyedBy: Key.self)
            for (name, value) in fields { try c.encode(value, forKey: Key(stringValue: name)) }
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The value as JSON text, for diffs.
    public var rendered: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return "\(b)"
        case .integer(let n): return "\(n)"
        case .number(let x): return "\(x)"
        case .string(let s): return "\"\(s)\""
        case .array(let items): return "[" + items.map(\.rendered).joined(separator: ",") + "]"
        case .object(let fields):
            return "{" + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value.rendered)" }.joined(separator: ",") + "}"
        }
    }

    /// The numeric value of a number or a numeric string (64-bit integers may be quoted).
    public var numeric: Double? {
        switch self {
        case .integer(let n): return Double(n)
        case .number(let x): return x
        case .string(let s): return Double(s)
        default: return nil
        }
    }
}

/// The rows of a pipe endpoint's JSON answer (`{"meta": …, "data": [{…}, …], "rows": n, …}`).
public enum PipeResponse {
    public static func rows(fromJSON data: Data) throws(CheckError) -> [[String: ResultValue]] {
        let document: ResultValue
        do {
            document = try JSONDecoder().decode(ResultValue.self, from: data)
        } catch {
            throw .invalidResponse(reason: "not JSON (\(error))")
        }
        guard case .object(let top) = document, case .array(let items)? = top["data"] else {
            throw .invalidResponse(reason: "no \"data\" array")
        }
        var rows: [[String: ResultValue]] = []
        for (index, item) in items.enumerated() {
            guard case .object(let row) = item else { throw .invalidResponse(reason: "data[\(index)] is not an object") }
            rows.append(row)
        }
        return rows
    }
}
