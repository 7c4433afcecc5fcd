import Foundation

/// Reads the parts of a pipe node's SQL that matter to Starling: `{{Type(name, …)}}` calls (Tinybird's
/// typed template functions) with what precedes them, and the tables in FROM / JOIN. A scanner, not
/// a full Tornado/SQL parser: it skips quoted text and takes what the seed and common pipes use.
enum TemplateScanner {
    static let typedFunctions: Set<String> = [
        "String", "DateTime", "DateTime64", "Date", "Float32", "Float64", "Boolean", "Array",
        "Int", "Int8", "Int16", "Int32", "Int64", "Int128", "Int256", "UInt8", "UInt16", "UInt32", "UInt64", "UInt128", "UInt256",
    ]

    /// Every typed call in the `{{ … }}` expressions, in order: `{{Int32(limit, 10)}}`, and each of
    /// `{{ (Int32(page, 0) + 1) * Int32(page_size, 10) }}`. The SQL before an expression (a column
    /// compared, `LIMIT`, `OFFSET`) describes its first call. Then those in `{% … %}` tags.
    static func parameters(in sql: String) -> [PipeParameter] {
        var found: [PipeParameter] = []
        var rest = Substring(sql)
        var before = ""
        while let open = rest.range(of: "{{") {
            before += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            let expression = String(rest[open.upperBound..<close.lowerBound])
            rest = rest[close.upperBound...]
            for (index, call) in typedCalls(in: expression).enumerated() {
                guard var parameter = parameter(call.function, arguments: call.arguments) else { continue }
                if index == 0 { describe(&parameter, before: before, after: rest) }
                found.append(parameter)
            }
        }
        // Typed calls in tags too (`{% set hrs = UInt16(hours_param) %}`, `{% if Int32(n, 0) > 1 %}`):
        // the renderer evaluates them, so one without a default makes its parameter required.
        rest = Substring(sql)
        while let open = rest.range(of: "{%") {
            guard let close = rest[open.upperBound...].range(of: "%}") else { break }
            let tag = String(rest[open.upperBound..<close.lowerBound])
            rest = rest[close.upperBound...]
            found += typedCalls(in: tag).compactMap { parameter($0.function, arguments: $0.arguments) }
        }
        return found
    }

