/// A verb's command-line arguments: `--name value`, `--name=value`, boolean `--flag`s and
/// positionals. Every option must be consumed; anything left over is a usage error naming it.
struct Arguments {
    private var items: [String]
    let verb: String

    init(_ items: [String], verb: String) {
        self.items = items
        self.verb = verb
    }

    var wantsHelp: Bool { items.contains("--help") || items.contains("-h") }

    /// The value of `--name` (nil if absent); throws when the option has no value. With
    /// `acceptsDashes`, the next argument is the value even when it starts with `--`.
    mutating func option(_ name: String, acceptsDashes: Bool = false) throws(UsageError) -> String? {
        var found: String?
        var i = 0
        while i < items.count {
            if items[i] == name {
                guard i + 1 < items.count, acceptsDashes || !items[i + 1].hasPrefix("--") || items[i + 1] == "-" else {
                    throw UsageError(verb: verb, message: "\(name) needs a value")
                }
                found = items[i + 1]
                items.removeSubrange(i...(i + 1))
            } else if items[i].hasPrefix(name + "=") {
                found = String(items[i].dropFirst(name.count + 1))
                items.remove(at: i)
            } else {
                i += 1
            }
        }
        return found
    }

    /// The value of `--name` converted by `parse`; `expected` describes the accepted form.
    mutating func option<T>(_ name: String, expected: String, _ parse: (String) -> T?) throws(UsageError) -> T? {
        guard let text = try option(name) else { return nil }
        guard let value = parse(text) else {
            throw UsageError(verb: verb, message: "\(name) \(text): expected \(expected)")
        }
        return value
    }

    mutating func flag(_ name: String) -> Bool {
        guard let i = items.firstIndex(of: name) else { return false }
        items.remove(at: i)
        return true
    }

    /// The remaining positionals, after every option was taken; an unknown option is an error.
    mutating func positionals(count range: ClosedRange<Int>, names: String) throws(UsageError) -> [String] {
        if let unknown = items.first(where: { $0.hasPrefix("--") || ($0.hasPrefix("-") && $0 != "-") }) {
            throw UsageError(verb: verb, message: "unknown option \(unknown)")
        }
        guard range.contains(items.count) else {
            throw UsageError(verb: verb, message: items.count < range.lowerBound ? "missing \(names)" : "unexpected argument \(items[range.upperBound])")
        }
        return items
    }
}

/// A usage error: exit code 1, with the verb's help pointer.
struct UsageError: Error {
    let verb: String
    let message: String
}
