/// How a spec row is written in one format for one session state, compiled once per stream from
/// the layout and the columns' operations, so that the common columns cost a copy instead of a
/// walk through the interpreter:
/// - a value that no row changes (a constant, a null, a template without placeholders) is written
///   once here and joins the literal bytes around it (keys, braces, separators);
/// - a choice's values are written here in the format, quotes and escapes included, and a row
///   draws one and copies it;
/// - an attribute of a population (a visitor's country) is written here for every member, and a
///   row looks its member's value up;
/// - an entity id or a template whose texts need no escaping is its texts as literals and its
///   numbers written in between; a timestamp is the cached text.
/// Every other operation is handed to the interpreter (`SpecRow.write`). Every value is produced
/// by that same interpreter, here or per row, from the same streams, so the bytes are the same.
struct RowPlans: Sendable {
    enum Action: UInt8, Sendable {
        /// The row's last literal.
        case end
        /// The interpreter writes operation `op` of column `column` (`flag`: it draws from the column's
        /// stream), then `count` bytes are reserved for the rest of the row.
        case general
        /// One of `count` values (alias columns from `op`, fragments from `table`), drawn from the
        /// column's stream.
        case choice
        /// The value of population `op`'s member: fragment `members[table + member]` (`flag`: the
        /// population is the session's entity).
        case attribute
        /// A decimal: `form` 0 the session's number, 1 the event's place, 2 the session entity's,
        /// 3 the member of population `op` (`flag`: it is the session's entity).
        case number
        /// The timestamp: `form` 0 Date, 1 DateTime, 2 DateTime64 with `count` digits drawn from
        /// column `column`'s stream.
        case time
    }

    /// Copies `literalCount` bytes from `literal`, then does its action.
    struct Step: Sendable {
        var literal: Int32 = 0
        var literalCount: Int32 = 0
        var action: Action = .end
        var form: UInt8 = 0
        var flag = false
        var column: Int32 = 0
        var op: Int32 = 0
        var count: Int32 = 0
        var table: Int32 = 0
    }

    struct Fragment: Sendable {
        var start: Int32
        var count: Int32
    }

    var steps: [Step] = []
    var bytes: [UInt8] = []
    var fragments: [Fragment] = []
    /// Per member of a population, the fragment of an attribute's value.
    var members: [UInt16] = []
    /// Plan `(state + 1) * 2 + format` (0 NDJSON, 1 CSV): its first step, and the room its
    /// steps need before the first interpreted one.
    var starts: [Int] = []
    var rooms: [Int] = []

    static func index(state: Int, csv: Bool) -> Int { (state + 1) * 2 + (csv ? 1 : 0) }

    /// The lists as buffers, for one row's writing.
    struct Buffers {
        let steps: UnsafeBufferPointer<Step>
        let bytes: UnsafeBufferPointer<UInt8>
        let fragments: UnsafeBufferPointer<Fragment>
        let members: UnsafeBufferPointer<UInt16>
        let starts: UnsafeBufferPointer<Int>
        let rooms: UnsafeBufferPointer<Int>
    }

    func withBuffers<R>(_ body: (Buffers) -> R) -> R {
        steps.withUnsafeBufferPointer { steps in
            bytes.withUnsafeBufferPointer { bytes in
                fragments.withUnsafeBufferPointer { fragments in
                    members.withUnsafeBufferPointer { members in
                        starts.withUnsafeBufferPointer { starts in
                            rooms.withUnsafeBufferPointer { rooms in
                                body(Buffers(steps: steps, bytes: bytes, fragments: fragments, members: members, starts: starts, rooms: rooms))
                            }
                        }
                    }
                }
            }
        }
    }

    init() {}

    // MARK: - Compiling

    /// The most members an attribute is tabulated for, and the most distinct values it may have
    /// (beyond either, its column is interpreted per row).
    static let maxMembers = 1 << 18
    static let maxDistinct = Int(UInt16.max)

