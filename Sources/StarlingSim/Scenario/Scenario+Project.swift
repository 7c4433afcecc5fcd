import Foundation
import StarlingProject

/// A scenario for any Tinybird project: what `starling init --project DIR` writes (every
/// datasource's inferred specs and every endpoint's query spelled out, ready to edit) and what
/// `starling generate --project DIR` uses when there is no scenario file.
extension Scenario {
    /// The scenario `init` writes for the project at `path`, as JSON text.
    public static func initText(project path: String, files: ProjectFiles) throws(ScenarioError) -> String {
        let folder = try readProject(path, files)
        let absolute = (path.hasPrefix("/") ? path : (files.currentFolder() as NSString).appendingPathComponent(path) as String)
        let resolved = (absolute as NSString).standardizingPath
        var datasources: [String] = []
        let joined = joinedEntities(folder)
        for schema in folder.eventDatasources {
            let config = try SpecConfig(schema: schema, path: "$.datasources.\(schema.name)")
            let chosen = zip(schema.columns, config.columns).map { column, spec in
                jsonSpec(column, keys: folder.jsonKeys[column.name], literals: folder.columnLiterals)
                    ?? literalSpec(name: column.name, type: column.type, inferred: spec, literals: folder.columnLiterals[column.name])
                    ?? joinedSpec(column, inferred: spec, entity: joined[column.name]) ?? spec
            }
            // One definition per entity name in the datasource, as a scenario requires.
            let agreeing = SpecConfig.agreeing(chosen, given: chosen.map { _ in false })
            let columns = zip(schema.columns, agreeing).map { column, spec in
                "        \(FieldSpec.quoted(column.name)): \(spec.jsonText)"
            }
            datasources.append("""
                \(FieldSpec.quoted(schema.name)): {
                  "sessions_per_hour": \(SpecLiteral.text(of: config.sessionsPerHour)),
                  "columns": {
            \(columns.joined(separator: ",\n"))
                  }
                }
            """)
        }
        guard !datasources.isEmpty else {
            throw .invalidValue(path: "--project", expected: "a project with a .datasource that receives events", found: "none in \(resolved)")
        }
        let load = InitLoad(endpoints: folder.pipes.count, materializations: folder.materializations.count)
        let queries = inferredQueries(folder).map { query in
            let parameters = query.parameters.map { "\(FieldSpec.quoted($0.name)): \($0.sampler.jsonText)" }
            return "      {\"pipe\": \(FieldSpec.quoted(query.pipe)), \"rate\": \(SpecLiteral.text(of: load.queryRate))"
                + (parameters.isEmpty ? "" : ", \"parameters\": {\(parameters.joined(separator: ", "))}") + "}"
        }
        let name = Scenario.slug((resolved as NSString).lastPathComponent)
        // A TTL drops rows older than it as they are written, and a pipe filtering relative to
        // now() finds only recent rows: simulated times in the past would vanish or never match,
        // so such a project's runs send events stamped with the time they are sent.
        let ttl = folder.eventDatasources.first { $0.engineSettings["ENGINE_TTL"] != nil }
        var reasons: [String] = []
        if let ttl { reasons.append("\(ttl.name) has an ENGINE_TTL (rows stamped in the past would be dropped)") }
        if !folder.relativeTimePipes.isEmpty {
            let pipes = folder.relativeTimePipes
            reasons.append("\(pipes.count == 1 ? "endpoint \(pipes[0]) filters" : "endpoints \(pipes.joined(separator: ", ")) filter") relative to now() or today() (only recent rows match)")
        }
        let eventTime = reasons.isEmpty ? "simulated" : "live"
        let description = "Written by starling init --project: every column's spec inferred from its type and name, every endpoint queried. Edit the specs (entity, attribute_of, one_of, sessions…) to make the data look like yours."
            + (reasons.isEmpty ? "" : " event_time is live because \(reasons.joined(separator: "; and ")).")
            + " " + load.reason
        return """
        {
          "format": 1,
          "name": \(FieldSpec.quoted(name)),
          "description": \(FieldSpec.quoted(description)),
          "project": \(FieldSpec.quoted(resolved)),
          "seed": 1,
          "start": "2025-06-02 00:00:00",
          "events": 100000,
          "datasources": {
        \(datasources.joined(separator: ",\n"))
          },
          "run": {
            "duration": "30s",
            "event_time": "\(eventTime)",
            "ingest": {"rate": {"shape": "constant", "per_second": \(SpecLiteral.text(of: load.eventsPerSecond))}, "batch_max_events": 200, "batch_max_linger": "\(load.lingerMilliseconds)ms", "wait": true},
            "queries": [
        \(queries.joined(separator: ",\n"))
            ]
          }
        }

        """
    }

