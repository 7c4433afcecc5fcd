/// A Tinybird datafile (`.datasource`, `.pipe`) split into statements: `KEYWORD value` lines and
/// `KEYWORD >` followed by an indented block. Comments (`#`) and blank lines between statements are
/// skipped; every statement keeps its line number for error messages.
public struct Datafile: Sendable {
    public struct Statement: Sendable, Equatable {
        /// 1-based line of the keyword.
        public var line: Int
        public var keyword: String
        /// The text after the keyword on its line (empty for a block).
        public var value: String
        /// The block's lines, dedented, with their line numbers.
        public var block: [(line: Int, text: String)]

        public var text: String { block.map(\.text).joined(separator: "\n") }

        public static func == (a: Statement, b: Statement) -> Bool {
            a.line == b.line && a.keyword == b.keyword && a.value == b.value && a.text == b.text
        }
    }

    public let path: String
    public let statements: [Statement]

    public init(path: String, text: String) throws(DatafileError) {
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
            guard let first = line.first, first != " ", first != "\t" else {
                throw DatafileError(path: path, line: index + 1, expected: "a KEYWORD at the start of the line (an indented line must belong to a `KEYWORD >` block)")
            }
            let keyword = String(trimmed.prefix { $0 != " " && $0 != "\t" })
            let value = String(trimmed.dropFirst(keyword.count)).trimmingSpaces
            var statement = Statement(line: index + 1, keyword: keyword, value: value, block: [])
            index += 1
            if value == ">" {
                statement.value = ""
                var block: [(Int, String)] = []
                while index < lines.count, lines[index].trimmingSpaces.isEmpty || lines[index].first == " " || lines[index].first == "\t" {
                    block.append((index + 1, lines[index]))
                    index += 1
                }
                while let last = block.last, last.1.trimmingSpaces.isEmpty { block.removeLast() }
                let indent = block.filter { !$0.1.trimmingSpaces.isEmpty }.map { $0.1.prefix { $0 == " " || $0 == "\t" }.count }.min() ?? 0
                statement.block = block.map { ($0.0, String($0.1.dropFirst(min(indent, $0.1.count)))) }
            }
            statements.append(statement)
        }
        self.statements = statements
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

    public var description: String { "\(path):\(line): expected \(expected)" }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
