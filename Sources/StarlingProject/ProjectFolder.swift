import Foundation

/// A Tinybird project folder (`datasources/*.datasource`, `endpoints/*.pipe`, and pipes anywhere
/// else `tb` accepts them): its datasources' schemas and its pipes, read into specs.
public struct ProjectFolder: Sendable {
    /// A copy pipe (`TYPE copy`, `TARGET_DATASOURCE`): run on demand or on a schedule, it writes
    /// the rows of its query into its target.
    public struct CopyPipe: Sendable, Equatable {
        public var pipe: String
        public var target: String
        /// The copy reads a datasource of the project (a snapshot, a backfill); otherwise it makes
        /// up its rows (`numbers()`, `generateRandom`) and its target still receives events.
        public var readsProjectData: Bool
    }

    public let path: String
    /// Published (endpoint) pipes by name.
    public let pipes: [String: PipeSpec]
    /// Every `.pipe` of the project (none of a vendored workspace's), by path.
    public let allPipes: [PipeSpec]
    /// Every `.datasource` by name; `vendor/<workspace>/datasources/<ds>.datasource` is the shared
    /// datasource `<workspace>.<ds>`.
    public let datasources: [String: DatasourceSchema]
    /// Materialized pipes: (pipe, target datasource). Their targets are fed by the pipe, not by events.
    public let materializations: [(pipe: String, target: String)]
    /// Copy pipes, in path order.
    public let copies: [CopyPipe]
    /// Keys any pipe reads out of a String column holding JSON (`JSONExtractString(payload,
    /// 'pathname')`): column → key → the extracting function, for generating that JSON.
    public let jsonKeys: [String: [String: String]]
    /// String literals any pipe compares a column with (`action = 'page_hit'`, `status IN ('a', 'b')`,
    /// `JSONExtractString(payload, 'name') IN ('LCP')` for the JSON key `name`), column → literals
    /// in the order first seen: values the data must hold for those pipes to match.
    public let columnLiterals: [String: [String]]
    /// Endpoints that filter relative to the current time (`now() - interval 1 hour`,
    /// `timestampAdd(today(), interval -7 day)`): they find rows only near the time of the query.
    public let relativeTimePipes: [String]
    /// Column pairs some pipe joins on (`JOIN products p ON p.id = e.product` → (id, product)), in
    /// the order first seen: the same ids on both sides.
    public let joinedColumns: [(String, String)]

    /// The datasources events are sent to: every datasource that no materialized pipe or copy of
    /// project data writes and that holds no aggregate states, by name.
    public var eventDatasources: [DatasourceSchema] {
        let targets = Set(materializations.map(\.target) + copies.filter(\.readsProjectData).map(\.target))
        return datasources.values.filter { !targets.contains($0.name) && !$0.isMaterializedTarget }.sorted { $0.name < $1.name }
    }

    /// The project-relative path of a file read from this folder.
    public func relativePath(_ file: String) -> String {
        file.hasPrefix(path + "/") ? String(file.dropFirst(path.count + 1)) : file
    }

