import StarlingJSON
import StarlingProject

/// A datasource described by its `.datasource` schema and field specs rather than a hand-written
/// model: one spec per column (given in the scenario or inferred from type and name), how often
/// sessions start, and optionally a per-entity state machine (`sessions`) that emits a session's
/// events. Without `sessions`, every session is one event.
public struct SpecConfig: Sendable {
    public var schema: DatasourceSchema
    /// One spec per schema column, in schema order.
    public var columns: [FieldSpec]
    /// Columns whose spec the scenario gave (the others were inferred).
    public var given: Set<String>
    public var sessionsPerHour: Double = 3600
    public var dailyCurve = DailyCurve.online
    public var sessions: SessionSpec?
    /// Every population the specs define, by name.
    public var entities: [String: EntitySpec] = [:]

    /// Every column inferred from its type and name. Throws, naming the column, when a type has no
    /// generator.
    public init(schema: DatasourceSchema, path: String = "$") throws(ScenarioError) {
        var reader = try ObjectReader(.object([:]), path: path)
        try self.init(schema: schema, reading: &reader)
    }

    public init(schema: DatasourceSchema, reading reader: inout ObjectReader) throws(ScenarioError) {
        self.schema = schema
        guard !schema.isMaterializedTarget else {
            throw .invalidValue(path: reader.path, expected: "a datasource that receives events",
                                found: "\(schema.name), which holds aggregate states written by a materialized pipe (\(schema.path))")
        }
        sessionsPerHour = try reader.double("sessions_per_hour", default: sessionsPerHour, in: 0...1e10)
        let curve = try reader.doubles("daily_curve", default: dailyCurve.hourly, count: 24...24)
        let uplift = try reader.double("weekend_uplift", default: dailyCurve.weekendUplift, in: 0...100)
        dailyCurve = DailyCurve(hourly: curve, weekendUplift: uplift)
        var given: [String: FieldSpec] = [:]
        if var specs = try reader.object("columns") {
            for name in specs.keys {
                guard schema.column(name) != nil else {
                    throw .invalidValue(path: specs.childPath(name), expected: "a column of \(schema.name) (\(schema.columns.map(\.name).joined(separator: ", ")))", found: "\"\(name)\"")
                }
                guard let value = specs.value(name) else { continue }
                given[name] = try FieldSpec(reading: value, path: specs.childPath(name))
            }
            try specs.finish()
        }
        var columns: [FieldSpec] = []
        for column in schema.columns {
            if let first = column.path.firstIndex(of: .everyItem), first != column.path.count - 1 {
                throw .invalidValue(path: reader.childPath("columns.\(column.name)"), expected: "a JSONPath Starling can write ($.a.b or $.list[:])",
                                    found: "\(column.jsonPath) (\(schema.path):\(column.line)); describe the array as a String column with a json spec")
            }
            if let spec = given[column.name] {
                columns.append(spec)
            } else if column.path.isEmpty {
                // The whole row (`json:$`): the other columns' values make it; alone, an empty object.
                columns.append(.json([]))
            } else if let spec = FieldSpec.inferred(name: column.name, type: column.type) {
                columns.append(spec)
            } else {
                throw .invalidValue(path: reader.childPath("columns.\(column.name)"), expected: "a field spec: Starling has no default generator for type \(column.type)",
                                    found: "none (\(schema.path):\(column.line))")
            }
        }
        self.columns = Self.agreeing(columns, given: schema.columns.map { given[$0.name] != nil })
        self.given = Set(given.keys)
        let entities = try Self.entities(self.columns, names: schema.columns.map(\.name), path: reader.childPath("columns"))
        guard entities.count <= SpecRow.maxEntities else {
            throw .invalidValue(path: reader.childPath("columns"), expected: "at most \(SpecRow.maxEntities) entities per datasource", found: "\(entities.count)")
        }
        self.entities = entities
        if let value = reader.value("sessions") {
            sessions = try SessionSpec(reading: value, path: reader.childPath("sessions"), schema: schema, entities: entities)
        }
        for (index, spec) in self.columns.enumerated() {
            try Self.checkReferences(spec, entities: entities, path: reader.childPath("columns.\(schema.columns[index].name)"))
        }
    }

    /// Inferred specs that name an entity already defined (`user` beside `user_id`, both the entity
    /// `user`) take that definition: the names say they are one population, and the first
    /// definition (a given spec before any inferred one) decides its count, popularity and format.
    /// Given specs are kept as written, so a scenario's own conflict is still reported.
    static func agreeing(_ specs: [FieldSpec], given: [Bool]) -> [FieldSpec] {
        var known: [String: EntitySpec] = [:]
        func learn(_ spec: FieldSpec) {
            switch spec {
            case .entity(let e): if known[e.name] == nil { known[e.name] = e }
            case .attribute(_, let inner), .nullable(let inner, _), .arrayOf(let inner, _): learn(inner)
            case .json(let fields): fields.forEach { learn($0.spec) }
            default: break
            }
        }
        func agree(_ spec: FieldSpec) -> FieldSpec {
            switch spec {
            case .entity(let e): return .entity(known[e.name] ?? e)
            case .attribute(let entity, let inner): return .attribute(of: entity, agree(inner))
            case .nullable(let inner, let rate): return .nullable(agree(inner), rate: rate)
            case .arrayOf(let inner, let length): return .arrayOf(agree(inner), length: length)
            case .json(let fields): return .json(fields.map { ($0.key, agree($0.spec)) })
            default: return spec
            }
        }
        for (spec, isGiven) in zip(specs, given) where isGiven { learn(spec) }
        for (spec, isGiven) in zip(specs, given) where !isGiven { learn(spec) }
        return zip(specs, given).map { spec, isGiven in isGiven ? spec : agree(spec) }
    }

