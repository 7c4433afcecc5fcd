/// What is wrong with one row (or the header) of a datasource being profiled, without saying where:
/// `ProfileInputError` adds the source and line.
public enum RowProblem: Error, Equatable, Sendable, CustomStringConvertible {
    /// The row has no value for a column the profile reads (or the CSV header lacks it).
    case missing(column: String)
    case badValue(column: String, expected: String, found: String)
    /// The row is not a JSON object, or not a CSV record.
    case malformed(String)
    /// A CSV record with another number of fields than its header.
    case fieldCount(found: Int, expected: Int)
    /// The CSV header lacks columns the profile reads.
    case header(missing: [String])

    public var description: String {
        switch self {
        case .missing(let column): return "no \(column)"
        case .badValue(let column, let expected, let found): return "\(column): expected \(expected), found \(found)"
        case .malformed(let reason): return reason
        case .fieldCount(let found, let expected): return "\(found) fields, the header has \(expected)"
        case .header(let missing): return "the header has no \(missing.joined(separator: ", "))"
        }
    }
}

/// A row `profile` cannot read: where (a file, or a generated stream) and which line, and why.
/// Printed as one line: `fixtures/ecommerce_events.ndjson line 17: no event_time`.
public struct ProfileInputError: Error, Equatable, Sendable, CustomStringConvertible {
    public var source: String
    /// 1-based; a CSV record spanning lines is named by its first line.
    public var line: Int
    public var problem: RowProblem

    public init(source: String, line: Int, problem: RowProblem) {
        self.source = source
        self.line = line
        self.problem = problem
    }

    public var description: String { "\(source) line \(line): \(problem)" }
}

extension RowProblem {
    /// A value as it appeared, quoted and cut to 60 bytes, for messages.
    static func shown(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let text = String(decoding: bytes.prefix(60), as: UTF8.self)
        return "\"" + text + (bytes.count > 60 ? "…" : "") + "\""
    }
}