    /// A String column the project's pipes read JSON keys out of (`JSONExtractString(payload,
    /// 'pathname')`) holds a JSON object with those keys, each generated as a column of that name
    /// and the extracted type would be (`user-agent` as `user_agent`).
    static func jsonSpec(_ column: DatasourceSchema.Column, keys: [String: String]?, literals: [String: [String]] = [:]) -> FieldSpec? {
        guard let keys, !keys.isEmpty, column.type.base == .string, !column.type.isLowCardinality else { return nil }
        let fields = keys.keys.sorted().map { key -> (key: String, spec: FieldSpec) in
            let function = keys[key] ?? ""
            let type: ColumnType = function.contains("Int") ? .integer(bits: 32, signed: false)
                : function.contains("Float") ? .float(bits: 64) : function.contains("Bool") ? .bool : .string
            let name = key.replacingOccurrences(of: "-", with: "_")
            // A key named as a time (`datetime`, `created_at`) holds the event time, so that
            // `parseDateTimeBestEffort(JSONExtractString(payload, 'datetime'))` reads a date.
            let lower = name.lowercased()
            let timeLike = ["datetime", "timestamp", "date", "time", "ts"].contains(lower)
                || ["_at", "_time", "_date", "_ts"].contains { lower.hasSuffix($0) }
            let inferred = (type == .string && timeLike ? FieldSpec.time : nil) ?? FieldSpec.inferred(name: name, type: type) ?? .template("\(name)_{n}")
            // The literals the pipes compare the key with (`JSONExtractString(payload, 'name') IN ('LCP')`).
            // A key's name says less than a column's (`name` in a web-vitals payload is no person's
            // name): the literals replace any inferred spec.
            return (key, literalSpec(name: name, type: type, inferred: .template(""), literals: literals["\(column.name).\(key)"]) ?? inferred)
        }
        let spec = FieldSpec.json(fields)
        if case .nullable(_, let rate)? = FieldSpec.inferred(name: column.name, type: column.type) { return .nullable(spec, rate: rate) }
        return spec
    }

    /// A text column the project's pipes compare with string literals (`action = 'page_hit'`) draws
    /// those values (90 %, evenly: every filter finds rows) and one other (10 %); ids, times and
    /// realistic formats (`fake`) keep their inferred spec. (The project reader has left sentinels
    /// such as `'all'` out: they are never the data's values.)
    static func literalSpec(name: String, type: ColumnType, inferred: FieldSpec, literals: [String]?) -> FieldSpec? {
        guard let literals, !literals.isEmpty, type.base == .string else { return nil }
        func replaceable(_ spec: FieldSpec) -> Bool {
            switch spec {
            case .oneOf, .constant: return true
            case .template(let text): return text.isEmpty  // a JSON key's placeholder (`session_{n}` stays)
            case .entity: return !name.lowercased().hasSuffix("id")  // a generic text, not an id
            case .nullable(let inner, _): return replaceable(inner)
            default: return false
            }
        }
        guard replaceable(inferred) else { return nil }
        let drawn = literals.prefix(20)
        let values = drawn.map { SpecLiteral.string($0) } + [.string("\(name)_other")]
        let weights = drawn.map { _ in (0.9 / Double(drawn.count) * 1000).rounded() / 1000 } + [0.1]
        let spec = FieldSpec.oneOf(Array(values), weights: weights)
        if case .nullable(_, let rate) = inferred { return .nullable(spec, rate: rate) }
        return spec
    }

    /// Ids a pipe joins across datasources (`JOIN products p ON p.id = e.product`): one entity for
    /// both columns, named after the one that is not `id` (`product`), so the ids meet. Column →
    /// entity.
    static func joinedEntities(_ project: ProjectFolder) -> [String: EntitySpec] {
        var entities: [String: EntitySpec] = [:]
        for (left, right) in project.joinedColumns where left != right {
            let named = [left, right].first { $0.lowercased() != "id" } ?? left
            let base = named.lowercased().hasSuffix("_id") ? String(named.dropLast(3)) : named
            let entity = entities[left] ?? entities[right] ?? EntitySpec(name: base, count: 10_000, zipf: 1.0, format: "\(base)_{n}")
            entities[left] = entity
            entities[right] = entity
        }
        return entities
    }