    /// Compiles the plans of every session state (and of rows without one) of `tables`, writing
    /// the values it tabulates with `tables` themselves. `sessionMembers`: how many members the
    /// sessions' entity has (a session's member indexes the tables of its attributes).
    /// `interpreted`: every column handed to the interpreter (`.general`), none of the forms above —
    /// the reference the compiled plans are held to (`RowPlanTests`).
    init(compiling tables: SpecTables, states: Int, sessionMembers: Int?, interpreted: Bool = false) {
        let evaluator = SpecRow(SpecRecord(time: 0, session: 0, position: 0, state: -1, entity: 0), tables: tables)
        var compiler = Compiler(tables: tables, evaluator: evaluator, sessionMembers: sessionMembers, interpreted: interpreted)
        tables.program.withBuffers { p in
            for state in -1..<states {
                for csv in [false, true] {
                    starts.append(compiler.steps.count)
                    rooms.append(compiler.plan(state: state, csv: csv, p))
                }
            }
        }
        steps = compiler.steps
        bytes = compiler.bytes
        fragments = compiler.fragments
        members = compiler.members
    }

    private struct Compiler {
        let tables: SpecTables
        let evaluator: SpecRow
        let sessionMembers: Int?
        let interpreted: Bool
        var steps: [Step] = []
        var bytes: [UInt8] = []
        var fragments: [Fragment] = []
        var members: [UInt16] = []
        /// Fragments already written, by their bytes; choices' and attributes' first fragment or
        /// table by (operation, format).
        var known: [[UInt8]: Int] = [:]
        var choices: [Int: (fragments: Int, room: Int)] = [:]
        var attributes: [Int: (table: Int, room: Int)?] = [:]
        /// The current plan: literal bytes not yet given to a step, the room of its steps since
        /// the last interpreted one.
        var pending: [UInt8] = []
        var room = 0
        var firstRoom = 0
        var lastGeneral: Int?

        init(tables: SpecTables, evaluator: SpecRow, sessionMembers: Int?, interpreted: Bool) {
            self.tables = tables
            self.evaluator = evaluator
            self.sessionMembers = sessionMembers
            self.interpreted = interpreted
        }

        /// Adds the plan of `state` in a format; returns the room it needs before its first
        /// interpreted step.
        mutating func plan(state: Int, csv: Bool, _ p: FieldProgram.Buffers) -> Int {
            pending = []
            room = 0
            lastGeneral = nil
            let context: SpecContext = csv ? .csv : .json
            let columns = tables.columnTags.count
            func root(_ c: Int) -> Int {
                let index = (state + 1) * columns + c
                return index < p.roots.count ? index : c
            }
            if csv {
                for c in 0..<columns {
                    if c > 0 { pending.append(UInt8(ascii: ",")) }
                    column(c, root: root(c), context, p)
                }
                pending.append(UInt8(ascii: "\n"))
            } else {
                for step in tables.layoutSteps {
                    if step.column < 0 {
                        pending += tables.layoutBytes[step.start..<step.start + step.count]
                    } else {
                        column(step.column, root: root(step.column), context, p)
                    }
                }
            }
            add(Step(action: .end), room: 0)
            return firstRoom
        }

        /// Adds a step after the pending literal; `actionRoom`: the most bytes its action writes.
        /// An interpreted step ends a stretch of steps whose room is reserved at once: the room of
        /// the stretch after it is kept in its `count`.
        mutating func add(_ step: Step, room actionRoom: Int) {
            var step = step
            step.literal = Int32(bytes.count)
            step.literalCount = Int32(pending.count)
            bytes += pending
            room += pending.count
            pending = []
            if step.action == .general || step.action == .end {
                if let lastGeneral { steps[lastGeneral].count = Int32(room) } else { firstRoom = room }
                room = 0
                if step.action == .general { lastGeneral = steps.count }
            } else {
                room += actionRoom
            }
            steps.append(step)
        }

        /// The bytes `write` gives for operation `op` in `context` with `rng`.
        func written(_ op: Int, _ p: FieldProgram.Buffers, _ context: SpecContext, rng: inout Xoshiro256) -> [UInt8] {
            var out = RowScratch(capacity: 256)
            evaluator.write(op, p, into: &out, context, rng: &rng, rowSeed: 0, timestamp: 0)
            return Array(UnsafeBufferPointer(start: out.base, count: out.count))
        }

        /// The bytes of a string's opening and closing quote in `context`.
        func quotes(_ context: SpecContext) -> (open: [UInt8], close: [UInt8]) {
            var out = RowScratch(capacity: 8)
            let start = context.openString(&out)
            let open = Array(UnsafeBufferPointer(start: out.base, count: start))
            context.closeString(&out, from: start, clean: true)
            return (open, Array(UnsafeBufferPointer(start: out.base + start, count: out.count - start)))
        }

        mutating func fragment(_ value: [UInt8]) -> Int {
            if let index = known[value] { return index }
            fragments.append(Fragment(start: Int32(bytes.count), count: Int32(value.count)))
            bytes += value
            known[value] = fragments.count - 1
            return fragments.count - 1
        }

