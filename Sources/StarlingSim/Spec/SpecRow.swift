import StarlingProject

/// One event of a spec-described datasource: its coordinates only. Its column values are drawn when
/// it is written, each column from its own stream keyed by (seed, column, session, place), so the
/// NDJSON writer (nested objects, its own column order) and the CSV writer (schema order) draw the
/// same values, and `value(ofColumn:)` draws one column without the others.
public struct SpecRow: DomainEvent, Equatable {
    public static let maxEntities = 64

    public var time: Int64
    /// The session's index in the stream, and the event's place in it (from 0).
    public let session: Int
    public let position: Int
    /// The session state that emitted the event (-1: no state machine).
    public let state: Int
    /// The session entity's rank (0 = most popular); the session index without an entity.
    public let entity: Int
    let tables: SpecTables

    @inline(__always)
    init(_ record: SpecRecord, tables: SpecTables) {
        time = record.time
        session = record.session
        position = record.position
        state = record.state
        entity = record.entity
        self.tables = tables
    }

    public static func == (a: SpecRow, b: SpecRow) -> Bool {
        a.time == b.time && a.session == b.session && a.position == b.position && a.state == b.state && a.entity == b.entity && a.tables === b.tables
    }

    public func encode(into encoder: inout some RowEncoder, timestamp: Int64?) {
        encoder.specRow(self, timestamp: timestamp)
    }

    /// The key of the event's random streams.
    var key: UInt64 { UInt64(session) << 14 | UInt64(position) }

    /// The column's value as text (strings unquoted, numbers as written, arrays and objects as JSON),
    /// nil when it is null or not a column: for drawing query parameters from values that were sent.
    public func value(ofColumn name: String) -> String? {
        guard let column = tables.columnNames.firstIndex(of: name) else { return nil }
        var out = RowScratch(capacity: 256)
        let seed = rowSeed
        let written = tables.program.withBuffers { write(column: column, $0, rowSeed: seed, into: &out, .raw, timestamp: nil) }
        guard written else { return nil }
        return String(decoding: UnsafeBufferPointer(start: out.base, count: out.count), as: UTF8.self)
    }

    /// The seed of this event's streams; column `c` draws from `rowSeed ^ columnTags[c]`.
    var rowSeed: UInt64 { SplitMix64.mix(tables.seed ^ SplitMix64.mix(key &+ 0x9E37_79B9_7F4A_7C15)) }

    /// Writes column `c` with the generator of this event's state; false when the value is null.
    @discardableResult @inline(__always)
    func write(column c: Int, _ p: FieldProgram.Buffers, rowSeed: UInt64, into out: inout RowScratch, _ context: SpecContext, timestamp: Int64?) -> Bool {
        var index = (state + 1) * tables.columnTags.count + c
        if index >= p.roots.count { index = c }
        // A column that draws nothing from its stream (a constant, the session's entity…) is not
        // given a seeded one.
        var rng = p.rootsDraw[index] ? Self.generator(rowSeed ^ tables.columnTags[c].rawValue) : Xoshiro256(state: 1, 2, 3, 4)
        return write(p.roots[index], p, into: &out, context, rng: &rng, rowSeed: rowSeed, timestamp: timestamp)
    }

