/// One option of a verb: its name, its value's placeholder (nil for a flag), and its help. The
/// table of a verb's options yields both its parser and its `--help` text.
struct OptionSpec: Sendable {
    let name: String
    /// Placeholder of the value (`R`, `DIR`); nil for a flag.
    let value: String?
    let help: String
    /// The option may be given several times (its values are collected in order).
    var repeatable = false
    /// Its value may itself start with `--` (`--local-target-args "--fault-drop 0.1"`).
    var valueMayStartWithDashes = false

    static func flag(_ key: OptionKey, _ help: String) -> OptionSpec {
        OptionSpec(name: key.name, value: nil, help: help)
    }

    static func value(_ key: OptionKey, _ placeholder: String, _ help: String, repeatable: Bool = false, dashes: Bool = false) -> OptionSpec {
        OptionSpec(name: key.name, value: placeholder, help: help, repeatable: repeatable, valueMayStartWithDashes: dashes)
    }
}

/// A verb of the CLI, declared once: usage, description, arguments, options and closing sections.
struct CommandSpec: Sendable {
    let verb: String
    /// What the verb does, in one line of `starling help`'s list (a sub-benchmark's spec has none).
    var line = ""
    let usage: String
    let summary: String
    var arguments: [(name: String, help: String)] = []
    var options: [OptionSpec] = []
    /// Sections after the options: (title, text), e.g. ("EXIT CODES", "0 passed; …").
    var sections: [(title: String, text: String)] = []

    /// The `--help` text.
    var help: String {
        var text = "USAGE: \(usage)\n\n\(summary)\n"
        if !arguments.isEmpty {
            text += "\nARGUMENTS:\n"
            for argument in arguments { text += Self.item(argument.name, argument.help) }
        }
        text += "\nOPTIONS:\n"
        for option in options {
            text += Self.item(option.name + (option.value.map { " \($0)" } ?? ""), option.help + (option.repeatable ? " (repeatable)" : ""))
        }
        text += Self.item("-h, --help", "show this help")
        for section in sections { text += "\n\(section.title):\n" + section.text.split(separator: "\n", omittingEmptySubsequences: false).map { "  \($0)" }.joined(separator: "\n") + "\n" }
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    /// `  name   help…` with the help in a column (wrapped at 100 characters, on the next line when
    /// the name is long).
    static func item(_ name: String, _ help: String) -> String {
        let column = 26
        var lines = wrap(help, width: 100 - column)
        var text = "  " + name
        if name.count + 2 >= column - 1 {
            text += "\n" + String(repeating: " ", count: column)
        } else {
            text += String(repeating: " ", count: column - 2 - name.count)
        }
        text += lines.removeFirst() + "\n"
        for line in lines { text += String(repeating: " ", count: column) + line + "\n" }
        return text
    }

    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ") {
                if !line.isEmpty && line.count + 1 + word.count > width {
                    lines.append(line)
                    line = ""
                }
                line += (line.isEmpty ? "" : " ") + word
            }
            lines.append(line)
        }
        return lines.isEmpty ? [""] : lines
    }

    /// Parses `arguments` left to right against the table: `--name value`, `--name=value`, flags,
    /// positionals; `--` ends the options. `-h`/`--help` asks for help only where an option may
    /// stand (as a value it is a value). Unknown options, repeated single-valued ones and missing
    /// values are usage errors naming the option.
    func parse(_ arguments: [String]) throws(UsageError) -> ParsedArguments? {
        var parsed = ParsedArguments(verb: verb)
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let item = arguments[index]
            index += 1
            if optionsEnded || !item.hasPrefix("-") || item == "-" {
                parsed.positionals.append(item)
                continue
            }
            if item == "--" {
                optionsEnded = true
                continue
            }
            if item == "--help" || item == "-h" { return nil }
            let (name, inline) = item.firstIndex(of: "=").map { (String(item[..<$0]), Optional(String(item[item.index(after: $0)...]))) } ?? (item, nil)
            guard let option = options.first(where: { $0.name == name }) else {
                throw UsageError(verb: verb, message: "unknown option \(name)")
            }
            if !option.repeatable && (parsed.values[name] != nil || parsed.flags.contains(name)) {
                throw UsageError(verb: verb, message: "\(name) is given more than once")
            }
            guard option.value != nil else {
                if inline != nil { throw UsageError(verb: verb, message: "\(name) takes no value") }
                parsed.flags.insert(name)
                continue
            }
            let value: String
            if let inline {
                value = inline
            } else {
                guard index < arguments.count, option.valueMayStartWithDashes || !arguments[index].hasPrefix("--") else {
                    throw UsageError(verb: verb, message: "\(name) needs a value (\(option.value ?? "a value"))")
                }
                value = arguments[index]
                index += 1
            }
            parsed.values[name, default: []].append(value)
        }
        return parsed
    }
}

/// What `CommandSpec.parse` found.
struct ParsedArguments {
    let verb: String
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []

    init(verb: String) {
        self.verb = verb
    }

    /// The value of a single-valued option (nil if absent).
    func value(_ key: OptionKey) -> String? { values[key.name]?.last }

    /// Every value of a repeatable option, in order.
    func all(_ key: OptionKey) -> [String] { values[key.name] ?? [] }

    /// The value converted by `parse`; `expected` describes the accepted form.
    func value<T>(_ key: OptionKey, expected: String, _ parse: (String) -> T?) throws(UsageError) -> T? {
        guard let text = value(key) else { return nil }
        guard let converted = parse(text) else {
            throw UsageError(verb: verb, message: "\(key.name) \(text): expected \(expected)")
        }
        return converted
    }

    func flag(_ key: OptionKey) -> Bool { flags.contains(key.name) }

    /// The positionals, checked against `range`.
    func positionals(count range: ClosedRange<Int>, names: String) throws(UsageError) -> [String] {
        guard range.contains(positionals.count) else {
            throw UsageError(verb: verb, message: positionals.count < range.lowerBound ? "missing \(names)" : "unexpected argument \(positionals[range.upperBound])")
        }
        return positionals
    }
}

/// A usage error: exit code 1, with the verb's help pointer.
struct UsageError: Error {
    let verb: String
    let message: String
}