    /// `Typed(arguments)` calls in a template expression, with the text between their parentheses.
    static func typedCalls(in expression: String) -> [(function: String, arguments: String)] {
        var calls: [(String, String)] = []
        for match in expression.matches(of: /([A-Za-z]\w*)\s*\(/) where typedFunctions.contains(String(match.output.1)) {
            var nesting = Nesting(depth: 1)
            var index = match.range.upperBound
            while index < expression.endIndex {
                _ = nesting.read(expression[index])
                if nesting.depth == 0 { break }
                index = expression.index(after: index)
            }
            guard nesting.depth == 0 else { continue }
            calls.append((String(match.output.1), String(expression[match.range.upperBound..<index])))
        }
        return calls
    }

    /// The parameter a typed call declares: its name, then a default (positional or `default=`),
    /// `required=True`, an Array's element type.
    static func parameter(_ function: String, arguments text: String) -> PipeParameter? {
        let arguments = splitArguments(text)
        guard let name = arguments.first, isIdentifier(name) else { return nil }
        var parameter = PipeParameter(name: name, function: function, kind: PipeParameter.kind(of: function), defaultValue: nil,
                                      required: false, comparisons: [], isLimit: false)
        var positional = arguments.dropFirst()
        if function == "Array", let type = positional.first, !type.contains("=") {
            // `Array(name, 'String', default='a,b')`: the first positional argument is the element type.
            parameter.elementType = unquote(type)
            positional = positional.dropFirst()
        }
        for argument in positional {
            if let equals = argument.firstIndex(of: "="), isIdentifier(String(argument[..<equals]).trimming([" "])) {
                let key = argument[..<equals].trimming([" "])
                let value = argument[argument.index(after: equals)...].trimming([" "])
                if key == "required" { parameter.required = value == "True" || value == "true" }
                if key == "default" { parameter.defaultValue = unquote(value) }
            } else if parameter.defaultValue == nil {
                parameter.defaultValue = unquote(argument)
            }
        }
        parameter.calledWithoutDefault = parameter.defaultValue == nil
        return parameter
    }

    /// What the SQL around an expression says of its parameter: compared with a column, the LIMIT,
    /// or the offset (`LIMIT {{offset}}, {{limit}}`, `OFFSET {{…}}`).
    static func describe(_ parameter: inout PipeParameter, before: String, after: Substring) {
        let context = before.suffix(80).replacingOccurrences(of: "\n", with: " ").trimming([" ", "\t"])
        let upper = context.uppercased()
        if upper.hasSuffix("LIMIT") {
            // `LIMIT {{offset}}, {{limit}}`: a comma after the expression makes it the offset.
            if after.drop(while: { $0 == " " || $0 == "\t" }).first == "," { parameter.isOffset = true } else { parameter.isLimit = true }
        } else if upper.hasSuffix("OFFSET") {
            parameter.isOffset = true
        } else if upper.hasSuffix(","), upper.dropLast().trimming([" ", "\t"]).hasSuffix("LIMIT") {
            parameter.isLimit = true
        }
        if let comparison = trailingComparison(context) { parameter.comparisons.append(comparison) }
    }

    /// `column >=` (or =, !=, >, <, <=, IN, NOT IN, BETWEEN, BETWEEN … AND) at the end of `text`, with an
    /// optional table prefix.
    static func trailingComparison(_ text: String) -> PipeParameter.Comparison? {
        var text = Substring(text)
        var operation = ""
        for candidate in [">=", "<=", "!=", "=", ">", "<"] where text.hasSuffix(candidate) {
            operation = candidate
            text = text.dropLast(candidate.count)
            break
        }
        if operation.isEmpty, text.uppercased().hasSuffix(" BETWEEN") {
            // `column BETWEEN {{lower}} AND {{upper}}`: both bounds inclusive.
            operation = ">="
            text = text.dropLast(8)
        } else if operation.isEmpty, text.uppercased().hasSuffix(" AND") {
            var head = text.dropLast(4)
            while head.last == " " || head.last == "\t" { head = head.dropLast() }
            if head.uppercased().hasSuffix(" BETWEEN") {
                operation = "<="
                text = head.dropLast(8)
            }
        }
        if operation.isEmpty, text.uppercased().hasSuffix(" IN") {
            operation = "in"
            text = text.dropLast(3)
            if text.uppercased().hasSuffix(" NOT") { text = text.dropLast(4) }
        }
        guard !operation.isEmpty else { return nil }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        let column = text.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "`" }
        let name = String(column.reversed()).split(separator: ".").last.map(String.init)?.replacingOccurrences(of: "`", with: "") ?? ""
        guard isIdentifier(name) else { return nil }
        return PipeParameter.Comparison(column: name, operation: operation)
    }

