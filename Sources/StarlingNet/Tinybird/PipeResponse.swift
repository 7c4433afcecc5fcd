import StarlingJSON

/// `statistics` of a pipe's JSON answer plus its row count.
public struct PipeStatistics: Sendable, Equatable {
    public var rows: Int
    /// Server-side query time in seconds.
    public var elapsedSeconds: Double
    public var rowsRead: Int64
    public var bytesRead: Int64

    public init(rows: Int, elapsedSeconds: Double, rowsRead: Int64, bytesRead: Int64) {
        self.rows = rows
        self.elapsedSeconds = elapsedSeconds
        self.rowsRead = rowsRead
        self.bytesRead = bytesRead
    }

    /// Reads `rows` and `statistics` from the end of a ClickHouse `FORMAT JSON` body without parsing
    /// `data` (they follow it), for query load where rows are not checked. Nil if they are absent.
    public static func scan(_ body: [UInt8]) -> PipeStatistics? {
        guard let statisticsKey = lastIndex(of: Array("\"statistics\"".utf8), in: body, before: body.count),
              let statistics = value(after: statisticsKey + 12, in: body),
              let rowsKey = lastIndex(of: Array("\"rows\"".utf8), in: body, before: statisticsKey),
              let rows = value(after: rowsKey + 6, in: body)?.int64Value
        else { return nil }
        return PipeStatistics(json: statistics, rows: Int(rows))
    }

    init?(json statistics: JSONValue, rows: Int) {
        guard let elapsed = statistics["elapsed"]?.doubleValue else { return nil }
        self.init(rows: rows, elapsedSeconds: elapsed, rowsRead: statistics["rows_read"]?.int64Value ?? 0,
                  bytesRead: statistics["bytes_read"]?.int64Value ?? 0)
    }

    /// The JSON value after the `:` that follows a key ending at `offset`.
    private static func value(after offset: Int, in body: [UInt8]) -> JSONValue? {
        var index = offset
        while index < body.count, [0x20, 0x0A, 0x0D, 0x09].contains(body[index]) { index += 1 }
        guard index < body.count, body[index] == UInt8(ascii: ":") else { return nil }
        return try? JSONValue.parse(body, valueAt: index + 1)
    }

    private static func lastIndex(of pattern: [UInt8], in body: [UInt8], before end: Int) -> Int? {
        var start = end - pattern.count
        while start >= 0 {
            if body[start] == pattern[0] && body[start..<(start + pattern.count)].elementsEqual(pattern) { return start }
            start -= 1
        }
        return nil
    }
}

/// A pipe's JSON answer (ClickHouse `FORMAT JSON`): columns, rows and statistics.
public struct PipeResponse: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        public var name: String
        public var type: String
    }

    public var meta: [Column]
    /// One `.object` per row; 64-bit integers may be numbers or numeric strings.
    public var data: [JSONValue]
    public var statistics: PipeStatistics
    public var rowsBeforeLimitAtLeast: Int?

    /// Parses the whole body, `data` included.
    public init(body: [UInt8]) throws(PipeResponseError) {
        let json: JSONValue
        do { json = try JSONValue.parse(body) } catch { throw .invalidJSON(error.description) }
        if let message = json["error"]?.stringValue { throw .serverError(message) }
        guard let data = json["data"]?.arrayValue else { throw .missingField("data") }
        let rows = json["rows"]?.int64Value.map { Int($0) } ?? data.count
        guard let statisticsValue = json["statistics"],
              let statistics = PipeStatistics(json: statisticsValue, rows: rows)
        else { throw .missingField("statistics.elapsed") }
        self.meta = (json["meta"]?.arrayValue ?? []).compactMap { column in
            guard let name = column["name"]?.stringValue else { return nil }
            return Column(name: name, type: column["type"]?.stringValue ?? "")
        }
        self.data = data
        self.statistics = statistics
        self.rowsBeforeLimitAtLeast = json["rows_before_limit_at_least"]?.int64Value.map { Int($0) }
    }
}

public enum PipeResponseError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidJSON(String)
    case missingField(String)
    case serverError(String)

    public var description: String {
        switch self {
        case let .invalidJSON(detail): return "pipe response is not JSON (\(detail)) — was format=json requested?"
        case let .missingField(field): return "pipe response has no '\(field)' — is the target a Tinybird-compatible API?"
        case let .serverError(message): return "pipe returned an error: \(message)"
        }
    }
}
