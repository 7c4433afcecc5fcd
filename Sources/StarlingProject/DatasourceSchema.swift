import Foundation

/// A `.datasource` file read into what generation needs: its columns in order (name, ClickHouse type,
/// where the value sits in an NDJSON event, DEFAULT) and its engine settings.
public struct DatasourceSchema: Sendable {
    public struct Column: Sendable, Equatable {
        public var name: String
        public var type: ColumnType
        /// Where the column's value sits in an event: `$.location.country` → [key location, key
        /// country]; `$.tags[:]` ends with `.everyItem`. Without `json:`, the column's own name.
        public var path: [PathComponent]
        /// The DEFAULT expression's text, when the schema gives one: the row is valid without a value.
        public var defaultExpression: String?
        /// 1-based line in the file.
        public var line: Int
        /// The type as the schema writes it (`Enum8('view' = 1)`, which `type` keeps without the numbers).
        public var typeText = ""

        /// The JSONPath as written (`$.location.country`).
        public var jsonPath: String {
            "$" + path.map { component in
                switch component {
                case .key(let key): return ".\(key)"
                case .everyItem: return "[:]"
                }
            }.joined()
        }
    }

    public enum PathComponent: Sendable, Equatable, Hashable {
        case key(String)
        case everyItem
    }

    public let name: String
    public let path: String
    public let description: String
    public let columns: [Column]
    /// `ENGINE "MergeTree"` (unquoted), `MergeTree` when absent.
    public let engine: String
    public let sortingKey: [String]
    /// Every `ENGINE_*` setting as written (sorting and partition keys, TTL, version column…).
    public let engineSettings: [String: String]

    /// Rows that share a sorting key are merged into one when parts merge in the background
    /// (Replacing, Collapsing, Summing, Aggregating engines): a row count settles at or below the
    /// rows inserted, and a query without FINAL may answer differently before and after a merge.
    public var collapsesRows: Bool {
        ["Replacing", "Collapsing", "Summing", "Aggregating"].contains { engine.contains($0) }
    }

    /// An aggregate-state target of a materialized pipe: its rows come from the pipe, never from events.
    public var isMaterializedTarget: Bool {
        engine.contains("Aggregating") || columns.contains { if case .other(let t) = $0.type { t.hasPrefix("AggregateFunction") } else { false } }
    }

    public init(name: String, path: String, text: String) throws(DatafileError) {
        let file = try Datafile(path: path, text: text, kind: .datasource)
        self.name = name
        self.path = path
        var description = ""
        var columns: [Column]?
        var engine = "MergeTree"
        var sortingKey: [String] = []
        var settings: [String: String] = [:]
        for statement in file.statements {
            let keyword = statement.keyword.uppercased()
            switch keyword {
            case "DESCRIPTION":
                description = statement.block.isEmpty ? statement.value : statement.text
            case "SCHEMA":
                guard !statement.block.isEmpty else {
                    throw DatafileError(path: path, line: statement.line, expected: "`SCHEMA >` followed by indented column definitions")
                }
                columns = try Self.columns(statement.block, path: path)
            case "ENGINE":
                engine = TemplateScanner.unquote(statement.value)
            case "ENGINE_SORTING_KEY":
                settings[keyword] = TemplateScanner.unquote(statement.value)
                sortingKey = TemplateScanner.splitArguments(TemplateScanner.unquote(statement.value)).map { $0.replacingOccurrences(of: "`", with: "") }
            case _ where keyword.hasPrefix("ENGINE_"):
                settings[keyword] = TemplateScanner.unquote(statement.block.isEmpty ? statement.value : statement.text)
            default:
                continue  // TOKEN, TAGS, INDEXES, FORWARD_QUERY, KAFKA_*…: not needed to generate events
            }
        }
        guard let columns, !columns.isEmpty else {
            throw DatafileError(path: path, line: 1, expected: "a `SCHEMA >` block with at least one column")
        }
        self.description = description
        self.columns = columns
        self.engine = engine
        sortingKey = sortingKey.filter { !$0.isEmpty }
        self.sortingKey = sortingKey
        engineSettings = settings
    }

    public func column(_ name: String) -> Column? { columns.first { $0.name == name } }

    // MARK: - SCHEMA

    /// Splits the block on commas outside brackets, quotes and backticks, keeping each column's line.
    static func columns(_ block: [(line: Int, text: String)], path: String) throws(DatafileError) -> [Column] {
        var definitions: [(line: Int, text: String)] = []
        var current = ""
        var currentLine = 0
        var nesting = Nesting(squareBrackets: true, backticks: true)
        for (line, text) in block {
            let content = text.trimming([" ", "\t"])
            if nesting.isOutside, current.trimming([" ", "\t", "\n"]).isEmpty, content.hasPrefix("#") || content.hasPrefix("--") { continue }
            for character in text {
                if current.trimming([" ", "\t", "\n"]).isEmpty, character != " ", character != "\t" { currentLine = line }
                if nesting.read(character), nesting.depth == 0, character == "," {
                    definitions.append((currentLine, current))
                    current = ""
                } else {
                    current.append(character)
                }
            }
            current.append(" ")
        }
        if !current.trimming([" ", "\t", "\n"]).isEmpty { definitions.append((currentLine, current)) }
        var columns: [Column] = []
        for (line, text) in definitions {
            let column = try Self.column(text.trimming([" ", "\t", "\n"]), line: line, path: path)
            if columns.contains(where: { $0.name == column.name }) {
                throw DatafileError(path: path, line: line, expected: "a column name not used before (\(column.name) is defined twice)")
            }
            columns.append(column)
        }
        return columns
    }