    /// `JSONExtractString(column, 'key')` and the like (`JSONExtractInt`, `simpleJSONExtractFloat`…,
    /// a first key only): (column, key, function).
    static func jsonExtractions(in sql: String) -> [(column: String, key: String, function: String)] {
        var found: [(String, String, String)] = []
        for match in sql.matches(of: /(\w*JSONExtract\w*)\(\s*`?(\w+)`?\s*,\s*'([^']+)'/) {
            found.append((String(match.output.2), String(match.output.3), String(match.output.1)))
        }
        return found
    }

    /// `column = 'text'` (or `!=`, `<>`) and `column [NOT] IN ('a', 'b')`: (column, literal); for a
    /// JSON key (`JSONExtractString(payload, 'name') = 'LCP'`) the column is `payload.name`. Sentinels
    /// (`'all'`, `'*'`, `''`) are left out.
    static func literalComparisons(in sql: String) -> [(column: String, literal: String)] {
        var found: [(String, String)] = []
        for match in sql.matches(of: /`?(\w+)`?\s*(?:=|!=|<>)\s*'([^'\\]*)'/) {
            found.append((String(match.output.1), String(match.output.2)))
        }
        for match in sql.matches(of: /(?i)`?(\w+)`?\s+(?:NOT\s+)?IN\s*\(([^)]*)\)/) {
            for literal in match.output.2.matches(of: /'([^'\\]*)'/) { found.append((String(match.output.1), String(literal.output.1))) }
        }
        // `JSONExtractString(payload, 'name') IN ('LCP', 'TTFB')`: literals of the JSON key, as `payload.name`.
        for match in sql.matches(of: /(?i)JSONExtract\w*\(\s*`?(\w+)`?\s*,\s*'([^']+)'\s*\)\s*(?:=|!=|<>)\s*'([^'\\]*)'/) {
            found.append(("\(match.output.1).\(match.output.2)", String(match.output.3)))
        }
        for match in sql.matches(of: /(?i)JSONExtract\w*\(\s*`?(\w+)`?\s*,\s*'([^']+)'\s*\)\s+(?:NOT\s+)?IN\s*\(([^)]*)\)/) {
            for literal in match.output.3.matches(of: /'([^'\\]*)'/) { found.append(("\(match.output.1).\(match.output.2)", String(literal.output.1))) }
        }
        return found.filter { (isIdentifier($0.0) || $0.0.contains(".")) && !isSentinel($0.1) }
    }

    /// Names a `{% if not defined(name) %}{{ error(…) }}` guard requires.
    static func errorGuardedNames(in sql: String) -> [String] {
        sql.matches(of: /\{%-?\s*if\s+not\s+defined\(\s*(\w+)\s*\)\s*-?%\}\s*\{\{\s*error\(/).map { String($0.output.1) }
    }

    /// Parameters the template logic names without a typed call: `{{column(name, 'default')}}`, `{{ name }}`,
    /// `name == 'a'` or `name [not] in ['a', 'b']` inside `{% … %}` (their literals, `''` and
    /// `'*'` aside, are the values the template accepts), `defined(name)` and `{% set name = … %}`.
    /// Text parameters.
    static func templateOnlyParameters(in sql: String) -> [PipeParameter] {
        var found: [String: PipeParameter] = [:]
        var order: [String] = []
        func add(_ name: String, default value: String? = nil, allowed: [String] = []) {
            guard isIdentifier(name), !["not", "and", "or", "in", "defined", "True", "False", "None"].contains(name) else { return }
            if found[name] == nil {
                found[name] = PipeParameter(name: name, function: "", kind: .string, defaultValue: nil, required: false, comparisons: [], isLimit: false)
                order.append(name)
            }
            if found[name]?.defaultValue == nil { found[name]?.defaultValue = value }
            for literal in allowed where !isSentinel(literal) && !(found[name]?.allowedValues.contains(literal) ?? true) {
                found[name]?.allowedValues.append(literal)
            }
        }
        for match in sql.matches(of: /\{\{\s*column\(\s*(\w+)\s*(?:,\s*'([^']*)')?/) {
            add(String(match.output.1), default: match.output.2.map(String.init))
        }
        for match in sql.matches(of: /\{\{\s*(\w+)\s*\}\}/) { add(String(match.output.1)) }  // a bare `{{ name }}`
        for tag in sql.matches(of: /\{%([^%]*)%\}/) {
            let text = tag.output.1
            for match in text.matches(of: /(\w+)\s*(?:==|!=)\s*'([^']*)'/) { add(String(match.output.1), allowed: [String(match.output.2)]) }
            for match in text.matches(of: /(\w+)\s+(?:not\s+)?in\s*\[([^\]]*)\]/) {
                add(String(match.output.1), allowed: match.output.2.matches(of: /'([^']*)'/).map { String($0.output.1) })
            }
            for match in text.matches(of: /defined\(\s*(\w+)\s*\)/) { add(String(match.output.1)) }
            // `{% set _single_day = … %}`: Tinybird lists the variable with the parameters (a request may set it).
            if let match = text.firstMatch(of: /^\s*set\s+(\w+)\s*=/) { add(String(match.output.1)) }
        }
        let typed = Set(parameters(in: sql).map(\.name))
        return order.compactMap { typed.contains($0) ? nil : found[$0] }
    }

    /// A literal that stands for "no filter" (`'all'`, `'*'`, `''`), never a value the data holds.
    static func isSentinel(_ literal: String) -> Bool {
        ["", "*", "all", "any", "none", "null"].contains(literal.lowercased())
    }

    /// Whether the SQL filters relative to the current time: `now() - interval 1 hour`,
    /// `today() - 7`, `timestampAdd(today(), interval -7 day)`, `minute = toStartOfMinute(now())`.
    static func readsRelativeTime(_ sql: String) -> Bool {
        sql.contains(/(?i)\b(now|today)\(\)\s*-/)
            || sql.contains(/(?i)\b(timestamp_?add|timestamp_?sub|date_?add|date_?sub|add\w+|subtract\w+)\(\s*(now|today)\(\)/)
            || sql.contains(/(?i)(>=?|<=?|==?)\s*\(?\s*(toStartOf\w+\(\s*)?(now|today)\(\)/)
    }

    /// Columns a pipe joins on (`ON p.id = e.product`): (left column, right column).
    static func joinedColumns(in sql: String) -> [(String, String)] {
        sql.matches(of: /(?i)\bON\s+\(?\s*`?\w+`?\.`?(\w+)`?\s*=\s*`?\w+`?\.`?(\w+)`?/).map { (String($0.output.1), String($0.output.2)) }
    }

    /// Names asked with `defined(name)` in the template's `{% … %}` tags.
    static func definedNames(in sql: String) -> [String] {
        var names: [String] = []
        var rest = Substring(sql)
        while let call = rest.range(of: "defined(") {
            rest = rest[call.upperBound...]
            let name = rest.prefix { $0 != ")" }.trimming([" ", "\t"])
            if isIdentifier(name) { names.append(name) }
        }
        return names
    }

    /// Identifiers after FROM and JOIN (outside quotes), `workspace.datasource` included.
    static func tables(in sql: String) -> [String] {
        let words = sql.split { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "(" || $0 == ".") }.map(String.init)
        var tables: [String] = []
        for (index, word) in words.enumerated() where index + 1 < words.count && (word.uppercased() == "FROM" || word.uppercased() == "JOIN") {
            // `events`, or `workspace.events` for a datasource another workspace shares.
            let next = words[index + 1]
            let parts = next.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if parts.count <= 2, parts.allSatisfy(isIdentifier), !tables.contains(next) { tables.append(next) }
        }
        return tables
    }

    /// The outermost `ORDER BY a DESC, b ASC` of a query (the last one at parenthesis depth 0), up to
    /// LIMIT, a template tag or the end.
    static func orderBy(in sql: String) -> [(column: String, descending: Bool)] {
        let characters = Array(sql)
        var nesting = Nesting()
        var start: Int?
        for index in characters.indices where nesting.read(characters[index]) && nesting.depth == 0 {
            if index + 8 <= characters.count, String(characters[index..<index + 8]).uppercased() == "ORDER BY" { start = index + 8 }
        }
        guard let start else { return [] }
        var clause = String(characters[start...])
        for stop in ["LIMIT", "{%", "{{", "FORMAT", "SETTINGS"] {
            if let range = clause.range(of: stop, options: .caseInsensitive) { clause = String(clause[..<range.lowerBound]) }
        }
        return splitArguments(clause.replacingOccurrences(of: "\n", with: " ")).compactMap { term in
            let words = term.split(separator: " ").map(String.init)
            guard let column = words.first, isIdentifier(column) else { return nil }
            return (column, words.dropFirst().first?.uppercased() == "DESC")
        }
    }

    /// Splits on commas outside quotes and brackets.
    static func splitArguments(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var nesting = Nesting(squareBrackets: true)
        for character in text {
            if nesting.read(character), nesting.depth == 0, character == "," {
                parts.append(current.trimming([" ", "\t", "\n"]))
                current = ""
            } else {
                current.append(character)
            }
        }
        let last = current.trimming([" ", "\t", "\n"])
        if !last.isEmpty { parts.append(last) }
        return parts
    }

    static func unquote(_ text: String) -> String {
        if text.count >= 2, let first = text.first, first == "'" || first == "\"", text.last == first {
            return String(text.dropFirst().dropLast())
        }
        return text
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }
}

/// Parenthesis depth outside quoted text, read one character at a time: the bookkeeping every
/// scanner of SQL and template text here shares.
/// Where a scanner of SQL or datafile text is: inside quotes (`'`, `"`, and with `backticks` also
/// `` ` ``), or how deep in parentheses (and with `squareBrackets` also `[ ]`). The one quote and
/// bracket scanner of this module: the template's parameters and ORDER BY, the splitting of
/// arguments and of a SCHEMA's columns.
struct Nesting {
    private(set) var depth = 0
    private var quote: Character?
    private let squareBrackets: Bool
    private let backticks: Bool

    init(depth: Int = 0, squareBrackets: Bool = false, backticks: Bool = false) {
        self.depth = depth
        self.squareBrackets = squareBrackets
        self.backticks = backticks
    }

    /// Outside every quote and bracket.
    var isOutside: Bool { quote == nil && depth == 0 }

    /// Reads `c`: false when it is quoted text or a quote mark, true otherwise (a bracket
    /// included, already counted in `depth`).
    mutating func read(_ c: Character) -> Bool {
        if let open = quote {
            if c == open { quote = nil }
            return false
        }
        switch c {
        case "'", "\"": quote = c; return false
        case "`" where backticks: quote = c; return false
        case "(": depth += 1
        case ")": depth -= 1
        case "[" where squareBrackets: depth += 1
        case "]" where squareBrackets: depth -= 1
        default: break
        }
        return true
    }
}

extension String {
    func trimming(_ set: Set<Character>) -> String {
        var text = Substring(self)
        while let first = text.first, set.contains(first) { text = text.dropFirst() }
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return String(text)
    }
}

extension Substring {
    func trimming(_ set: Set<Character>) -> String { String(self).trimming(set) }
}