    /// Reads every `.datasource` and `.pipe` under `path` (hidden folders, `fixtures/` and `tests/`
    /// skipped) through `files`. A file that cannot be read throws one line naming file, line and
    /// what was expected.
    public init(path: String, files: ProjectFiles) throws(DatafileError) {
        self.path = path
        var datasources: [String: DatasourceSchema] = [:]
        for file in Self.files(under: path, suffix: ".datasource", files) {
            let name = Self.datasourceName(relative: String(file.dropFirst(path.count + 1)))
            datasources[name] = try DatasourceSchema(name: name, path: file, text: try Self.read(file, files))
        }
        var pipes: [String: PipeSpec] = [:]
        var allPipes: [PipeSpec] = []
        var materializations: [(String, String)] = []
        var copies: [CopyPipe] = []
        var jsonKeys: [String: [String: String]] = [:]
        var columnLiterals: [String: [String]] = [:]
        var relativeTimePipes: [String] = []
        var joinedColumns: [(String, String)] = []
        // What is listed already, so that a pipe comparing a column with thousands of literals
        // (a generated `WHERE name = 'a' OR …`) is read in linear time, not by scanning the lists.
        var joinedSeen = Set<[String]>(), literalSeen = Set<[String]>()
        // A vendored workspace's pipes are that workspace's, not this project's.
        for file in Self.files(under: path, suffix: ".pipe", files) where !file.dropFirst(path.count + 1).hasPrefix("vendor/") {
            let name = String((file as NSString).lastPathComponent.dropLast(".pipe".count))
            let spec = PipeSpec(try PipeFile(name: name, path: file, text: try Self.read(file, files)))
            allPipes.append(spec)
            let folders = file.dropFirst(path.count + 1).split(separator: "/").dropLast().map(String.init)
            if spec.file.isEndpoint(folders: folders) {
                pipes[name] = spec
                if spec.file.nodes.contains(where: { TemplateScanner.readsRelativeTime($0.sql) }) { relativeTimePipes.append(name) }
            }
            for node in spec.file.nodes {
                for pair in TemplateScanner.joinedColumns(in: node.sql) where joinedSeen.insert([pair.0, pair.1]).inserted {
                    joinedColumns.append(pair)
                }
                for (column, key, function) in TemplateScanner.jsonExtractions(in: node.sql) where jsonKeys[column]?[key] == nil {
                    jsonKeys[column, default: [:]][key] = function
                }
                for (column, literal) in TemplateScanner.literalComparisons(in: node.sql) where literalSeen.insert([column, literal]).inserted {
                    columnLiterals[column, default: []].append(literal)
                }
            }
            if let target = spec.file.output.datasource, spec.file.output.type == "materialized" {
                materializations.append((name, target))
            }
            if let target = spec.file.copyTarget {
                copies.append(CopyPipe(pipe: name, target: target, readsProjectData: spec.datasources.contains { datasources[$0] != nil }))
            }
        }
        self.pipes = pipes
        self.allPipes = allPipes
        self.datasources = datasources
        self.materializations = materializations
        self.copies = copies
        self.jsonKeys = jsonKeys
        self.columnLiterals = columnLiterals
        self.relativeTimePipes = relativeTimePipes.sorted()
        self.joinedColumns = joinedColumns
    }

    /// `datasources/events.datasource` → `events`; `vendor/shared/datasources/events.datasource` →
    /// `shared.events` (a datasource another workspace shares, named as its pipes read it).
    static func datasourceName(relative: String) -> String {
        let parts = relative.split(separator: "/").map(String.init)
        let base = String(parts[parts.count - 1].dropLast(".datasource".count))
        if let vendor = parts.firstIndex(of: "vendor"), vendor + 1 < parts.count - 1 {
            return "\(parts[vendor + 1]).\(base)"
        }
        return base
    }

    /// The file's text with its `INCLUDE "file.incl" "VAR=value"…` lines replaced by the included
    /// files (relative to the including file, `$VAR` and `${VAR}` substituted), as the classic CLI
    /// expands them. An included file's lines are not numbered apart in errors.
    static func read(_ file: String, _ files: ProjectFiles, depth: Int = 0) throws(DatafileError) -> String {
        guard let data = files.contents(file) else {
            throw DatafileError(path: file, line: 1, expected: "a readable file")
        }
        let text = String(decoding: data, as: UTF8.self)
        guard text.contains("INCLUDE") else { return text }
        var lines: [String] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard line.hasPrefix("INCLUDE ") else {
                lines.append(String(line))
                continue
            }
            let arguments = line.matches(of: /"([^"]*)"/).map { String($0.output.1) }
            guard let target = arguments.first, depth < 8 else {
                throw DatafileError(path: file, line: number + 1, expected: depth < 8 ? "INCLUDE \"file.incl\" [\"VAR=value\"…]" : "INCLUDE nested at most 8 deep")
            }
            let included = ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(target)
            var values: [String: String] = [:]
            for assignment in arguments.dropFirst() {
                guard let equals = assignment.firstIndex(of: "=") else { continue }
                values[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
            }
            let body = try read((included as NSString).standardizingPath, files, depth: depth + 1)
            // Python's string.Template.safe_substitute: `${NAME}` or the longest `$NAME`; unknown names stay.
            lines.append(body.replacing(/\$\{(\w+)\}|\$(\w+)/) { match in
                let name = String(match.output.1 ?? match.output.2 ?? "")
                return values[name] ?? String(match.output.0)
            })
        }
        return lines.joined(separator: "\n")
    }

    static func files(under root: String, suffix: String, _ files: ProjectFiles) -> [String] {
        var found: [String] = []
        for relative in files.list(root) {
            let parts = relative.split(separator: "/")
            if parts.contains(where: { $0.hasPrefix(".") || $0 == "fixtures" || $0 == "tests" }) { continue }
            if relative.hasSuffix(suffix) { found.append(root + "/" + relative) }
        }
        return found.sorted()
    }
}
