/// A Tinybird datafile (`.datasource`, `.pipe`) split into statements: `KEYWORD value` lines and
/// `KEYWORD >` followed by a block. Comments (`#`) and blank lines between statements are skipped;
/// every statement keeps its line number for error messages.
///
/// The block rule is Tinybird's own (`tinybird/datafile/common.py`, `parse`): a block runs until a
/// line that does not start with whitespace and whose first word is a keyword of the file's kind.
/// Other lines at column 0 belong to the block: the `%` that opens a templated query, a
/// `with {{ … }} as page_start` written flush left, prose in a DESCRIPTION.
public struct Datafile: Sendable {
    /// Which keywords end a block: those of a `.pipe` or those of a `.datasource`.
    public enum Kind: Sendable {
        case pipe, datasource

        /// Keywords (uppercase) that end a block when they open a line at column 0.
        var keywords: Set<String> {
            switch self {
            case .pipe:
                return ["NODE", "SQL", "TYPE", "DATASOURCE", "DESCRIPTION", "TOKEN", "TAGS", "INCLUDE", "VERSION",
                        "TARGET_DATASOURCE", "COPY_SCHEDULE", "COPY_MODE", "MODE", "ON_DEMAND_COMPUTE", "FILTER",
                        "DEPLOYMENT_METHOD", "FORWARD_QUERY", "ENGINE", "SCHEMA", "INDEXES", "PARTITIONS"]
            case .datasource:
                return ["DESCRIPTION", "SCHEMA", "INDEXES", "ENGINE", "TOKEN", "TAGS", "FORWARD_QUERY", "SHARED_WITH",
                        "VERSION", "BACKFILL", "INCLUDE"]
            }
        }

        /// Keyword families (`ENGINE_SORTING_KEY`, `KAFKA_TOPIC`, `EXPORT_SERVICE`…).
        var keywordPrefixes: [String] {
            switch self {
            case .pipe: return ["ENGINE_", "EXPORT_", "COPY_", "KAFKA_", "IMPORT_"]
            case .datasource: return ["ENGINE_", "KAFKA_", "IMPORT_", "EXPORT_"]
            }
        }

        func isKeyword(_ word: String) -> Bool {
            let upper = word.uppercased()
            return keywords.contains(upper) || keywordPrefixes.contains { upper.hasPrefix($0) }
        }
    }

    public struct Statement: Sendable, Equatable {
        /// 1-based line of the keyword.
        public var line: Int
        public var keyword: String
        /// The text after the keyword on its line (empty for a block).
        public var value: String
        /// The block's lines, with their line numbers: dedented, or, for a templated block (its
        /// first line `%`), as written with the block's outer whitespace stripped.
        public var block: [(line: Int, text: String)]

        public var text: String { block.map(\.text).joined(separator: "\n") }

        public static func == (a: Statement, b: Statement) -> Bool {
            a.line == b.line && a.keyword == b.keyword && a.value == b.value && a.text == b.text
        }
    }

    public let path: String
    public let statements: [Statement]

    public init(path: String, text: String, kind: Kind) throws(DatafileError) {
        self.path = path
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        var statements: [Statement] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            let trimmed = line.trimmingSpaces
            if trimmed.isEmpty || trimmed.hasPrefix("#") {
                index += 1
                continue
            }
            guard !line.startsWithWhitespace else {
                throw DatafileError(path: path, line: index + 1, expected: "a KEYWORD at the start of the line (an indented line must belong to a `KEYWORD >` block)")
            }
            let keyword = trimmed.firstWord
            let value = String(trimmed.dropFirst(keyword.count)).trimmingSpaces
            var statement = Statement(line: index + 1, keyword: keyword, value: value, block: [])
            index += 1
            if value == ">" {
                statement.value = ""
                var block: [(line: Int, text: String)] = []
                while index < lines.count {
                    let next = lines[index]
                    if !next.startsWithWhitespace, kind.isKeyword(next.trimmingSpaces.firstWord) { break }
                    if !next.startsWithWhitespace, next.hasPrefix("#") {
                        index += 1  // a comment line at column 0 inside the block
                        continue
                    }
                    block.append((index + 1, next))
                    index += 1
                }
                statement.block = Self.shaped(block)
            }
            statements.append(statement)
        }
        self.statements = statements
    }

    /// Blank lines around the block dropped; a templated block (starting with `%`) keeps its lines
    /// as written (only the whole text's outer whitespace goes), any other is dedented by the
    /// smallest indentation of its non-blank lines.
    static func shaped(_ lines: [(line: Int, text: String)]) -> [(line: Int, text: String)] {
        var block = lines
        while let first = block.first, first.text.trimmingSpaces.isEmpty { block.removeFirst() }
        while let last = block.last, last.text.trimmingSpaces.isEmpty { block.removeLast() }
        guard let first = block.first else { return [] }
        if first.text.trimmingSpaces.hasPrefix("%") {
            block[0].text = String(first.text.drop { $0 == " " || $0 == "\t" })
            block[block.count - 1].text = String(block[block.count - 1].text.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
            return block
        }
        let indent = block.filter { !$0.text.trimmingSpaces.isEmpty }.map { $0.text.prefix { $0 == " " || $0 == "\t" }.count }.min() ?? 0
        return block.map { ($0.line, $0.text.trimmingSpaces.isEmpty ? "" : String($0.text.dropFirst(indent))) }
    }
}

/// A datafile that cannot be read: the file, the line, and what was expected there.
public struct DatafileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var expected: String

    public init(path: String, line: Int, expected: String) {
        self.path = path
        self.line = line
        self.expected = expected
    }

    /// One printable line, whatever the file held (`PrintableText`).
    public var description: String { PrintableText.line("\(path):\(line): expected \(expected)") }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }

    var startsWithWhitespace: Bool { first == " " || first == "\t" }

    /// The text up to the first space or tab.
    var firstWord: String { String(prefix { $0 != " " && $0 != "\t" }) }
}