    /// A text id column a pipe joins on takes the joined entity (a uuid or a generic text would never
    /// meet the other side's values).
    static func joinedSpec(_ column: DatasourceSchema.Column, inferred: FieldSpec, entity: EntitySpec?) -> FieldSpec? {
        guard let entity, column.type.base == .string else { return nil }
        if case .nullable(_, let rate) = inferred { return .nullable(.entity(entity), rate: rate) }
        return .entity(entity)
    }

    /// The scenario of `initText`, parsed: for `generate --project` with no scenario file.
    public static func inferring(project path: String, files: ProjectFiles) throws(ScenarioError) -> Scenario {
        try Scenario(json: Data(try initText(project: path, files: files).utf8), source: "(inferred from \(path))", files: files)
    }

    static func readProject(_ path: String, _ files: ProjectFiles) throws(ScenarioError) -> ProjectFolder {
        guard files.isFolder(path) else {
            throw .invalidValue(path: "--project", expected: "a Tinybird project folder (datasources/*.datasource, endpoints/*.pipe)", found: "\"\(path)\" (no such folder)")
        }
        do {
            return try ProjectFolder(path: path, files: files)
        } catch {
            throw .project(error.description)
        }
    }

    /// Columns the project's pipes name anew from a sent column (`name AS player_id` in the view
    /// that fills `mv_player_stats`): new name → the sent column, when only one sent column gets it.
    static func renamedColumns(_ project: ProjectFolder, sent: Set<String>) -> [String: String] {
        var sources: [String: Set<String>] = [:]
        for spec in project.allPipes {
            for node in spec.file.nodes {
                for match in node.sql.matches(of: /([A-Za-z_][A-Za-z0-9_]*)\s+(?i:AS)\s+`?([A-Za-z_][A-Za-z0-9_]*)`?/) {
                    let (source, alias) = (String(match.output.1), String(match.output.2))
                    if sent.contains(source), !sent.contains(alias) { sources[alias, default: []].insert(source) }
                }
            }
        }
        return sources.compactMapValues { $0.count == 1 ? $0.first : nil }
    }