    /// `` `name` Type [DEFAULT expr] [`json:$.path`] [CODEC(…)] `` in any order after the type.
    static func column(_ text: String, line: Int, path: String) throws(DatafileError) -> Column {
        var rest = Substring(text)
        let name: String
        if rest.first == "`" {
            guard let close = rest.dropFirst().firstIndex(of: "`") else {
                throw DatafileError(path: path, line: line, expected: "a closing ` after the column name")
            }
            name = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
        } else {
            name = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
            rest = rest.dropFirst(name.count)
        }
        guard !name.isEmpty else { throw DatafileError(path: path, line: line, expected: "a column name (`name` Type `json:$.path`)") }
        let clauses = ["DEFAULT", "CODEC", "MATERIALIZED", "ALIAS", "TTL", "EPHEMERAL"]
        let typeText = Self.prefix(of: rest, stoppingAt: clauses)
        rest = rest.dropFirst(typeText.count)
        guard let type = ColumnType(parsing: String(typeText)) else {
            let whole = typeText.trimming([" "])
            let found = whole.count > 80 ? String(whole.prefix(80)) + "… (\(whole.count) characters)" : whole
            throw DatafileError(path: path, line: line, expected: found.isEmpty
                ? "a ClickHouse type after column \(name)"
                : "a ClickHouse type for column \(name) (String, Int32, Nullable(…), Array(…), Decimal(P, S), DateTime64(3)…), found \(found)")
        }
        var jsonPath: [PathComponent]?
        var defaultExpression: String?
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" }
            if rest.isEmpty { break }
            if rest.first == "`" {
                guard let close = rest.dropFirst().firstIndex(of: "`") else {
                    throw DatafileError(path: path, line: line, expected: "a closing ` after `json:…")
                }
                let quoted = String(rest[rest.index(after: rest.startIndex)..<close])
                rest = rest[rest.index(after: close)...]
                guard quoted.hasPrefix("json:") else {
                    throw DatafileError(path: path, line: line, expected: "`json:$.path` after the type of \(name), found `\(quoted)`")
                }
                guard let parsed = Self.jsonPath(String(quoted.dropFirst(5))) else {
                    throw DatafileError(path: path, line: line, expected: "a JSONPath like $, $.a.b or $.tags[:] for \(name), found \(quoted.dropFirst(5))")
                }
                jsonPath = parsed
                continue
            }
            let word = String(rest.prefix { $0.isLetter }).uppercased()
            guard clauses.contains(word) else {
                throw DatafileError(path: path, line: line, expected: "DEFAULT, CODEC or `json:$.path` after the type of \(name), found \(rest.prefix(20))")
            }
            rest = rest.dropFirst(word.count)
            let expression = Self.prefix(of: rest, stoppingAt: clauses).trimming([" ", "\t"])
            rest = rest.dropFirst(Self.prefix(of: rest, stoppingAt: clauses).count)
            if word == "DEFAULT" { defaultExpression = expression }
        }
        return Column(name: name, type: type, path: jsonPath ?? [.key(name)], defaultExpression: defaultExpression, line: line,
                      typeText: typeText.trimming([" ", "\t"]))
    }

    /// The text up to a backtick or one of `clauses` (as a word) outside brackets and quotes.
    static func prefix(of text: Substring, stoppingAt clauses: [String]) -> Substring {
        var nesting = Nesting()
        var index = text.startIndex
        var previous: Character = " "
        while index < text.endIndex {
            let c = text[index]
            if nesting.read(c), nesting.depth == 0 {
                if c == "`" { break }
                if previous == " " || previous == "\t", c.isLetter, clauses.contains(String(text[index...].prefix { $0.isLetter }).uppercased()) { break }
            }
            previous = c
            index = text.index(after: index)
        }
        return text[text.startIndex..<index]
    }

    /// `$.a.b`, `$.a['b']`, `$.tags[:]`; nil for anything else.
    static func jsonPath(_ text: String) -> [PathComponent]? {
        guard text.hasPrefix("$") else { return nil }
        var rest = Substring(text).dropFirst()
        var components: [PathComponent] = []
        while !rest.isEmpty {
            if rest.hasPrefix("[:]") {
                components.append(.everyItem)
                rest = rest.dropFirst(3)
            } else if rest.hasPrefix("['") {
                guard let close = rest.range(of: "']") else { return nil }
                components.append(.key(String(rest[rest.index(rest.startIndex, offsetBy: 2)..<close.lowerBound])))
                rest = rest[close.upperBound...]
            } else if rest.first == "." {
                let key = rest.dropFirst().prefix { $0 != "." && $0 != "[" }
                guard !key.isEmpty else { return nil }
                components.append(.key(String(key)))
                rest = rest.dropFirst(1 + key.count)
            } else {
                return nil
            }
        }
        // `$` alone: the whole row (a JSON column, `event JSON json:$`).
        return components
    }
}
