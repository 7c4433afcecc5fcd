import Foundation
import StarlingJSON
import StarlingProject

/// A scenario file (`"format": 1`): what to generate and, for load runs, how to send it.
public struct Scenario: Sendable {
    public var name: String
    public var description: String
    public var seed: UInt64
    /// Unix second where simulated time starts.
    public var start: Int64
    public var clock: ClockConfig
    /// Default size of `starling generate` when neither `--events` nor `--duration` is given.
    public var events: Int
    public var datasources: [DatasourceConfig]
    /// The Tinybird project folder the scenario describes (`"project"`, resolved against the
    /// scenario's folder); nil: the seed project.
    public var project: String?
    /// How `starling run` replays it.
    public var run: RunConfig

    public struct ClockConfig: Sendable {
        public var mode: EventTimeMode = .simulated
        /// Simulated seconds per wall second (simulated mode in load runs).
        public var speed: Double = 1
    }

    /// A scenario built in code (benchmarks, replays); `datasources` may be empty when nothing is
    /// generated.
    public init(name: String, seed: UInt64 = 1, start: Int64 = 1_747_008_000, datasources: [DatasourceConfig], run: RunConfig = RunConfig()) {
        self.name = name
        description = ""
        self.seed = seed
        self.start = start
        clock = ClockConfig()
        events = 10_000
        self.datasources = datasources
        self.run = run
    }

    /// Parses a scenario; `source` names the file in error messages.
    /// A scenario from its JSON text; its `"project"` (if any) is read through `files`.
    public init(json data: Data, source: String, files: ProjectFiles) throws(ScenarioError) {
        var root = try ObjectReader(ObjectReader.parse(data, source: source), path: "$")
        guard let format = root.value("format") else {
            throw .missingKey(path: "$.format", expected: "\"format\": 1")
        }
        guard format.number == 1 else { throw .unsupportedFormat(found: format.summary) }
        try self.init(reading: &root, source: source, files: files)
        try root.finish()
    }

    init(reading root: inout ObjectReader, source: String, files: ProjectFiles) throws(ScenarioError) {
        // Everything is read into locals first and assigned at the end, in one place.
        let name = try root.string("name", default: Scenario.defaultName(source))
        guard Scenario.isValidName(name) else {
            throw .invalidValue(path: "$.name", expected: "a name of at most \(Scenario.maximumNameLength) letters, digits, '-', '_' or '.', not starting with '.' (it names the results folder)",
                                found: JSONValue.string(name).summary)
        }
        let description = try root.string("description", default: "")
        let seed = UInt64(try root.int("seed", default: 1, in: 0...Int.max))
        let startText = try root.string("start", default: "2025-05-12 00:00:00")
        guard let start = CivilTime(parsing: startText) else {
            throw .invalidValue(path: "$.start", expected: "a UTC time \"YYYY-MM-DD HH:MM:SS\"", found: "\"\(startText)\"")
        }
        var clock = ClockConfig()
        if var reader = try root.object("clock") {
            clock.mode = try reader.choice("mode", default: clock.mode)
            clock.speed = try reader.double("speed", default: clock.speed, in: 0.000_001...1e9)
            try reader.finish()
        }
        let events = try root.int("events", default: 10_000, in: 1...Int.max)
        var projectPath: String?
        var project: ProjectFolder?
        if let path = try root.optionalString("project") {
            let resolved = Scenario.resolve(path, against: source, currentFolder: files.currentFolder())
            guard files.isFolder(resolved) else {
                throw .invalidValue(path: "$.project", expected: "a Tinybird project folder (datasources/*.datasource, endpoints/*.pipe)", found: "\"\(path)\" (no folder at \(resolved))")
            }
            do {
                project = try ProjectFolder(path: resolved, files: files)
            } catch {
                throw .project(error.description)
            }
            projectPath = resolved
        }
        let datasources = try Scenario.readDatasources(&root, project: project)
        var runListsQueries = false
        if case .object(let fields)? = root.peek("run") { runListsQueries = fields["queries"] != nil }
        var run = try Scenario.readRun(&root)
        if let project, !runListsQueries { run.queries = Scenario.inferredQueries(project) }
        try Scenario.checkSampledColumns(run.queries, datasources: datasources)
        self.name = name
        self.description = description
        self.seed = seed
        self.start = start.epochSeconds
        self.clock = clock
        self.events = events
        self.datasources = datasources
        self.project = projectPath
        self.run = run
    }