    /// Every endpoint at one query per second, each parameter drawn as the SQL uses it: a DateTime
    /// or Date bound on a column → a window inside the data sent so far; a String compared with a
    /// column (or named like one) → a value of that column that was sent; the LIMIT → a small
    /// integer, an offset → 0; an Array compared with `IN` → a few sent values; a text the template
    /// checks against a list → one of its values; a filter tested with `defined(…)` (a window bound
    /// aside) is left out of half the requests; an optional Date end compared with a DateTime column
    /// is left out (it would stop at the end day's midnight). Other parameters keep their defaults (a required one is sent
    /// with it).
    static func inferredQueries(_ project: ProjectFolder) -> [QueryConfig] {
        // Only columns of datasources events are sent to have values to draw (a materialized
        // target's columns are computed by its pipe, and `"$column"` must name a sent column).
        let columns = Set(project.eventDatasources.flatMap { $0.columns.map(\.name) })
        // Columns that hold a time of day in every datasource naming them (not a Date).
        let allColumns = project.datasources.values.flatMap(\.columns)
        let timeColumns = Set(allColumns.filter { column in
            if case .dateTime64 = column.type.base { return true }
            return column.type.base == .dateTime
        }.map(\.name))
            .subtracting(allColumns.filter { $0.type.base == .date }.map(\.name))
        let renamed = renamedColumns(project, sent: columns)
        return project.pipes.keys.sorted().compactMap { name in
            guard let spec = project.pipes[name] else { return nil }
            var parameters: [(name: String, sampler: ParameterSampler)] = []
            for parameter in spec.parameters {
                switch parameter.kind {
                case .dateTime where parameter.lowerBoundOf != nil:
                    parameters.append((parameter.name, parameter.function == "DateTime64" ? .windowStartMillis : .windowStart))
                case .dateTime where parameter.upperBoundOf != nil:
                    parameters.append((parameter.name, parameter.function == "DateTime64" ? .windowEndMillis : .windowEnd))
                case .date where parameter.lowerBoundOf != nil: parameters.append((parameter.name, .windowStartDate))
                case .date where parameter.upperBoundOf.map(timeColumns.contains) == true && !parameter.required:
                    // `timestamp <= {{Date(to_date)}}` ends at midnight: the window's end day would leave
                    // out that day's rows (in a live run, every row). Left out: the window is open-ended.
                    break
                case .date where parameter.upperBoundOf != nil: parameters.append((parameter.name, .windowEndDate))
                case .dateTime where parameter.required, .date where parameter.required:
                    // A required bound the SQL does not compare directly (`toStartOfDay({{DateTime(start_date)}})`):
                    // by its name, the start or the end of the window.
                    let end = ["end", "to", "until", "max"].contains { parameter.name.lowercased().contains($0) }
                    let sampler: ParameterSampler = parameter.kind == .date ? (end ? .windowEndDate : .windowStartDate) : (end ? .windowEnd : .windowStart)
                    parameters.append((parameter.name, sampler))
                case .integer where parameter.isOffset: parameters.append((parameter.name, .constant("0")))
                case .integer where parameter.isLimit: parameters.append((parameter.name, .oneOf(["5", "10", "50"])))
                case .string:
                    // A column of a materialized target named anew (`name AS player_id`): the sent one.
                    let candidates = [parameter.equalsColumn, parameter.name].compactMap { $0 }
                    if let column = (candidates + candidates.compactMap { renamed[$0] }).first(where: columns.contains) {
                        parameters.append((parameter.name, .seen(column: column)))
                    } else if !parameter.allowedValues.isEmpty {
                        // The values the template accepts (`{% if x not in ['a', 'b'] %}{{ error(…) }}`).
                        parameters.append((parameter.name, .oneOf(parameter.allowedValues)))
                    }
                case .array where parameter.elementType == nil || parameter.elementType == "String":
                    // `column IN {{Array(names, 'String')}}`, or named like the column (singular or plural).
                    // (A numeric array, such as an embedding to compare with, is no list of sent values.)
                    let singular = parameter.name.hasSuffix("s") ? String(parameter.name.dropLast()) : parameter.name
                    if let column = [parameter.listsColumn, parameter.name, singular].compactMap({ $0 }).first(where: columns.contains) {
                        parameters.append((parameter.name, .seenList(column: column)))
                    }
                default: break
                }
                // A required parameter nothing above draws is sent with its default (left out, the
                // endpoint would refuse every request), or without one, a number's 1.
                if parameter.required, parameters.last?.name != parameter.name {
                    let numeric = [PipeParameter.Kind.integer, .float, .boolean].contains(parameter.kind)
                    if let value = parameter.defaultValue ?? (numeric ? "1" : nil) {
                        parameters.append((parameter.name, .constant(value)))
                    }
                }
                // A filter the template tests with `defined(…)`: half the requests leave it out, so
                // both branches of the pipe are exercised (a required one is always sent). Window
                // bounds are always sent: drawn apart, one would come without the other, and
                // templates compare them (`day_diff(date_from, date_to)` fails on a missing one).
                let isWindow = [ParameterSampler.windowStart, .windowEnd, .windowStartDate, .windowEndDate, .windowStartMillis, .windowEndMillis]
                    .contains(parameters.last?.sampler ?? .constant(""))
                if parameter.testedWithDefined, !parameter.required, !isWindow, let last = parameters.last, last.name == parameter.name {
                    parameters[parameters.count - 1].sampler = .sometimes(last.sampler, omitRate: 0.5)
                }
            }
            return QueryConfig(pipe: name, rate: 1, parameters: parameters)
        }
    }
}

extension ParameterSampler {
    /// The sampler as scenario JSON.
    public var jsonText: String {
        switch self {
        case .constant(let value): return FieldSpec.quoted(value)
        case .oneOf(let values): return "[\(values.map { Int($0) != nil ? $0 : FieldSpec.quoted($0) }.joined(separator: ", "))]"
        case .seen(let column): return FieldSpec.quoted("$\(column)")
        case .seenList(let column): return FieldSpec.quoted("$\(column)[]")
        case .sometimes(let inner, let omitRate): return "{\"value\": \(inner.jsonText), \"omit_rate\": \(SpecLiteral.text(of: omitRate))}"
        case .windowStart: return "\"$window_start\""
        case .windowEnd: return "\"$window_end\""
        case .windowStartDate: return "\"$window_start_date\""
        case .windowEndDate: return "\"$window_end_date\""
        case .windowStartMillis: return "\"$window_start_ms\""
        case .windowEndMillis: return "\"$window_end_ms\""
        }
    }
}

extension Scenario {
    /// Spec-described datasources whose engine merges rows sharing a sorting key (ReplacingMergeTree…):
    /// their row count settles at or below the events sent.
    public var collapsingDatasources: Set<String> {
        Set(datasources.compactMap { config in
            if case .spec(let spec) = config.model, spec.schema.collapsesRows { return config.name }
            return nil
        })
    }
}