    /// Every population the specs define, by name; one name defined twice must agree.
    static func entities(_ specs: [FieldSpec], names: [String], path: String) throws(ScenarioError) -> [String: EntitySpec] {
        var found: [String: EntitySpec] = [:]
        func collect(_ spec: FieldSpec, _ column: String) throws(ScenarioError) {
            switch spec {
            case .entity(let e):
                if let known = found[e.name], known != e {
                    throw .invalidValue(path: "\(path).\(column)", expected: "the same count, popularity and format as the other definition of entity \(e.name)", found: "a different definition")
                }
                found[e.name] = e
            case .attribute(_, let inner), .nullable(let inner, _), .arrayOf(let inner, _): try collect(inner, column)
            case .json(let fields): for field in fields { try collect(field.spec, column) }
            default: break
            }
        }
        for (spec, name) in zip(specs, names) { try collect(spec, name) }
        return found
    }

    static func checkReferences(_ spec: FieldSpec, entities: [String: EntitySpec], path: String) throws(ScenarioError) {
        switch spec {
        case .attribute(let entity, let inner):
            guard entities[entity] != nil else {
                throw .invalidValue(path: path, expected: "attribute_of an entity defined by an entity spec (\(entities.keys.sorted().joined(separator: ", ")))", found: "\"\(entity)\"")
            }
            try checkReferences(inner, entities: entities, path: path)
        case .nullable(let inner, _), .arrayOf(let inner, _): try checkReferences(inner, entities: entities, path: path)
        case .json(let fields): for field in fields { try checkReferences(field.spec, entities: entities, path: "\(path).\(field.key)") }
        default: break
        }
    }

    /// The population a session belongs to (for sharding and `{entity}`): the sessions' entity, else
    /// the first entity column's.
    public var sessionEntity: EntitySpec? {
        if let name = sessions?.entity { return entities[name] }
        for spec in columns { if case .entity(let e) = spec { return e } }
        return nil
    }
}

/// A per-entity state machine: a session starts in a state drawn from `start`, each state emits one
/// event (the columns' specs with the state's overrides), waits a `gap` and moves to a next state by
/// weight, until `end` or `maxEvents`.
public struct SessionSpec: Sendable {
    public struct State: Sendable {
        public var name: String
        /// Column index → the spec this state's events use instead.
        public var overrides: [Int: FieldSpec]
        /// Next states by weight; nil is the end of the session.
        public var next: [(state: Int?, weight: Double)]
        /// Seconds to the next event.
        public var gap: NumberSpec
    }

    public var entity: String
    public var start: [(state: Int, weight: Double)]
    public var states: [State]
    public var maxEvents: Int

    init(reading value: JSONValue, path: String, schema: DatasourceSchema, entities: [String: EntitySpec]) throws(ScenarioError) {
        var reader = try ObjectReader(value, path: path)
        entity = try reader.string("entity", default: "")
        guard entities[entity] != nil else {
            throw .invalidValue(path: reader.childPath("entity"), expected: "an entity defined by a column's entity spec (\(entities.keys.sorted().joined(separator: ", ")))", found: "\"\(entity)\"")
        }
        maxEvents = try reader.int("max_events", default: 50, in: 1...10_000)
        guard var statesReader = try reader.object("states"), !statesReader.keys.isEmpty else {
            throw .missingKey(path: reader.childPath("states"), expected: "an object of state name: {\"emit\": …, \"next\": …, \"gap\": …}")
        }
        let names = statesReader.keys
        func index(_ name: String, _ at: String) throws(ScenarioError) -> Int {
            guard let i = names.firstIndex(of: name) else {
                throw .invalidValue(path: at, expected: "a state (\(names.joined(separator: ", ")))", found: "\"\(name)\"")
            }
            return i
        }
        var states: [State] = []
        for name in names {
            guard var state = try statesReader.object(name) else { continue }
            var overrides: [Int: FieldSpec] = [:]
            if var emit = try state.object("emit") {
                for column in emit.keys {
                    guard let c = schema.columns.firstIndex(where: { $0.name == column }), let v = emit.value(column) else {
                        throw .invalidValue(path: emit.childPath(column), expected: "a column of \(schema.name)", found: "\"\(column)\"")
                    }
                    let spec = try FieldSpec(reading: v, path: emit.childPath(column))
                    try SpecConfig.checkReferences(spec, entities: entities, path: emit.childPath(column))
                    overrides[c] = spec
                }
                try emit.finish()
            }
            var next: [(Int?, Double)] = []
            for (target, weight) in try state.weights("next", default: [("end", 1)]) {
                next.append((target == "end" ? nil : try index(target, state.childPath("next.\(target)")), weight))
            }
            var gap = NumberSpec(.logNormal(median: 30, sigma: 0.8), min: 1)
            if let g = state.value("gap") {
                guard case .number(let n) = try FieldSpec(reading: g, path: state.childPath("gap")) else {
                    throw .invalidValue(path: state.childPath("gap"), expected: "a number spec in seconds (range, normal, lognormal, poisson)", found: g.summary)
                }
                gap = n
            }
            try state.finish()
            states.append(State(name: name, overrides: overrides, next: next, gap: gap))
        }
        try statesReader.finish()
        self.states = states
        var start: [(Int, Double)] = []
        switch reader.value("start") {
        case .string(let name)?: start = [(try index(name, reader.childPath("start")), 1)]
        case .object?:
            for (name, weight) in try reader.weights("start", default: []) { start.append((try index(name, reader.childPath("start.\(name)")), weight)) }
        case nil: start = [(0, 1)]
        case let other?: throw .invalidValue(path: reader.childPath("start"), expected: "a state's name or an object of state: weight", found: other.summary)
        }
        self.start = start
        try reader.finish()
    }
}