    /// A `$column` query parameter must name a column of a datasource the scenario describes or of a
    /// seed datasource (a seed column the scenario does not send is left out of the request, as
    /// before), or it would never be drawn.
    static func checkSampledColumns(_ queries: [QueryConfig], datasources: [DatasourceConfig]) throws(ScenarioError) {
        let columns = Set(datasources.flatMap(\.columns) + DatasourceColumns.byDatasource.values.joined())
        for (i, query) in queries.enumerated() {
            for (name, sampler) in query.parameters {
                guard let column = sampler.seenColumn, !columns.contains(column) else { continue }
                throw .invalidValue(path: "$.run.queries[\(i)].parameters.\(name)", expected: "\"$<column>\" naming a column of the scenario's datasources (\(columns.sorted().joined(separator: ", ")))", found: "\"$\(column)\"")
            }
        }
    }

    /// A path as written in a scenario: absolute, or relative to the scenario file's folder.
    static func resolve(_ path: String, against source: String, currentFolder: String) -> String {
        if path.hasPrefix("/") { return path }
        let folder = (source as NSString).deletingLastPathComponent
        let base = folder.isEmpty ? currentFolder : folder
        return ((base as NSString).appendingPathComponent(path) as NSString).standardizingPath
    }

    /// The datasources of a project scenario: each one the scenario lists (seed names keep their
    /// hand-written models), or, when it lists none, every datasource of the project that receives
    /// events, with inferred specs.
    static func readDatasources(_ root: inout ObjectReader, project: ProjectFolder?) throws(ScenarioError) -> [DatasourceConfig] {
        guard let project else { return try readDatasources(&root) }
        guard var sources = try root.object("datasources") else {
            var all: [DatasourceConfig] = []
            for schema in project.eventDatasources {
                all.append(DatasourceConfig(name: schema.name, model: .spec(try SpecConfig(schema: schema, path: "$.datasources.\(schema.name)"))))
            }
            guard !all.isEmpty else { throw .invalidValue(path: "$.project", expected: "a project with a .datasource that receives events", found: "none") }
            return all
        }
        var datasources: [DatasourceConfig] = []
        for name in sources.keys {
            guard let value = sources.value(name) else { continue }
            var reader = try ObjectReader(value, path: sources.childPath(name))
            if DatasourceConfig.names.contains(name) {
                datasources.append(try DatasourceConfig(name: name, reading: &reader))
            } else if let schema = project.datasources[name] {
                let share = try reader.double("share", default: 1, in: 0...1e9)
                datasources.append(DatasourceConfig(name: name, share: share, model: .spec(try SpecConfig(schema: schema, reading: &reader))))
            } else {
                throw .invalidValue(path: sources.childPath(name), expected: "a datasource of the project (\(project.eventDatasources.map(\.name).joined(separator: ", ")))", found: "\"\(name)\"")
            }
            try reader.finish()
        }
        guard !datasources.isEmpty else { throw .invalidValue(path: "$.datasources", expected: "one or more datasources of the project", found: "none") }
        return datasources
    }

    static func readDatasources(_ root: inout ObjectReader) throws(ScenarioError) -> [DatasourceConfig] {
        let expected = "one or more of \(DatasourceConfig.names.joined(separator: ", "))"
        guard var sources = try root.object("datasources") else {
            throw .missingKey(path: "$.datasources", expected: "an object with \(expected)")
        }
        var datasources: [DatasourceConfig] = []
        for name in DatasourceConfig.names where sources.keys.contains(name) {
            guard let value = sources.value(name) else { continue }
            var reader = try ObjectReader(value, path: sources.childPath(name))
            datasources.append(try DatasourceConfig(name: name, reading: &reader))
            try reader.finish()
        }
        try sources.finish()
        guard !datasources.isEmpty else { throw .invalidValue(path: "$.datasources", expected: expected, found: "none") }
        return try linkJourneyVisits(datasources)
    }