    /// A generator for one column of one row, its four state words hashed from `key` with wyhash's
    /// 128-bit multiply-fold: every row seeds one per column, and SplitMix's eight 64-bit multiplies
    /// (vectorized into slow SSE2 emulation) were half the cost of writing a row.
    @inline(__always)
    static func generator(_ key: UInt64) -> Xoshiro256 {
        @inline(__always) func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
            let product = a.multipliedFullWidth(by: b)
            return product.high ^ product.low
        }
        let a = key ^ 0xA076_1D64_78BD_642F
        return Xoshiro256(state: fold(a, 0xE703_7ED1_A0B4_28DB), fold(a &+ 0x8EBC_6AF0_9C88_C6E3, 0x5899_65CC_7537_4CC3),
                          fold(a &+ 0x1D8E_4E27_C47D_124F, 0xD6E8_FEB8_6659_FD93), fold(a &+ 0x9E37_79B9_7F4A_7C15, 0xBF58_476D_1CE4_E5B9) | 1)
    }

    /// The member (0-based rank) of population `e` this event names: the session's own, or one
    /// drawn per event (the same for every column of the event that names it).
    func member(_ e: Int, _ p: FieldProgram.Buffers, rowSeed: UInt64) -> Int {
        if e == tables.sessionEntity { return entity }
        var rng = Self.generator(rowSeed ^ tables.entityTags[e].rawValue)
        let population = p.populations[e]
        return p.sample(population.aliasStart, population.aliasCount, using: &rng)
    }

    /// Writes the value of operation `index`; false when it is null.
    @discardableResult
    func write(_ index: Int, _ p: FieldProgram.Buffers, into out: inout RowScratch, _ context: SpecContext, rng: inout Xoshiro256,
               rowSeed: UInt64, timestamp: Int64?) -> Bool {
        let op = p.ops[index]
        switch op.kind {
        case .nullable:
            if op.rate >= 1 || (op.rate > 0 && rng.unit() < op.rate) {
                out.reserve(6)
                switch context {
                case .json: out.put("null")
                case .csv: out.put("\\N")
                case .item: out.put("NULL")
                case .raw: break
                }
                return false
            }
            return write(op.child, p, into: &out, context, rng: &rng, rowSeed: rowSeed, timestamp: timestamp)
        case .time:
            let start = context.openString(&out)
            out.putTimestamp(timestamp ?? time)
            if op.form == 0 {
                out.count -= 9
            } else if op.form == 2, op.digits > 0 {
                out.reserve(1 + op.digits)
                out.put(UInt8(ascii: "."))
                out.putPadded(UInt(rng.below(Int(NumberSpec.powersOfTen[op.digits]))), digits: op.digits)
            }
            context.closeString(&out, from: start, clean: true)
        case .entity:
            let population = p.populations[op.first]
            let prefix = p.text(population.prefix), suffix = p.text(population.suffix)
            let start = context.openString(&out)
            out.reserve(prefix.bytes.count + suffix.bytes.count + 20)
            out.put(prefix.bytes)
            out.putDecimal(member(op.first, p, rowSeed: rowSeed) + 1)
            out.put(suffix.bytes)
            context.closeString(&out, from: start, clean: prefix.text.clean && suffix.text.clean)
        case .attribute:
            var stable = Self.generator(tables.seed ^ op.tag ^ (UInt64(member(op.first, p, rowSeed: rowSeed)) &* 0x9E37_79B9_7F4A_7C15))
            return write(op.child, p, into: &out, context, rng: &stable, rowSeed: rowSeed, timestamp: timestamp)
        case .choice:
            put(p.text(op.extra + (op.count > 1 ? p.sample(op.first, op.count, using: &rng) : 0)), into: &out, context)
        case .constant:
            put(p.text(op.first), into: &out, context)
        case .number:
            let value = p.numbers[op.first].sample(using: &rng)
            switch op.form {
            case 0: out.putDecimal(Int(value))
            case 1: out.putFixed(value, digits: op.digits)
            default:
                let start = context.openString(&out)
                out.putFixed(value, digits: op.digits)
                context.closeString(&out, from: start, clean: true)
            }
        case .bool:
            let yes = rng.unit() < op.rate
            out.reserve(8)
            switch op.form {
            case 0: if yes { out.put("true") } else { out.put("false") }
            case 1: out.put(yes ? UInt8(ascii: "1") : UInt8(ascii: "0"))
            default:
                let start = context.openString(&out)
                out.reserve(5)
                if yes { out.put("true") } else { out.put("false") }
                context.closeString(&out, from: start, clean: true)
            }
        case .uuid:
            let start = context.openString(&out)
            out.putUUID(rng.next(), rng.next())
            context.closeString(&out, from: start, clean: true)
        case .template:
            let start = context.openString(&out)
            var clean = true
            for piece in p.pieces[op.first..<op.first + op.count] {
                switch piece.kind {
                case 0:
                    let text = p.text(piece.text)
                    clean = clean && text.text.clean
                    out.reserve(text.bytes.count)
                    out.put(text.bytes)
                case 1: out.putDecimal(session + 1)
                case 2: out.putDecimal(position + 1)
                default: out.putDecimal(entity + 1)
                }
            }
            context.closeString(&out, from: start, clean: clean)
        case .email:
            let start = context.openString(&out)
            out.reserve(5)
            out.put("user")
            out.putDecimal(rng.below(1_000_000) + 1)
            out.reserve(1)
            out.put(UInt8(ascii: "@"))
            let domains = p.ops[op.child]
            let domain = p.text(domains.extra + p.sample(domains.first, domains.count, using: &rng))
            out.reserve(domain.bytes.count)
            out.put(domain.bytes)
            context.closeString(&out, from: start, clean: domain.text.clean)
        case .url:
            let start = context.openString(&out)
            out.reserve(8)
            out.put("https://")
            var clean = true
            for part in [op.child, op.extra] {
                let choice = p.ops[part]
                let text = p.text(choice.extra + p.sample(choice.first, choice.count, using: &rng))
                clean = clean && text.text.clean
                out.reserve(text.bytes.count)
                out.put(text.bytes)
            }
            context.closeString(&out, from: start, clean: clean)
        case .ipv4:
            let start = context.openString(&out)
            out.putDecimal(1 + rng.below(223))
            for _ in 0..<3 {
                out.reserve(1)
                out.put(UInt8(ascii: "."))
                out.putDecimal(rng.below(256))
            }
            context.closeString(&out, from: start, clean: true)
        case .array:
            let count = op.count + rng.below(op.extra - op.count + 1)
            let start = out.count
            let inner = context.inside
            out.reserve(2)
            out.put(UInt8(ascii: "["))
            for i in 0..<count {
                if i > 0 {
                    out.reserve(1)
                    out.put(UInt8(ascii: ","))
                }
                write(op.child, p, into: &out, inner, rng: &rng, rowSeed: rowSeed, timestamp: timestamp)
            }
            out.reserve(1)
            out.put(UInt8(ascii: "]"))
            if context == .csv { out.quoteCSVField(from: start) }
        case .object:
            // JSON text in a String column is a string holding JSON; a Map is an object (in CSV, a
            // ClickHouse map literal `{'k':v}`).
            let asText = op.form == 1
            let start = asText ? context.openString(&out) : out.count
            let inner: SpecContext = asText || context == .json || context == .raw ? .json : .item
            out.reserve(1)
            out.put(UInt8(ascii: "{"))
            for (i, field) in p.fields[op.first..<op.first + op.count].enumerated() {
                let key = p.text(field.key).bytes
                out.reserve(key.count + 4)
                if i > 0 { out.put(UInt8(ascii: ",")) }
                let quote = inner == .json ? UInt8(ascii: "\"") : UInt8(ascii: "'")
                out.put(quote)
                out.put(key)
                out.put(quote)
                out.put(UInt8(ascii: ":"))
                write(field.op, p, into: &out, inner, rng: &rng, rowSeed: rowSeed, timestamp: timestamp)
            }
            out.reserve(1)
            out.put(UInt8(ascii: "}"))
            if asText {
                context.closeString(&out, from: start, clean: false)
            } else if context == .csv {
                out.quoteCSVField(from: start)
            }
        }
        return true
    }

    @inline(__always)
    func put(_ value: (text: FieldProgram.Text, bytes: UnsafeBufferPointer<UInt8>), into out: inout RowScratch, _ context: SpecContext) {
        if value.text.isString {
            let start = context.openString(&out)
            out.reserve(value.bytes.count)
            out.put(value.bytes)
            context.closeString(&out, from: start, clean: value.text.clean)
        } else {
            out.reserve(value.bytes.count)
            out.put(value.bytes)
        }
    }
}

