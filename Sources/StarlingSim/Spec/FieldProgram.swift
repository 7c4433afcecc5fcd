import Foundation
import StarlingProject

/// Every column's generator of one datasource, compiled into plain data: operations that refer to
/// alias-table columns, texts and number specs by index in flat lists. Writing a row reads these
/// through borrowed buffers and so copies no reference (an enum of arrays and alias tables
/// retained and released a few dozen references per row, a quarter of the time).
struct FieldProgram: Sendable {
    enum Kind: UInt8, Sendable {
        case time, entity, attribute, choice, number, bool, uuid, template, email, url, ipv4, array, object, constant, nullable
    }

    /// One operation. The meaning of the fields depends on `kind`:
    /// - time: `form` 0 Date, 1 DateTime, 2 DateTime64 (`digits`)
    /// - entity: `first` the population
    /// - attribute: `first` the population, `child` the value's operation, `tag` its stream
    /// - choice: `first`/`count` alias columns, `extra` the first of the `count` texts
    /// - number: `first` the number spec, `form` 0 integer, 1 decimal (`digits`), 2 quoted text
    /// - bool: `rate`, `form` 0 true/false, 1 1/0, 2 quoted
    /// - template: `first`/`count` pieces
    /// - email: `child` the domain choice; url: `child` domain, `extra` pathname choice
    /// - array: `child` the item, `count`…`extra` the length
    /// - object: `first`/`count` fields, `form` 1 when it is a String column's JSON text
    /// - constant: `first` the text; nullable: `child`, `rate`
    struct Op: Sendable {
        var kind: Kind
        var form: UInt8 = 0
        var digits = 0
        var first = 0
        var count = 0
        var extra = 0
        var child = 0
        var rate = 0.0
        var tag: UInt64 = 0
    }

    /// Bytes of `bytes` from `start`; `isString`: written quoted; `clean`: nothing in it needs an
    /// escape in JSON, a CSV field or a ClickHouse literal (checked once here, not per row).
    struct Text: Sendable {
        var start: Int
        var count: Int
        var isString: Bool
        var clean: Bool
    }

    /// A template piece: text, or the session's number (1), the event's place (2), the entity's (3).
    struct Piece: Sendable {
        var kind: UInt8
        var text: Int
    }

    struct Field: Sendable {
        var key: Int
        var op: Int
    }

    /// A population: Zipf popularity as alias columns, and the id's text around its number.
    struct Population: Sendable {
        var aliasStart: Int
        var aliasCount: Int
        var prefix: Int
        var suffix: Int
    }

    var ops: [Op] = []
    var alias: [AliasTable.Column] = []
    var texts: [Text] = []
    var bytes: [UInt8] = []
    var numbers: [NumberSpec] = []
    var pieces: [Piece] = []
    var fields: [Field] = []
    var populations: [Population] = []
    /// The operation of column `c` in state `s` (-1: no state) at `(s + 1) * columns + c`.
    var roots: [Int] = []
    /// Whether that operation draws from the column's own stream (a constant, a template, the
    /// session's entity, an attribute — which has its own stream — do not): a row seeds a stream
    /// only for the columns that use one.
    var rootsDraw: [Bool] = []

    /// Whether operation `index` draws from the stream it is given.
    func draws(_ index: Int) -> Bool {
        let op = ops[index]
        switch op.kind {
        case .time: return op.form == 2 && op.digits > 0
        case .entity, .attribute, .template, .constant: return false
        case .nullable: return op.rate >= 1 ? false : op.rate > 0 || draws(op.child)
        case .object: return fields[op.first..<op.first + op.count].contains { draws($0.op) }
        case .choice: return op.count > 1
        case .number, .bool, .uuid, .email, .url, .ipv4, .array: return true
        }
    }

    /// The lists as buffers, for one row's writing.
    struct Buffers {
        let ops: UnsafeBufferPointer<Op>
        let alias: UnsafeBufferPointer<AliasTable.Column>
        let texts: UnsafeBufferPointer<Text>
        let bytes: UnsafeBufferPointer<UInt8>
        let numbers: UnsafeBufferPointer<NumberSpec>
        let pieces: UnsafeBufferPointer<Piece>
        let fields: UnsafeBufferPointer<Field>
        let populations: UnsafeBufferPointer<Population>
        let roots: UnsafeBufferPointer<Int>
        let rootsDraw: UnsafeBufferPointer<Bool>

