import Foundation
import StarlingProject

/// The domain model of a spec-described datasource. A session draws its entity and, with a
/// `sessions` state machine, its states and the gaps between its events; the events carry only
/// their coordinates (session, place, state, entity). Column values are drawn when an event is
/// written, from a stream keyed by those coordinates (attributes: by column and entity), so an
/// event is small and copyable, and the same event always writes the same bytes.
public struct SpecModel: DomainModel {
    public static let datasource = ""

    public let config: SpecConfig
    let tables: SpecTables
    let sessionEntity: Zipf?
    let sessionMember: CompactAlias?
    let startChoice: AliasTable
    let nextChoice: [AliasTable]

    public init(config: SpecConfig, seed: UInt64) {
        self.init(config: config, seed: seed, interpreted: false)
    }

    /// `interpreted`: rows written by the interpreter alone, no compiled plan (the reference of
    /// `RowPlanTests`; the bytes are the same, only slower).
    init(config: SpecConfig, seed: UInt64, interpreted: Bool) {
        self.config = config
        tables = SpecTables(config: config, seed: seed, interpreted: interpreted)
        sessionEntity = config.sessionEntity.map { Zipf(count: $0.count, exponent: $0.zipf) }
        sessionMember = sessionEntity.flatMap { CompactAlias($0.table) }
        startChoice = AliasTable(weights: config.sessions?.start.map(\.weight) ?? [1])
        nextChoice = config.sessions?.states.map { AliasTable(weights: $0.next.map(\.weight)) } ?? []
    }

    public var peakSessionsPerSecond: Double { config.sessionsPerHour / 3600 }

    public func intensity(secondOfWeek: Int) -> Double {
        config.dailyCurve.intensity(secondOfWeek: secondOfWeek)
    }

    public func event(_ record: SpecRecord) -> SpecRow { SpecRow(record, tables: tables) }

    /// Writes a record with this model's tables (the record holds no reference to them, so moving
    /// it through the open sessions retains nothing).
    public func encode(_ record: SpecRecord, into encoder: inout some RowEncoder, timestamp: Int64?) {
        encoder.specRow(SpecRow(record, tables: tables), timestamp: timestamp)
    }

    public mutating func session(index: Int, start: Int64, seed: UInt64, into events: inout [SpecRecord]) -> Int {
        var rng = Xoshiro256(seed: seed, stream: StreamTag("spec-session"), index: UInt64(index))
        // Entity numbers are 1-based (the `{n}` of the format); sharding uses the 0-based rank.
        let entity = sessionMember?.sample(using: &rng) ?? sessionEntity?.sample(using: &rng) ?? index
        guard let sessions = config.sessions else {
            events.append(SpecRecord(time: start, session: index, position: 0, state: -1, entity: entity))
            return entity
        }
        var state: Int? = sessions.start[startChoice.sample(using: &rng)].state
        var time = start
        var position = 0
        while let current = state, position < sessions.maxEvents {
            events.append(SpecRecord(time: time, session: index, position: position, state: current, entity: entity))
            position += 1
            state = sessions.states[current].next[nextChoice[current].sample(using: &rng)].state
            time += max(0, Int64(sessions.states[current].gap.sample(using: &rng).roundedInline))
        }
        return entity
    }
}

/// What writing a spec row needs, compiled once per stream: each column's generator (per session
/// state, with the state's overrides), the NDJSON object layout of the columns' JSON paths, the
/// populations. Immutable; shared by the events of one stream.
public final class SpecTables: Sendable {
    let seed: UInt64
    let columnNames: [String]
    let columnTypes: [ColumnType]
    /// Every column's generator, and each session state's (with its overrides), compiled.
    let program: FieldProgram
    /// The NDJSON row: literal bytes (keys, braces) and columns, in order; flattened into one byte
    /// buffer and plain steps so that writing a row copies no reference.
    let layoutBytes: [UInt8]
    let layoutSteps: [FlatStep]
    /// Index of the session entity among the populations (nil: sessions are not tied to an entity).
    let sessionEntity: Int?
    /// The random stream of each column's values, and of each population's per-event members.
    let columnTags: [StreamTag]
    let entityTags: [StreamTag]
    /// The rows' writing per session state and format, compiled from all of the above.
    let plans: RowPlans

    /// The tables, then their plans, compiled by writing values with the tables themselves.
    convenience init(config: SpecConfig, seed: UInt64, interpreted: Bool = false) {
        let unplanned = SpecTables(unplanned: config, seed: seed)
        let plans = RowPlans(compiling: unplanned, states: config.sessions?.states.count ?? 0, sessionMembers: config.sessionEntity.map { max($0.count, 1) },
                             interpreted: interpreted)
        self.init(unplanned, plans: plans)
    }

