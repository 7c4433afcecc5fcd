import StarlingProject

/// What can be wrong with a scenario. Every case names where (file or JSON path) and what was expected.
public enum ScenarioError: Error, Equatable, Sendable, CustomStringConvertible {
    case fileUnreadable(path: String, reason: String)
    case invalidJSON(source: String, reason: String)
    case unsupportedFormat(found: String)
    case missingKey(path: String, expected: String)
    case invalidValue(path: String, expected: String, found: String)
    case unknownKey(path: String, allowed: [String])
    case unknownScenario(name: String, known: [String])
    /// The project a scenario names cannot be read: `file:line: expected …`.
    case project(String)

    /// One printable line, whatever the scenario held: control characters (a line break, an
    /// escape sequence that could forge a console line) are shown escaped, and a quoted value of a
    /// key or name too long to read is cut.
    public var description: String { Self.printable(text) }

    static func printable(_ text: String, limit: Int = 2000) -> String { PrintableText.line(text, limit: limit) }

    private var text: String {
        switch self {
        case .fileUnreadable(let path, let reason):
            return "cannot read scenario \(path): \(reason)"
        case .invalidJSON(let source, let reason):
            return "\(source) is not valid JSON: \(reason)"
        case .unsupportedFormat(let found):
            return "$.format: this Starling reads scenario format 1, found \(found); add \"format\": 1"
        case .missingKey(let path, let expected):
            return "\(path): missing; expected \(expected)"
        case .invalidValue(let path, let expected, let found):
            return "\(path): expected \(expected), found \(found)"
        case .unknownKey(let path, let allowed):
            return "\(path): unknown key; allowed here: \(allowed.sorted().joined(separator: ", "))"
        case .project(let message):
            return message
        case .unknownScenario(let name, let known):
            return "no scenario file or built-in scenario named '\(name)'; built-in: \(known.joined(separator: ", "))"
        }
    }
}
