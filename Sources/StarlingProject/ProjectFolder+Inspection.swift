import Foundation

/// How Starling reads a project, as JSON: every datasource (columns, JSONPaths, defaults, engine)
/// and every pipe (nodes, whether it is an endpoint, template parameters), for comparing Starling's
/// reading with Tinybird's own parser (`starling inspect`, `scripts/ci/conformance`).
extension ProjectFolder {
    /// The inspection as a JSON object: keys sorted, paths relative to the project folder.
    public var inspection: [String: Any] {
        let datasources = self.datasources.values.sorted { $0.name < $1.name }.map { schema -> [String: Any] in
            [
                "name": schema.name,
                "path": relativePath(schema.path),
                "description": schema.description,
                "columns": schema.columns.map { column -> [String: Any] in
                    ["name": column.name, "type": column.typeText.isEmpty ? column.type.description : column.typeText, "jsonpath": column.jsonPath,
                     "default": column.defaultExpression.map { $0 as Any } ?? NSNull()]
                },
                "engine": ["type": schema.engine, "settings": schema.engineSettings] as [String: Any],
            ]
        }
        let pipes = allPipes.sorted { $0.file.path < $1.file.path }.map { spec -> [String: Any] in
            let folders = relativePath(spec.file.path).split(separator: "/").dropLast().map(String.init)
            return [
                "name": spec.name,
                "path": relativePath(spec.file.path),
                "description": spec.file.description,
                "endpoint": spec.file.isEndpoint(folders: folders),
                "nodes": spec.file.nodes.map { node -> [String: Any] in
                    ["name": node.name, "sql": node.sql, "type": node.type,
                     "datasource": (node.datasource ?? node.targetDatasource).map { $0 as Any } ?? NSNull()]
                },
                "params": spec.parameters.map(\.name).sorted(),
            ]
        }
        return ["datasources": datasources, "pipes": pipes]
    }

    /// `inspection` as pretty-printed JSON text with sorted keys (a failure is Foundation's error,
    /// never an empty object that would read as a project with nothing in it).
    public var inspectionJSON: String {
        get throws {
            let options: JSONSerialization.WritingOptions = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            let data = try JSONSerialization.data(withJSONObject: inspection, options: options)
            return String(decoding: data, as: UTF8.self) + "\n"
        }
    }
}
