import StarlingSim

/// The parameters of one pipe query, exactly as sent in the query string (name → text).
/// Readers mirror the template functions: `defined(x)` is "present", `Int32(x, default)`,
/// `DateTime(x)` ('YYYY-MM-DD HH:MM:SS', UTC) and `String(x)`.
public struct PipeParameters: Sendable, Hashable, Codable, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        values = Dictionary(elements, uniquingKeysWith: { _, last in last })
    }

    public subscript(name: String) -> String? {
        get { values[name] }
        set { values[name] = newValue }
    }

    /// The parameters sorted by name, for a query string or a report.
    public var sorted: [(name: String, value: String)] {
        values.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
    }

    public var description: String {
        values.isEmpty ? "(defaults)" : sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }
}

/// Typed access with the validation a pipe's template applies, naming the pipe in errors.
struct ParameterReader {
    let pipe: String
    let parameters: PipeParameters

    /// `String(name)` under `defined(name)`: the text when present.
    func string(_ name: String) -> String? {
        parameters[name]
    }

    /// `String(name, required=True)`.
    func requiredString(_ name: String) throws(CheckError) -> String {
        guard let value = parameters[name] else { throw .missingParameter(pipe: pipe, name: name) }
        return value
    }

    /// `DateTime(name)` under `defined(name)`: Unix seconds (UTC) when present.
    func dateTime(_ name: String) throws(CheckError) -> Int64? {
        guard let text = parameters[name] else { return nil }
        guard text.utf8.count == 19, let civil = CivilTime(parsing: text) else {
            throw .invalidParameter(pipe: pipe, name: name, value: text, expected: "a 'YYYY-MM-DD HH:MM:SS' UTC time")
        }
        return civil.epochSeconds
    }

    /// `Int32(name, default)`: any Int32 (a sign and leading zeros are allowed, as in the template).
    func int32(_ name: String, default fallback: Int) throws(CheckError) -> Int {
        guard let text = parameters[name] else { return fallback }
        guard let value = Int32(text) else {
            throw .invalidParameter(pipe: pipe, name: name, value: text, expected: "an Int32 integer")
        }
        return Int(value)
    }

    /// `LIMIT {{Int32(name, default)}}`.
    func limit(_ name: String = "limit", default fallback: Int) throws(CheckError) -> RowLimit {
        RowLimit(try int32(name, default: fallback))
    }

    /// The inclusive `start_date` / `end_date` window every filtered pipe accepts.
    func window() throws(CheckError) -> TimeWindow {
        TimeWindow(start: try dateTime("start_date"), end: try dateTime("end_date"))
    }
}

/// Inclusive bounds on an event's timestamp (`timestamp >= start AND timestamp <= end`); nil: no bound.
public struct TimeWindow: Sendable, Hashable {
    public var start: Int64?
    public var end: Int64?

    public init(start: Int64? = nil, end: Int64? = nil) {
        self.start = start
        self.end = end
    }

    @inlinable
    public func contains(_ time: Int64) -> Bool {
        if let start, time < start { return false }
        if let end, time > end { return false }
        return true
    }
}

/// `LIMIT n`: n ≥ 0 keeps the first n rows of the ordered result; ClickHouse reads a negative n as
/// "the last |n| rows".
public struct RowLimit: Sendable, Hashable {
    public let value: Int

    public init(_ value: Int) {
        self.value = value
    }

    /// How many rows are kept at most.
    public var count: Int { value == .min ? .max : abs(value) }

    public func apply<T>(_ rows: [T]) -> ArraySlice<T> {
        value >= 0 ? rows.prefix(value) : rows.suffix(count)
    }
}