    /// An e-commerce datasource that asks for `journey_visits` gets the scenario's journeys.
    static func linkJourneyVisits(_ datasources: [DatasourceConfig]) throws(ScenarioError) -> [DatasourceConfig] {
        var linked = datasources
        for (i, datasource) in datasources.enumerated() {
            guard case .ecommerce(var config) = datasource.model, config.wantsJourneyVisits else { continue }
            guard let journeys = datasources.lazy.compactMap({ if case .journeys(let c) = $0.model { c } else { nil } }).first else {
                throw .invalidValue(path: "$.datasources.\(datasource.name).journey_visits", expected: "customer_touchpoints in the same scenario (the visits come from its journeys)", found: "true without it")
            }
            config.journeyVisits = journeys
            linked[i].model = .ecommerce(config)
        }
        return linked
    }

    static func readRun(_ root: inout ObjectReader) throws(ScenarioError) -> RunConfig {
        guard var reader = try root.object("run") else { return RunConfig() }
        let run = try RunConfig(reading: &reader)
        try reader.finish()
        return run
    }

    static func defaultName(_ source: String) -> String {
        let file = source.split(separator: "/").last.map(String.init) ?? source
        return slug(file.hasSuffix(".json") ? String(file.dropLast(5)) : file)
    }

    /// A name is data, never control: it names the results folder (`results/<name>/…`) and is
    /// printed in the console, the reports and junit.xml, so it may not hold a path separator, a
    /// `..`, a control character or an escape sequence, nor be of any length.
    public static let maximumNameLength = 64

    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= maximumNameLength && name.first != "." && name.allSatisfy(isNameCharacter)
    }

    static func isNameCharacter(_ c: Character) -> Bool {
        c == "-" || c == "_" || c == "." || ((c.isLetter || c.isNumber) && c.unicodeScalars.allSatisfy { !$0.properties.isDefaultIgnorableCodePoint })
    }

    /// A valid name made from a file's or folder's: every other character becomes `-`, cut at
    /// `maximumNameLength`; `scenario` when nothing is left.
    public static func slug(_ text: String) -> String {
        var name = String(String(text.map { isNameCharacter($0) ? $0 : "-" }).prefix(maximumNameLength))
        while name.first == "." { name.removeFirst() }
        return name.isEmpty ? "scenario" : name
    }

    /// Splits `total` events over the datasources by share (largest remainder, ties by order).
    public func eventCounts(total: Int) -> [Int] {
        let shares = datasources.map(\.share)
        let sum = shares.reduce(0, +)
        let exact = shares.map { sum > 0 ? Double(total) * $0 / sum : 0 }
        var counts = exact.map { Int($0.rounded(.down)) }
        let order = exact.indices.sorted { (exact[$0] - Double(counts[$0]), -$0) > (exact[$1] - Double(counts[$1]), -$1) }
        for i in order.prefix(total - counts.reduce(0, +)) { counts[i] += 1 }
        return counts
    }
}

/// One datasource of a scenario: its share of the events and its domain model's knobs.
public struct DatasourceConfig: Sendable {
    public static let names = [FootTrafficModel.datasource, EcommerceModel.datasource, JourneyModel.datasource]

    public enum Model: Sendable {
        case footTraffic(FootTrafficConfig)
        case ecommerce(EcommerceConfig)
        case journeys(JourneyConfig)
        /// Described by the project's `.datasource` schema and field specs.
        case spec(SpecConfig)
    }

    public var name: String
    /// Relative share of the scenario's events (for `--events N` across several datasources).
    public var share: Double
    public var model: Model

    public init(name: String, share: Double = 1, model: Model) {
        self.name = name
        self.share = share
        self.model = model
    }

    init(name: String, reading reader: inout ObjectReader) throws(ScenarioError) {
        self.name = name
        share = try reader.double("share", default: 1, in: 0...1e9)
        switch name {
        case FootTrafficModel.datasource: model = .footTraffic(try FootTrafficConfig(reading: &reader))
        case EcommerceModel.datasource: model = .ecommerce(try EcommerceConfig(reading: &reader))
        default: model = .journeys(try JourneyConfig(reading: &reader))
        }
    }
}
