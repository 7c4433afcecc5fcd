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

    init(time: Int64, session: Int, position: Int, state: Int, entity: Int, tables: SpecTables) {
        self.time = time
        self.session = session
        self.position = position
        self.state = state
        self.entity = entity
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
        let written = tables.generators.withUnsafeBufferPointer { write(column: column, $0, rowSeed: rowSeed, into: &out, .raw, timestamp: nil) }
        guard written else { return nil }
        return String(decoding: UnsafeBufferPointer(start: out.base, count: out.count), as: UTF8.self)
    }

    /// The seed of this event's streams; column `c` draws from `rowSeed ^ columnTags[c]`.
    var rowSeed: UInt64 { SplitMix64.mix(tables.seed ^ SplitMix64.mix(key &+ 0x9E37_79B9_7F4A_7C15)) }

    /// Writes column `c` with the generator of this event's state (`generators`: `tables.generators`,
    /// passed borrowed so the hot path copies no reference); false when the value drawn is null.
    @discardableResult @inline(__always)
    func write(column c: Int, _ generators: UnsafeBufferPointer<CompiledField>, rowSeed: UInt64, into out: inout RowScratch, _ context: SpecContext, timestamp: Int64?) -> Bool {
        var rng = Xoshiro256(seed: rowSeed ^ tables.columnTags[c].rawValue)
        let columns = tables.columnTags.count
        let index = (state + 1) * columns + c
        return write(generators[index < generators.count ? index : c], into: &out, context, rng: &rng, timestamp: timestamp)
    }

    /// The member of population `e` this event names: the session's own, or one drawn per event
    /// (the same for every column of the event that names it).
    func member(_ e: Int) -> Int {
        if e == tables.sessionEntity { return entity }
        var rng = Xoshiro256(seed: rowSeed ^ tables.entityTags[e].rawValue)
        return tables.entities[e].popularity.sample(using: &rng)
    }

    @discardableResult
    func write(_ field: CompiledField, into out: inout RowScratch, _ context: SpecContext, rng: inout Xoshiro256, timestamp: Int64?) -> Bool {
        switch field {
        case .nullable(let inner, let rate):
            if rng.unit() < rate {
                out.reserve(6)
                switch context {
                case .json: out.put("null")
                case .csv: out.put("\\N")
                case .item: out.put("NULL")
                case .raw: break
                }
                return false
            }
            return write(inner, into: &out, context, rng: &rng, timestamp: timestamp)
        case .time(let form):
            let start = context.openString(&out)
            out.putTimestamp(timestamp ?? time)
            switch form {
            case .date: out.count -= 9
            case .dateTime: break
            case .dateTime64(let digits):
                out.reserve(1 + digits)
                if digits > 0 {
                    out.put(UInt8(ascii: "."))
                    out.putPadded(UInt(rng.below(Int(NumberSpec.powersOfTen[digits]))), digits: digits)
                }
            }
            context.closeString(&out, from: start)
        case .entity(let e):
            let table = tables.entities[e]
            let start = context.openString(&out)
            out.reserve(table.prefix.count + table.suffix.count + 20)
            table.prefix.withUnsafeBufferPointer { out.put($0) }
            out.putDecimal(member(e) + 1)
            table.suffix.withUnsafeBufferPointer { out.put($0) }
            context.closeString(&out, from: start)
        case .attribute(let e, let tag, let inner):
            var stable = Xoshiro256(seed: tables.seed, stream: tag, index: UInt64(member(e)))
            return write(inner, into: &out, context, rng: &stable, timestamp: timestamp)
        case .choice(let table, let values):
            put(values[table.sample(using: &rng)], into: &out, context)
        case .constant(let value):
            put(value, into: &out, context)
        case .number(let spec, let form):
            let value = spec.sample(using: &rng)
            switch form {
            case .integer: out.putDecimal(Int(value))
            case .decimal(let digits): out.putFixed(value, digits: digits)
            case .text(let digits):
                let start = context.openString(&out)
                out.putFixed(value, digits: digits)
                context.closeString(&out, from: start)
            }
        case .bool(let rate, let form):
            let yes = rng.unit() < rate
            out.reserve(8)
            switch form {
            case .word: if yes { out.put("true") } else { out.put("false") }
            case .digit: out.put(yes ? UInt8(ascii: "1") : UInt8(ascii: "0"))
            case .text:
                let start = context.openString(&out)
                out.reserve(5)
                if yes { out.put("true") } else { out.put("false") }
                context.closeString(&out, from: start)
            }
        case .uuid:
            let start = context.openString(&out)
            out.putUUID(rng.next(), rng.next())
            context.closeString(&out, from: start)
        case .template(let pieces):
            let start = context.openString(&out)
            for piece in pieces {
                switch piece {
                case .text(let bytes):
                    out.reserve(bytes.count)
                    bytes.withUnsafeBufferPointer { out.put($0) }
                case .session: out.putDecimal(session + 1)
                case .position: out.putDecimal(position + 1)
                case .entity: out.putDecimal(entity + 1)
                }
            }
            context.closeString(&out, from: start)
        case .email:
            let start = context.openString(&out)
            out.reserve(5)
            out.put("user")
            out.putDecimal(rng.below(1_000_000) + 1)
            out.reserve(1)
            out.put(UInt8(ascii: "@"))
            let domain = FakeValues.emailDomainTable.sample(using: &rng)
            FakeValues.emailDomainBytes[domain].withUnsafeBufferPointer { out.reserve($0.count); out.put($0) }
            context.closeString(&out, from: start)
        case .url:
            let start = context.openString(&out)
            out.reserve(8)
            out.put("https://")
            FakeValues.domainBytes[FakeValues.domainTable.sample(using: &rng)].withUnsafeBufferPointer { out.reserve($0.count); out.put($0) }
            FakeValues.pathnameBytes[FakeValues.pathnameTable.sample(using: &rng)].withUnsafeBufferPointer { out.reserve($0.count); out.put($0) }
            context.closeString(&out, from: start)
        case .ipv4:
            let start = context.openString(&out)
            out.putDecimal(1 + rng.below(223))
            for _ in 0..<3 {
                out.reserve(1)
                out.put(UInt8(ascii: "."))
                out.putDecimal(rng.below(256))
            }
            context.closeString(&out, from: start)
        case .array(let item, let length):
            let count = length.lowerBound + rng.below(length.count)
            let start = out.count
            let inner = context.inside
            out.reserve(2)
            out.put(UInt8(ascii: "["))
            for i in 0..<count {
                if i > 0 {
                    out.reserve(1)
                    out.put(UInt8(ascii: ","))
                }
                write(item, into: &out, inner, rng: &rng, timestamp: timestamp)
            }
            out.reserve(1)
            out.put(UInt8(ascii: "]"))
            if context == .csv { out.quoteCSVField(from: start) }
        case .object(let fields, let asText):
            // JSON text in a String column is a string holding JSON; a Map is an object (in CSV, a
            // ClickHouse map literal `{'k':v}`).
            let start = asText ? context.openString(&out) : out.count
            let inner: SpecContext = asText || context == .json || context == .raw ? .json : .item
            out.reserve(1)
            out.put(UInt8(ascii: "{"))
            for (i, entry) in fields.enumerated() {
                out.reserve(entry.key.count + 4)
                if i > 0 { out.put(UInt8(ascii: ",")) }
                if inner == .json {
                    out.put(UInt8(ascii: "\""))
                    entry.key.withUnsafeBufferPointer { out.put($0) }
                    out.put(UInt8(ascii: "\""))
                } else {
                    out.put(UInt8(ascii: "'"))
                    entry.key.withUnsafeBufferPointer { out.put($0) }
                    out.put(UInt8(ascii: "'"))
                }
                out.put(UInt8(ascii: ":"))
                write(entry.field, into: &out, inner, rng: &rng, timestamp: timestamp)
            }
            out.reserve(1)
            out.put(UInt8(ascii: "}"))
            if asText {
                context.closeString(&out, from: start)
            } else if context == .csv {
                out.quoteCSVField(from: start)
            }
        }
        return true
    }

    func put(_ value: SpecText, into out: inout RowScratch, _ context: SpecContext) {
        if value.isString {
            let start = context.openString(&out)
            out.reserve(value.bytes.count)
            value.bytes.withUnsafeBufferPointer { out.put($0) }
            context.closeString(&out, from: start)
        } else {
            out.reserve(value.bytes.count)
            value.bytes.withUnsafeBufferPointer { out.put($0) }
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

    /// Escapes the text written since `start` as the context needs, and closes the string.
    func closeString(_ out: inout RowScratch, from start: Int) {
        switch self {
        case .json:
            if !CleanBytes.json(UnsafeBufferPointer(start: out.base + start, count: out.count - start)) { out.escapeJSON(from: start) }
            out.reserve(1)
            out.put(UInt8(ascii: "\""))
        case .csv:
            if !CleanBytes.csv(UnsafeBufferPointer(start: out.base + start, count: out.count - start)) { out.quoteCSVField(from: start) }
        case .item:
            out.escapeLiteral(from: start)
            out.reserve(1)
            out.put(UInt8(ascii: "'"))
        case .raw:
            break
        }
    }
}