        /// Adds the steps of column `c`, whose operation is `p.roots[root]`.
        mutating func column(_ c: Int, root: Int, _ context: SpecContext, _ p: FieldProgram.Buffers) {
            let index = p.roots[root]
            let op = p.ops[index]
            let key = index * 2 + (context == .csv ? 1 : 0)
            if interpreted {
                add(Step(action: .general, flag: p.rootsDraw[root], column: Int32(c), op: Int32(index)), room: 0)
                return
            }
            if Self.fixed(index, p) {
                var rng = Xoshiro256(state: 1, 2, 3, 4)
                pending += written(index, p, context, rng: &rng)
                return
            }
            switch op.kind {
            case .choice:
                let first: (fragments: Int, room: Int)
                if let known = choices[key] {
                    first = known
                } else {
                    var values: [[UInt8]] = []
                    for i in 0..<op.count {
                        var out = RowScratch(capacity: 256)
                        evaluator.put(p.text(op.extra + i), into: &out, context)
                        values.append(Array(UnsafeBufferPointer(start: out.base, count: out.count)))
                    }
                    // A choice's fragments are consecutive (a value repeated is written again).
                    let start = fragments.count
                    for value in values {
                        fragments.append(Fragment(start: Int32(bytes.count), count: Int32(value.count)))
                        bytes += value
                    }
                    first = (start, values.map(\.count).max() ?? 0)
                    choices[key] = first
                }
                add(Step(action: .choice, column: Int32(c), op: Int32(op.first), count: Int32(op.count), table: Int32(first.fragments)), room: first.room)
                return
            case .attribute:
                if let table = attribute(index, key: key, p, context) {
                    add(Step(action: .attribute, flag: op.first == tables.sessionEntity, op: Int32(op.first), table: Int32(table.table)), room: table.room)
                    return
                }
            case .entity:
                let population = p.populations[op.first]
                let prefix = p.text(population.prefix), suffix = p.text(population.suffix)
                if prefix.text.clean && suffix.text.clean {
                    let quotes = quotes(context)
                    pending += quotes.open + Array(prefix.bytes)
                    add(Step(action: .number, form: 3, flag: op.first == tables.sessionEntity, op: Int32(op.first)), room: 20)
                    pending += Array(suffix.bytes) + quotes.close
                    return
                }
            case .template:
                let pieces = p.pieces[op.first..<op.first + op.count]
                if pieces.allSatisfy({ $0.kind != 0 || p.text($0.text).text.clean }) {
                    let quotes = quotes(context)
                    pending += quotes.open
                    for piece in pieces {
                        if piece.kind == 0 {
                            pending += Array(p.text(piece.text).bytes)
                        } else {
                            add(Step(action: .number, form: piece.kind - 1), room: 20)
                        }
                    }
                    pending += quotes.close
                    return
                }
            case .time:
                let quotes = quotes(context)
                pending += quotes.open
                let digits = op.form == 2 ? op.digits : 0
                add(Step(action: .time, form: op.form, column: Int32(c), count: Int32(digits)), room: 24 + 1 + digits)
                pending += quotes.close
                return
            default:
                break
            }
            add(Step(action: .general, flag: p.rootsDraw[root], column: Int32(c), op: Int32(index)), room: 0)
        }

        /// The first entry of attribute `index`'s table of members' fragments (and their
        /// longest), or nil when it is not tabulated.
        mutating func attribute(_ index: Int, key: Int, _ p: FieldProgram.Buffers, _ context: SpecContext) -> (table: Int, room: Int)? {
            if let known = attributes[key] { return known }
            let op = p.ops[index]
            // A member is drawn from the population's table, or is the session's.
            let count = p.populations[op.first].aliasCount
            let covered = op.first != tables.sessionEntity || sessionMembers == count
            var table: (table: Int, room: Int)?
            if covered, count <= RowPlans.maxMembers, Self.selfContained(op.child, p) {
                var values: [UInt16] = []
                values.reserveCapacity(count)
                var longest = 0
                let saved = (fragments: fragments.count, bytes: bytes.count, known: known)
                for member in 0..<count {
                    var stable = SpecRow.generator(tables.seed ^ op.tag ^ (UInt64(member) &* 0x9E37_79B9_7F4A_7C15))
                    let value = written(op.child, p, context, rng: &stable)
                    let f = fragment(value)
                    guard f <= RowPlans.maxDistinct else { break }
                    values.append(UInt16(f))
                    longest = max(longest, value.count)
                }
                if values.count == count {
                    table = (members.count, longest)
                    members += values
                } else {
                    known = saved.known
                    fragments.removeSubrange(saved.fragments...)
                    bytes.removeSubrange(saved.bytes...)
                }
            }
            attributes[key] = table
            return table
        }