        /// An alias-table draw over `count` columns from `start` (the same as `AliasTable.sample`).
        @inline(__always)
        func sample(_ start: Int, _ count: Int, using rng: inout Xoshiro256) -> Int {
            let (index, within) = AliasTable.draw(count: count, using: &rng)
            return alias[start + index].pick(index, within: within)
        }

        @inline(__always)
        func text(_ index: Int) -> (text: Text, bytes: UnsafeBufferPointer<UInt8>) {
            let text = texts[index]
            return (text, UnsafeBufferPointer(rebasing: bytes[text.start..<text.start + text.count]))
        }
    }

    func withBuffers<R>(_ body: (Buffers) -> R) -> R {
        ops.withUnsafeBufferPointer { ops in
            alias.withUnsafeBufferPointer { alias in
                texts.withUnsafeBufferPointer { texts in
                    bytes.withUnsafeBufferPointer { bytes in
                        numbers.withUnsafeBufferPointer { numbers in
                            pieces.withUnsafeBufferPointer { pieces in
                                fields.withUnsafeBufferPointer { fields in
                                    populations.withUnsafeBufferPointer { populations in
                                        roots.withUnsafeBufferPointer { roots in
                                            rootsDraw.withUnsafeBufferPointer { rootsDraw in
                                                body(Buffers(ops: ops, alias: alias, texts: texts, bytes: bytes, numbers: numbers, pieces: pieces,
                                                             fields: fields, populations: populations, roots: roots, rootsDraw: rootsDraw))
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: - Compiling

    mutating func text(_ value: [UInt8], isString: Bool) -> Int {
        let clean = !value.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "'") }
        texts.append(Text(start: bytes.count, count: value.count, isString: isString, clean: clean))
        bytes += value
        return texts.count - 1
    }

    mutating func op(_ op: Op) -> Int {
        ops.append(op)
        return ops.count - 1
    }

    mutating func choice(_ values: [(bytes: [UInt8], isString: Bool)], weights: [Double]) -> Int {
        let table = AliasTable(weights: weights)
        let start = alias.count
        alias += table.columns
        let first = texts.count
        for value in values { _ = text(value.bytes, isString: value.isString) }
        return op(Op(kind: .choice, first: start, count: table.count, extra: first))
    }

    mutating func population(_ spec: EntitySpec) -> Int {
        let zipf = Zipf(count: spec.count, exponent: spec.zipf)
        let start = alias.count
        alias += zipf.table.columns
        let parts = spec.format.components(separatedBy: "{n}")
        let prefix = text(Array((parts.first ?? "").utf8), isString: true)
        let suffix = text(Array(parts.dropFirst().joined(separator: "{n}").utf8), isString: true)
        populations.append(Population(aliasStart: start, aliasCount: zipf.table.count, prefix: prefix, suffix: suffix))
        return populations.count - 1
    }

    /// Compiles `spec` for a column of `type`; returns its operation.
    mutating func compile(_ spec: FieldSpec, column: String, type: ColumnType, entities: [String]) -> Int {
        let base = type.base
        // A value inside a String column's JSON text: numbers and booleans bare, strings quoted.
        let inJSON = base == .other("JSON")
        let numeric: Bool = switch base {
        case .integer, .float, .decimal: true
        default: false
        }
        switch spec {
        case .time:
            switch base {
            case .date: return op(Op(kind: .time, form: 0))
            case .dateTime64(let p): return op(Op(kind: .time, form: 2, digits: p))
            default: return op(Op(kind: .time, form: 1))
            }
        case .entity(let e):
            return op(Op(kind: .entity, first: entities.firstIndex(of: e.name) ?? 0))
        case .attribute(let entity, let inner):
            let child = compile(inner, column: column, type: type, entities: entities)
            return op(Op(kind: .attribute, first: entities.firstIndex(of: entity) ?? 0, child: child, tag: StreamTag(name: "attribute:\(column)").rawValue))
        case .oneOf(let values, let weights):
            return choice(values.map { Self.literal($0, numeric: numeric, inJSON: inJSON) }, weights: weights)
        case .number(let n):
            numbers.append(n)
            switch base {
            case .integer: return op(Op(kind: .number, form: 0, first: numbers.count - 1))
            case .float, .decimal, .other("JSON"): return op(Op(kind: .number, form: 1, digits: n.decimals, first: numbers.count - 1))
            default: return op(Op(kind: .number, form: 2, digits: n.decimals, first: numbers.count - 1))
            }
        case .bool(let rate):
            switch base {
            case .bool, .other("JSON"): return op(Op(kind: .bool, form: 0, rate: rate))
            case .integer, .float, .decimal: return op(Op(kind: .bool, form: 1, rate: rate))
            default: return op(Op(kind: .bool, form: 2, rate: rate))
            }
        case .uuid:
            return op(Op(kind: .uuid))
        case .template(let template):
            let start = pieces.count
            for piece in Self.pieces(template) {
                switch piece {
                case .text(let bytes): pieces.append(Piece(kind: 0, text: text(bytes, isString: true)))
                case .session: pieces.append(Piece(kind: 1, text: 0))
                case .position: pieces.append(Piece(kind: 2, text: 0))
                case .entity: pieces.append(Piece(kind: 3, text: 0))
                }
            }
            return op(Op(kind: .template, first: start, count: pieces.count - start))
        case .fake(let kind):
            func vocabulary(_ values: [(String, Double)]) -> Int {
                choice(values.map { (Array($0.0.utf8), true) }, weights: values.map(\.1))
            }
            switch kind {
            case .email: return op(Op(kind: .email, child: vocabulary(FakeValues.emailDomains)))
            case .url:
                let domain = vocabulary(FakeValues.domains)
                return op(Op(kind: .url, extra: vocabulary(FakeValues.pathnames), child: domain))
            case .ipv4: return op(Op(kind: .ipv4))
            default: return vocabulary(FakeValues.vocabulary(kind) ?? [("", 1)])
            }
        case .arrayOf(let item, let length):
            var itemType = ColumnType.string
            if case .array(let t) = base { itemType = t }
            let child = compile(item, column: column, type: itemType, entities: entities)
            return op(Op(kind: .array, count: length.lowerBound, extra: length.upperBound, child: child))
        case .json(let entries):
            var valueType = ColumnType.string
            var asText = true
            if case .map(_, let v) = base { valueType = v; asText = false }
            var compiled: [Field] = []
            for entry in entries {
                let child = compile(entry.spec, column: column, type: asText ? .other("JSON") : valueType, entities: entities)
                compiled.append(Field(key: text(Array(entry.key.utf8), isString: true), op: child))
            }
            let start = fields.count
            fields += compiled
            return op(Op(kind: .object, form: asText ? 1 : 0, first: start, count: compiled.count))
        case .constant(let literal):
            let value = Self.literal(literal, numeric: numeric, inJSON: inJSON)
            return op(Op(kind: .constant, first: text(value.bytes, isString: value.isString)))
        case .nullable(let inner, let rate):
            let child = compile(inner, column: column, type: type, entities: entities)
            return op(Op(kind: .nullable, child: child, rate: rate))
        }
    }

    /// A literal as the column's type wants it: a number in a numeric column is written bare.
    static func literal(_ literal: SpecLiteral, numeric: Bool, inJSON: Bool = false) -> (bytes: [UInt8], isString: Bool) {
        switch literal {
        case .string(let s): return (Array(s.utf8), inJSON || !numeric)
        case .number(let n): return (Array(n.utf8), !numeric && !inJSON)
        case .bool(let b): return (Array((numeric ? (b ? "1" : "0") : (b ? "true" : "false")).utf8), false)
        }
    }

    enum TemplatePiece {
        case text([UInt8])
        case session, position, entity
    }

    static func pieces(_ template: String) -> [TemplatePiece] {
        var pieces: [TemplatePiece] = []
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
