import StarlingMetrics

/// `summary.json`: the versioned record of a run that reports, `compare` and `merge` read.
/// Times are milliseconds, rates per second. Never contains the token.
public struct RunSummary: Codable, Sendable {
    public static let currentSchema = "starling.summary.v1"

    public var schema = RunSummary.currentSchema
    public var scenario: String
    public var seed: UInt64
    public var shard: String
    /// The target's URL (scheme, host, port, path; no token).
    public var target: String
    public var startedAt: String
    public var plannedSeconds: Double
    public var elapsedSeconds: Double
    public var valid: Bool
    public var invalidReasons: [String]
    public var stoppedEarly: String?
    public var ingest: IngestSummary
    /// Per stream (`ingest`, `query.<pipe>`): latency from the intended send time.
    public var streams: [String: StreamSummary]
    /// How late the generator itself was (not the server): `ingest` and `query`.
    public var scheduleLag: [String: StreamSummary]
    public var queries: [String: QuerySummary]
    /// Filled by the checks phase (issue: correctness oracles); empty when no checks ran.
    public var checks: [String: String] = [:]
}

public struct IngestSummary: Codable, Sendable {
    public var ledger: LedgerCounts
    public var offeredEventsPerSecond: Double
    public var achievedEventsPerSecond: Double
    public var requests: Int
    public var gzip: Bool
    public var wait: Bool
    public var maxInFlight: Int
    public var batchMaxEvents: Int
    public var errors: [String: Int]
    public var deadLetterFile: String?
    public var deadLetterLines: Int
}

public struct QuerySummary: Codable, Sendable {
    public var offeredPerSecond: Double
    public var achievedPerSecond: Double
    public var errors: [String: Int]
    /// Means of the server's own statistics over successful answers.
    public var serverElapsedMs: Double?
    public var serverRowsRead: Double?
    public var serverBytesRead: Double?
}

/// Percentiles of one latency histogram, in milliseconds.
public struct StreamSummary: Codable, Sendable, Equatable {
    public var count: UInt64
    public var errors: Int
    public var mean: Double
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var p999: Double
    public var max: Double

    /// From a histogram of microseconds.
    public init(_ histogram: HDRHistogram, errors: Int = 0) {
        count = histogram.totalCount
        self.errors = errors
        let ms = { (value: UInt64) in Double(value) / 1000 }
        mean = histogram.totalCount > 0 ? histogram.mean / 1000 : 0
        p50 = ms(histogram.valueAtPercentile(50))
        p90 = ms(histogram.valueAtPercentile(90))
        p99 = ms(histogram.valueAtPercentile(99))
        p999 = ms(histogram.valueAtPercentile(99.9))
        max = ms(histogram.max)
    }
}
