import Foundation

/// A Tinybird project folder (`datasources/*.datasource`, `endpoints/*.pipe`, and pipes anywhere
/// else `tb` accepts them): its datasources' schemas and its endpoint pipes, read into specs.
public struct ProjectFolder: Sendable {
    public let path: String
    /// Published (endpoint) pipes by name.
    public let pipes: [String: PipeSpec]
    /// Every `.datasource` by name.
    public let datasources: [String: DatasourceSchema]
    /// Materialized pipes: (pipe, target datasource). Their targets are fed by the pipe, not by events.
    public let materializations: [(pipe: String, target: String)]
    /// Keys any pipe reads out of a String column holding JSON (`JSONExtractString(payload,
    /// 'pathname')`): column → key → the extracting function, for generating that JSON.
    public let jsonKeys: [String: [String: String]]
    /// String literals any pipe compares a column with (`action = 'page_hit'`, `status IN ('a', 'b')`),
    /// column → literals in the order first seen: values the data must hold for those pipes to match.
    public let columnLiterals: [String: [String]]

    /// The datasources events are sent to: every datasource that no materialized pipe or copy
    /// writes and that holds no aggregate states, by name.
    public var eventDatasources: [DatasourceSchema] {
        let targets = Set(materializations.map(\.target))
        return datasources.values.filter { !targets.contains($0.name) && !$0.isMaterializedTarget }.sorted { $0.name < $1.name }
    }

    /// Reads every `.pipe` under `path` (hidden folders, `fixtures/` and `tests/` skipped). A file that
    /// cannot be read throws one line naming file, line and what was expected.
    public init(path: String) throws(DatafileError) {
        self.path = path
        var pipes: [String: PipeSpec] = [:]
        var datasources: [String: DatasourceSchema] = [:]
        var materializations: [(String, String)] = []
        var jsonKeys: [String: [String: String]] = [:]
        var columnLiterals: [String: [String]] = [:]
        for file in Self.files(under: path, suffix: ".datasource") {
            let name = String((file as NSString).lastPathComponent.dropLast(".datasource".count))
            guard let data = FileManager.default.contents(atPath: file) else {
                throw DatafileError(path: file, line: 1, expected: "a readable file")
            }
            datasources[name] = try DatasourceSchema(name: name, path: file, text: String(decoding: data, as: UTF8.self))
        }
        for file in Self.files(under: path, suffix: ".pipe") {
            let name = String((file as NSString).lastPathComponent.dropLast(".pipe".count))
            guard let data = FileManager.default.contents(atPath: file) else {
                throw DatafileError(path: file, line: 1, expected: "a readable file")
            }
            let spec = PipeSpec(try PipeFile(name: name, path: file, text: String(decoding: data, as: UTF8.self)))
            let published = spec.file.output.type == "endpoint" || (spec.file.output.type.isEmpty && file.contains("/endpoints/"))
            if published { pipes[name] = spec }
            for node in spec.file.nodes {
                for (column, key, function) in TemplateScanner.jsonExtractions(in: node.sql) where jsonKeys[column]?[key] == nil {
                    jsonKeys[column, default: [:]][key] = function
                }
                for (column, literal) in TemplateScanner.literalComparisons(in: node.sql) where !(columnLiterals[column] ?? []).contains(literal) {
                    columnLiterals[column, default: []].append(literal)
                }
            }
            if let target = spec.file.output.datasource, spec.file.output.type == "materialized" || spec.file.output.type == "copy" {
                materializations.append((name, target))
            }
        }
        self.pipes = pipes
        self.datasources = datasources
        self.materializations = materializations
        self.jsonKeys = jsonKeys
        self.columnLiterals = columnLiterals
    }

    static func files(under root: String, suffix: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var found: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let parts = relative.split(separator: "/")
            if parts.contains(where: { $0.hasPrefix(".") || $0 == "fixtures" || $0 == "tests" }) { continue }
            if relative.hasSuffix(suffix) { found.append(root + "/" + relative) }
        }
        return found.sorted()
    }
}
