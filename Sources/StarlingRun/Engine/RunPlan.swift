import StarlingNet
import StarlingSim

/// Everything a run needs, resolved from the scenario, the flags and the target.
public struct RunPlan: Sendable {
    public var scenario: Scenario
    public var target: TargetURL
    /// Never printed or written (requests redact it).
    public var token: String
    public var seed: UInt64
    public var shard: ShardSpec = .whole
    public var duration: Double
    public var ingest: IngestConfig
    public var queries: [QueryConfig]
    /// Query requests in flight at most (nil: derived from the mix's rate).
    public var queryConcurrency: Int?
    public var eventTime: EventTimeMode
    /// Where intervals.hlog and deadletter.ndjson go.
    public var outputDirectory: String
    public var showProgress = false
    /// The run is invalid when the schedule lag's p99 exceeds this (microseconds).
    public var maxScheduleLagMicros: UInt64 = 25_000
    /// After the schedule ends, how long queued and retrying requests may take before the rest is
    /// counted as not sent.
    public var drainTimeout: Double = 30
    /// Length of one `.hlog` interval, in seconds.
    public var logInterval: Double = 5
    public var httpOptions = HTTPClientOptions()
    /// Watches some sent events until they are visible (nil: no freshness probes).
    public var freshness: FreshnessTracker?
    /// Probes per second of schedule time, when `freshness` is set.
    public var probesPerSecond = 1.0

    public init(scenario: Scenario, target: TargetURL, token: String, outputDirectory: String) {
        self.scenario = scenario
        self.target = target
        self.token = token
        self.outputDirectory = outputDirectory
        seed = scenario.seed
        duration = scenario.run.duration
        ingest = scenario.run.ingest
        queries = scenario.run.queries
        queryConcurrency = scenario.run.queryConcurrency
        maxScheduleLagMicros = UInt64(scenario.run.maxScheduleLag * 1e6)
        eventTime = scenario.run.eventTime
    }
}
