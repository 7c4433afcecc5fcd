import StarlingProject

/// A field spec compiled for one column's type: alias tables built, literals encoded, and how the
/// value is written (a number, a quoted string, `true`/`1`) decided once. Only the recursive cases
/// are boxed: reading a flat case copies no box.
enum CompiledField: Sendable {
    case time(TimeForm)
    /// A member of `SpecTables.entities[index]`.
    case entity(Int)
    indirect case attribute(entity: Int, tag: StreamTag, CompiledField)
    case choice(AliasTable, [SpecText])
    case number(NumberSpec, NumberForm)
    case bool(rate: Double, BoolForm)
    case uuid(quoted: Bool)
    case template([TemplatePiece])
    case email, url, ipv4
    indirect case array(CompiledField, ClosedRange<Int>)
    /// A JSON object: as the text of a String column (`asText`), or a Map value.
    case object([(key: [UInt8], field: CompiledField)], asText: Bool)
    case constant(SpecText)
    indirect case nullable(CompiledField, rate: Double)

    enum TimeForm: Sendable { case date, dateTime, dateTime64(Int) }
    enum NumberForm: Sendable { case integer, decimal(Int), text(Int) }
    enum BoolForm: Sendable { case word, digit, text }

    enum TemplatePiece: Sendable {
        case text([UInt8])
        case session, position, entity
    }
}

/// A value's bytes, unescaped, and whether it is written as a string (quoted) or as it is.
struct SpecText: Sendable {
    let bytes: [UInt8]
    let isString: Bool
}

/// Compiles specs against their column's type.
struct FieldCompiler {
    let entityNames: [String]

    func compile(_ spec: FieldSpec, column: String, type: ColumnType) -> CompiledField {
        let base = type.base
        let numeric: Bool = switch base {
        case .integer, .float, .decimal: true
        default: false
        }
        switch spec {
        case .time:
            switch base {
            case .date: return .time(.date)
            case .dateTime64(let p): return .time(.dateTime64(p))
            default: return .time(.dateTime)
            }
        case .entity(let e):
            return .entity(entityNames.firstIndex(of: e.name) ?? 0)
        case .attribute(let entity, let inner):
            return .attribute(entity: entityNames.firstIndex(of: entity) ?? 0, tag: StreamTag(name: "attribute:\(column)"), compile(inner, column: column, type: type))
        case .oneOf(let values, let weights):
            return .choice(AliasTable(weights: weights), values.map { text($0, numeric: numeric) })
        case .number(let n):
            switch base {
            case .integer: return .number(n, .integer)
            case .float, .decimal: return .number(n, .decimal(n.decimals))
            default: return .number(n, .text(n.decimals))
            }
        case .bool(let rate):
            switch base {
            case .bool: return .bool(rate: rate, .word)
            case .integer, .float, .decimal: return .bool(rate: rate, .digit)
            default: return .bool(rate: rate, .text)
            }
        case .uuid:
            return .uuid(quoted: true)
        case .template(let text):
            return .template(Self.pieces(text))
        case .fake(let kind):
            switch kind {
            case .email: return .email
            case .url: return .url
            case .ipv4: return .ipv4
            default:
                let vocabulary = FakeValues.vocabulary(kind) ?? [("", 1)]
                return .choice(AliasTable(weights: vocabulary.map(\.1)), vocabulary.map { SpecText(bytes: Array($0.0.utf8), isString: true) })
            }
        case .arrayOf(let item, let length):
            var itemType = ColumnType.string
            if case .array(let t) = base { itemType = t }
            return .array(compile(item, column: column, type: itemType), length)
        case .json(let fields):
            var valueType = ColumnType.string
            var asText = true
            if case .map(_, let v) = base { valueType = v; asText = false }
            return .object(fields.map { (Array(FieldSpec.quoted($0.key).utf8), compile($0.spec, column: column, type: asText ? .other("JSON") : valueType)) }, asText: asText)
        case .constant(let literal):
            return .constant(text(literal, numeric: numeric))
        case .nullable(let inner, let rate):
            return .nullable(compile(inner, column: column, type: type), rate: rate)
        }
    }

    /// A literal as the column's type wants it: a number in a numeric column is written bare.
    func text(_ literal: SpecLiteral, numeric: Bool) -> SpecText {
        switch literal {
        case .string(let s): return SpecText(bytes: Array(s.utf8), isString: !numeric)
        case .number(let n): return SpecText(bytes: Array(n.utf8), isString: !numeric)
        case .bool(let b): return SpecText(bytes: Array((numeric ? (b ? "1" : "0") : (b ? "true" : "false")).utf8), isString: false)
        }
    }

    static func pieces(_ template: String) -> [CompiledField.TemplatePiece] {
        var pieces: [CompiledField.TemplatePiece] = []
        var rest = Substring(template)
        var literal = ""
        func flush() {
            if !literal.isEmpty { pieces.append(.text(Array(literal.utf8))) }
            literal = ""
        }
        while !rest.isEmpty {
            if rest.hasPrefix("{n}") { flush(); pieces.append(.session); rest = rest.dropFirst(3); continue }
            if rest.hasPrefix("{i}") { flush(); pieces.append(.position); rest = rest.dropFirst(3); continue }
            if rest.hasPrefix("{entity}") { flush(); pieces.append(.entity); rest = rest.dropFirst(8); continue }
            literal.append(rest.removeFirst())
        }
        flush()
        return pieces
    }
}