/// Where a value is written: an NDJSON value, a CSV field, an item of a ClickHouse literal inside a
/// CSV field (`['a','b']`), or bare text.
enum SpecContext: Sendable, Equatable {
    case json, csv, item, raw

    /// The context of an array's items.
    var inside: SpecContext {
        switch self {
        case .json, .raw: return .json
        case .csv, .item: return .item
        }
    }

    /// Opens a string value; returns where its text starts.
    func openString(_ out: inout RowScratch) -> Int {
        out.reserve(1)
        switch self {
        case .json: out.put(UInt8(ascii: "\""))
        case .item: out.put(UInt8(ascii: "'"))
        case .csv, .raw: break
        }
        return out.count
    }

    /// Escapes the text written since `start` as the context needs (nothing when it is known to be
    /// `clean`), and closes the string.
    @inline(__always)
    func closeString(_ out: inout RowScratch, from start: Int, clean: Bool) {
        switch self {
        case .json:
            if !clean, !CleanBytes.json(UnsafeBufferPointer(start: out.base + start, count: out.count - start)) { out.escapeJSON(from: start) }
            out.reserve(1)
            out.put(UInt8(ascii: "\""))
        case .csv:
            if !clean, !CleanBytes.csv(UnsafeBufferPointer(start: out.base + start, count: out.count - start)) { out.quoteCSVField(from: start) }
        case .item:
            if !clean { out.escapeLiteral(from: start) }
            out.reserve(1)
            out.put(UInt8(ascii: "'"))
        case .raw:
            break
        }
    }
}
