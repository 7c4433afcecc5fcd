/// A `.pipe` file: its description and nodes. The node with a `TYPE` (endpoint, materialized, copy,
/// sink) is the pipe's output; without one, the last node (classic layout: it is published).
public struct PipeFile: Sendable {
    public struct Node: Sendable {
        public var name: String
        public var sql: String
        /// `endpoint`, `materialized`, `copy`, … or empty.
        public var type: String
        /// The target of a materialized node (`DATASOURCE`).
        public var datasource: String?
        /// The target of a copy node (`TARGET_DATASOURCE`).
        public var targetDatasource: String?
        public var line: Int
    }

    public let name: String
    public let path: String
    public let description: String
    public let nodes: [Node]

    public init(name: String, path: String, text: String) throws(DatafileError) {
        let file = try Datafile(path: path, text: text, kind: .pipe)
        self.name = name
        self.path = path
        var description = ""
        var nodes: [Node] = []
        for statement in file.statements {
            switch statement.keyword.uppercased() {
            case "DESCRIPTION":
                if nodes.isEmpty { description = statement.block.isEmpty ? statement.value : statement.text } 
            case "NODE":
                guard !statement.value.isEmpty else { throw DatafileError(path: path, line: statement.line, expected: "a node name after NODE") }
                nodes.append(Node(name: statement.value, sql: "", type: "", datasource: nil, targetDatasource: nil, line: statement.line))
            case "SQL":
                guard !nodes.isEmpty else { throw DatafileError(path: path, line: statement.line, expected: "NODE <name> before its SQL") }
                guard !statement.block.isEmpty else { throw DatafileError(path: path, line: statement.line, expected: "`SQL >` followed by an indented query") }
                nodes[nodes.count - 1].sql = statement.text
            case "TYPE":
                guard !nodes.isEmpty else { throw DatafileError(path: path, line: statement.line, expected: "NODE <name> before TYPE") }
                nodes[nodes.count - 1].type = statement.value.lowercased()
            case "DATASOURCE":
                guard !nodes.isEmpty else { throw DatafileError(path: path, line: statement.line, expected: "NODE <name> before DATASOURCE") }
                nodes[nodes.count - 1].datasource = statement.value
            case "TARGET_DATASOURCE":
                guard !nodes.isEmpty else { throw DatafileError(path: path, line: statement.line, expected: "NODE <name> before TARGET_DATASOURCE") }
                nodes[nodes.count - 1].targetDatasource = statement.value
            default:
                continue  // TOKEN, TAGS, ENGINE settings of copy pipes…: not needed to query or check a pipe
            }
        }
        guard !nodes.isEmpty else { throw DatafileError(path: path, line: 1, expected: "at least one NODE with its SQL") }
        if let empty = nodes.first(where: { $0.sql.isEmpty }) {
            throw DatafileError(path: path, line: empty.line, expected: "`SQL >` and a query for node \(empty.name)")
        }
        self.description = description
        self.nodes = nodes
    }

    /// The node the pipe publishes.
    public var output: Node { nodes.first { !$0.type.isEmpty && $0.type != "standard" } ?? nodes[nodes.count - 1] }

    /// Whether the pipe is published as an endpoint: its output node has `TYPE endpoint`, or no node
    /// has a TYPE and the file is not under a `materializations/`, `copies/` or `sinks/` folder (the
    /// classic layout publishes the last node). `folders` are the file's folders inside the project.
    public func isEndpoint(folders: [String]) -> Bool {
        if output.type == "endpoint" { return true }
        guard nodes.allSatisfy({ $0.type.isEmpty }) else { return false }
        return !folders.contains { ["materializations", "copies", "sinks"].contains($0) }
    }

    /// The datasource a copy pipe writes (`TYPE copy` with `TARGET_DATASOURCE`), if it is one.
    public var copyTarget: String? {
        output.type == "copy" ? output.targetDatasource ?? output.datasource : nil
    }
}