        /// Whether operation `index` writes the same bytes in every row (and draws nothing).
        static func fixed(_ index: Int, _ p: FieldProgram.Buffers) -> Bool {
            let op = p.ops[index]
            switch op.kind {
            case .constant: return true
            case .nullable: return op.rate >= 1 || (op.rate <= 0 && fixed(op.child, p))
            case .choice: return op.count <= 1
            case .template: return p.pieces[op.first..<op.first + op.count].allSatisfy { $0.kind == 0 }
            case .object: return p.fields[op.first..<op.first + op.count].allSatisfy { fixed($0.op, p) }
            default: return false
            }
        }

        /// Whether operation `index`'s value depends on nothing but the stream it is given (not on
        /// the event's time, session or members).
        static func selfContained(_ index: Int, _ p: FieldProgram.Buffers) -> Bool {
            let op = p.ops[index]
            switch op.kind {
            case .time, .entity, .attribute: return false
            case .template: return p.pieces[op.first..<op.first + op.count].allSatisfy { $0.kind == 0 }
            case .nullable, .array: return selfContained(op.child, p)
            case .object: return p.fields[op.first..<op.first + op.count].allSatisfy { selfContained($0.op, p) }
            case .choice, .constant, .number, .bool, .uuid, .email, .url, .ipv4: return true
            }
        }
    }
}

extension SpecRow {
    /// Writes the row by plan `index` (see `RowPlans.index`): one reservation for each stretch of
    /// planned steps, whose writes are then unchecked.
    @inline(__always)
    func write(plan index: Int, _ plans: RowPlans.Buffers, _ p: FieldProgram.Buffers, into out: inout RowScratch, _ context: SpecContext,
               timestamp: Int64?) {
        let rowSeed = rowSeed
        var i = plans.starts[index]
        out.reserve(plans.rooms[index])
        while true {
            let step = plans.steps[i]
            i += 1
            RowScratch.copy(to: out.base + out.count, from: plans.bytes.baseAddress! + Int(step.literal), count: Int(step.literalCount))
            out.count += Int(step.literalCount)
            switch step.action {
            case .end:
                return
            case .general:
                var rng = step.flag ? Self.generator(rowSeed ^ tables.columnTags[Int(step.column)].rawValue) : Xoshiro256(state: 1, 2, 3, 4)
                write(Int(step.op), p, into: &out, context, rng: &rng, rowSeed: rowSeed, timestamp: timestamp)
                out.reserve(Int(step.count))
            case .choice:
                var rng = Self.generator(rowSeed ^ tables.columnTags[Int(step.column)].rawValue)
                Self.put(fragment: Int(step.table) + p.sample(Int(step.op), Int(step.count), using: &rng), plans, into: &out)
            case .attribute:
                let member = step.flag ? entity : member(Int(step.op), p, rowSeed: rowSeed)
                Self.put(fragment: Int(plans.members[Int(step.table) + member]), plans, into: &out)
            case .number:
                let value = switch step.form {
                case 0: session
                case 1: position
                case 2: entity
                default: step.flag ? entity : member(Int(step.op), p, rowSeed: rowSeed)
                }
                out.putDecimal(magnitude: UInt(value + 1))
            case .time:
                out.putTimestamp(timestamp ?? time)
                if step.form == 0 {
                    out.count -= 9
                } else if step.count > 0 {
                    var rng = Self.generator(rowSeed ^ tables.columnTags[Int(step.column)].rawValue)
                    let digits = Int(step.count)
                    out.put(UInt8(ascii: "."))
                    out.putPadded(UInt(rng.below(Int(NumberSpec.powersOfTen[digits]))), digits: digits)
                }
            }
        }
    }

    @inline(__always)
    static func put(fragment index: Int, _ plans: RowPlans.Buffers, into out: inout RowScratch) {
        let fragment = plans.fragments[index]
        RowScratch.copy(to: out.base + out.count, from: plans.bytes.baseAddress! + Int(fragment.start), count: Int(fragment.count))
        out.count += Int(fragment.count)
    }
}