    private init(_ tables: SpecTables, plans: RowPlans) {
        seed = tables.seed
        columnNames = tables.columnNames
        columnTypes = tables.columnTypes
        program = tables.program
        layoutBytes = tables.layoutBytes
        layoutSteps = tables.layoutSteps
        sessionEntity = tables.sessionEntity
        columnTags = tables.columnTags
        entityTags = tables.entityTags
        self.plans = plans
    }

    private init(unplanned config: SpecConfig, seed: UInt64) {
        plans = RowPlans()
        self.seed = seed
        columnNames = config.schema.columns.map(\.name)
        columnTypes = config.schema.columns.map(\.type)
        let names = config.entities.keys.sorted()
        columnTags = columnNames.map { StreamTag(name: "column:\($0)") }
        entityTags = names.map { StreamTag(name: "entity:\($0)") }
        sessionEntity = config.sessionEntity.flatMap { e in names.firstIndex(of: e.name) }
        var program = FieldProgram()
        for name in names { _ = program.population(config.entities[name] ?? EntitySpec(name: name)) }
        var roots = zip(config.columns, config.schema.columns).map { program.compile($0, column: $1.name, type: $1.type, entities: names) }
        for state in config.sessions?.states ?? [] {
            for (index, column) in config.schema.columns.enumerated() {
                roots.append(state.overrides[index].map { program.compile($0, column: column.name, type: column.type, entities: names) } ?? roots[index])
            }
        }
        program.roots = roots
        program.rootsDraw = roots.map { program.draws($0) }
        self.program = program
        var bytes: [UInt8] = []
        var steps: [FlatStep] = []
        for step in LayoutStep.plan(config.schema.columns.map(\.path)) {
            switch step {
            case .literal(let literal):
                steps.append(FlatStep(start: bytes.count, count: literal.count, column: -1))
                bytes += literal
            case .column(let c):
                steps.append(FlatStep(start: 0, count: 0, column: c))
            }
        }
        layoutBytes = bytes
        layoutSteps = steps
    }

    /// A literal (`column` -1: `count` bytes of `layoutBytes` from `start`) or a column.
    struct FlatStep: Sendable {
        var start: Int
        var count: Int
        var column: Int
    }
}

/// A spec event as the stream holds it: its coordinates, plain numbers.
public struct SpecRecord: EventRecord, Equatable {
    public var time: Int64
    public var session: Int
    public var position: Int
    public var state: Int
    public var entity: Int
}

/// One step of writing an NDJSON row: bytes as they are, or a column's value.
enum LayoutStep: Sendable, Equatable {
    case literal([UInt8])
    case column(Int)

    /// Nests columns by their JSON paths (`$.utm.source`, `$.utm.medium` → `"utm":{"source":…,
    /// "medium":…}`), objects in the order their first column appears. `[:]` ends a path: the
    /// column's value is the array. A column whose path others extend is not written itself.
    static func plan(_ paths: [[DatasourceSchema.PathComponent]]) -> [LayoutStep] {
        final class Node {
            var children: [(key: String, node: Node)] = []
            var column: Int?
        }
        let root = Node()
        for (index, path) in paths.enumerated() {
            var node = root
            let keys = path.compactMap { if case .key(let k) = $0 { k } else { nil } }
            for key in keys {
                if let existing = node.children.first(where: { $0.key == key }) {
                    node = existing.node
                } else {
                    let child = Node()
                    node.children.append((key, child))
                    node = child
                }
            }
            if node.column == nil { node.column = index }
        }
        var steps: [LayoutStep] = []
        var pending: [UInt8] = []
        func emit(_ node: Node) {
            // A column at a prefix of others' paths (`meta` at `$.meta` beside `org` at `$.meta.org`)
            // is written as the object holding theirs: ClickHouse reads `meta` as that object's
            // JSON text, so the two always agree and no column's path is left missing.
            if let column = node.column, node.children.isEmpty {
                steps.append(.literal(pending))
                pending = []
                steps.append(.column(column))
                return
            }
            pending += Array("{".utf8)
            for (i, child) in node.children.enumerated() {
                if i > 0 { pending += Array(",".utf8) }
                pending += Array(FieldSpec.quoted(child.key).utf8) + Array(":".utf8)
                emit(child.node)
            }
            pending += Array("}".utf8)
        }
        emit(root)
        steps.append(.literal(pending + Array("\n".utf8)))
        return steps.filter { if case .literal(let bytes) = $0 { !bytes.isEmpty } else { true } }
    }
}
