/// A ClickHouse column type as a `.datasource` SCHEMA writes it: `String`, `LowCardinality(String)`,
/// `Nullable(DateTime64(3))`, `Array(UInt32)`, `Map(String, Float64)`, `Decimal(10, 2)`,
/// `Enum8('a' = 1, 'b' = 2)`… Aggregate-state types (`AggregateFunction(…)`) are kept as `aggregate`:
/// a datasource holding them is the target of a materialized pipe, never sent events.
public indirect enum ColumnType: Sendable, Equatable, CustomStringConvertible {
    case string
    /// `FixedString(n)`.
    case fixedString(Int)
    case integer(bits: Int, signed: Bool)
    case float(bits: Int)
    case decimal(precision: Int, scale: Int)
    case bool
    case uuid
    case date
    case dateTime
    /// `DateTime64(precision)`: fractional seconds with `precision` digits.
    case dateTime64(precision: Int)
    /// `Enum8`/`Enum16`: the values' names, in declaration order.
    case enumeration([String])
    case lowCardinality(ColumnType)
    case nullable(ColumnType)
    case array(ColumnType)
    case map(key: ColumnType, value: ColumnType)
    /// `AggregateFunction(…)` / `SimpleAggregateFunction(…)`, `IPv4`, `JSON`…: read, never generated.
    case other(String)

    /// The type without `LowCardinality` and `Nullable` wrappers.
    public var base: ColumnType {
        switch self {
        case .lowCardinality(let t), .nullable(let t): return t.base
        default: return self
        }
    }

    public var isNullable: Bool {
        switch self {
        case .nullable: return true
        case .lowCardinality(let t): return t.isNullable
        default: return false
        }
    }

    public var isLowCardinality: Bool {
        if case .lowCardinality = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .string: return "String"
        case .fixedString(let n): return "FixedString(\(n))"
        case .integer(let bits, let signed): return "\(signed ? "Int" : "UInt")\(bits)"
        case .float(let bits): return "Float\(bits)"
        case .decimal(let p, let s): return "Decimal(\(p), \(s))"
        case .bool: return "Bool"
        case .uuid: return "UUID"
        case .date: return "Date"
        case .dateTime: return "DateTime"
        case .dateTime64(let p): return "DateTime64(\(p))"
        case .enumeration(let values): return "Enum(\(values.map { "'\($0)'" }.joined(separator: ", ")))"
        case .lowCardinality(let t): return "LowCardinality(\(t))"
        case .nullable(let t): return "Nullable(\(t))"
        case .array(let t): return "Array(\(t))"
        case .map(let k, let v): return "Map(\(k), \(v))"
        case .other(let text): return text
        }
    }

    /// Types nest no deeper than this (`Array(Nullable(…))`); deeper text is not a type. Each level
    /// copies its inner text, so the bound also keeps parsing linear in the text's length.
    public static let maximumNesting = 32

    /// Parses a type; nil when the text is not a type (the caller names file and line).
    public init?(parsing text: String) {
        self.init(parsing: text, depth: 0)
    }

    private init?(parsing text: String, depth: Int) {
        guard depth < Self.maximumNesting else { return nil }
        let text = text.trimming([" ", "\t", "\n"])
        guard let open = text.firstIndex(of: "(") else {
            guard let simple = Self.simple(text) else { return nil }
            self = simple
            return
        }
        guard text.hasSuffix(")") else { return nil }
        let name = String(text[..<open]).trimming([" "])
        let inner = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        let arguments = TemplateScanner.splitArguments(inner)
        switch name {
        case "LowCardinality", "Nullable", "Array":
            guard arguments.count == 1, let wrapped = ColumnType(parsing: arguments[0], depth: depth + 1) else { return nil }
            self = name == "Array" ? .array(wrapped) : name == "Nullable" ? .nullable(wrapped) : .lowCardinality(wrapped)
        case "Map":
            guard arguments.count == 2, let key = ColumnType(parsing: arguments[0], depth: depth + 1),
                  let value = ColumnType(parsing: arguments[1], depth: depth + 1) else { return nil }
            self = .map(key: key, value: value)
        case "Decimal":
            guard arguments.count == 2, let p = Int(arguments[0]), let s = Int(arguments[1]), (1...76).contains(p), (0...p).contains(s) else { return nil }
            self = .decimal(precision: p, scale: s)
        case "Decimal32", "Decimal64", "Decimal128", "Decimal256":
            let precision = ["Decimal32": 9, "Decimal64": 18, "Decimal128": 38, "Decimal256": 76][name] ?? 18
            guard arguments.count == 1, let s = Int(arguments[0]), (0...precision).contains(s) else { return nil }
            self = .decimal(precision: precision, scale: s)
        case "DateTime64":
            guard let first = arguments.first, let p = Int(first), (0...9).contains(p), arguments.count <= 2 else { return nil }
            self = .dateTime64(precision: p)
        case "DateTime":
            guard arguments.count == 1 else { return nil }  // DateTime('UTC')
            self = .dateTime
        case "FixedString":
            guard arguments.count == 1, let n = Int(arguments[0]), n > 0 else { return nil }
            self = .fixedString(n)
        case "Enum8", "Enum16", "Enum":
            var values: [String] = []
            for argument in arguments {
                // 'name' = 1, or just 'name'
                let quoted = argument.split(separator: "=", maxSplits: 1).first.map { String($0).trimming([" "]) } ?? ""
                guard quoted.count >= 2, quoted.first == "'", quoted.last == "'" else { return nil }
                values.append(String(quoted.dropFirst().dropLast()))
            }
            guard !values.isEmpty else { return nil }
            self = .enumeration(values)
        case "AggregateFunction", "SimpleAggregateFunction", "Tuple", "Nested", "Variant", "JSON", "Object":
            self = .other(text)
        default:
            return nil
        }
    }

    static func simple(_ name: String) -> ColumnType? {
        switch name {
        case "String": return .string
        case "Bool", "Boolean": return .bool
        case "UUID": return .uuid
        case "Date", "Date32": return .date
        case "DateTime": return .dateTime
        case "Float32": return .float(bits: 32)
        case "Float64": return .float(bits: 64)
        case "IPv4", "IPv6", "JSON": return .other(name)
        default:
            for (prefix, signed) in [("UInt", false), ("Int", true)] where name.hasPrefix(prefix) {
                guard let bits = Int(name.dropFirst(prefix.count)), [8, 16, 32, 64, 128, 256].contains(bits) else { return nil }
                return .integer(bits: bits, signed: signed)
            }
            return nil
        }
    }
}
