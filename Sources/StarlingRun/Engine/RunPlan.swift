import StarlingNet
import StarlingProject
import StarlingSim

/// Everything a run needs, resolved from the scenario and the flags (the target and the clock come
/// with the `RunEnvironment`).
public struct RunPlan: Sendable {
    public var scenario: Scenario
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
    /// How the schedule lag decides validity, and its limit (microseconds).
    public var scheduleLagRule: ScheduleLagRule
    public var maxScheduleLagMicros: UInt64
    /// After the planned end (or an abrupt stop), how long queued and retrying requests may take
    /// before the rest is counted as not sent.
    public var drainTimeout: Double
    /// Seconds of nothing but connection failures after which the target counts as lost.
    public var targetLostAfter: Double
    /// Length of one `.hlog` interval, in seconds.
    public var logInterval: Double = 5
    /// Watches some sent events until they are visible (nil: no freshness probes).
    public var freshness: FreshnessTracker?
    /// Probes per second of schedule time, when `freshness` is set.
    public var probesPerSecond = 1.0
    /// The target's project: the pipes' specs the check plan is drawn with (empty: no checks).
    public var pipes: [String: PipeSpec] = [:]
    /// The project folder the reference replay serves (nil: no reference replay).
    public var referenceProject: String?
    /// The project's copy pipes (`TYPE copy`), run once at settle on the target (and on the
    /// reference) so that their target datasources hold data before the checks.
    public var copyPipes: [String] = []
    /// Endpoints whose answer the data does not decide, with the construct (`Undetermined`).
    public var undetermined: [String: String] = [:]
    /// `--start-at`: the wall instant (ns since the epoch, a whole second) the schedule starts at,
    /// shared by every shard of a distributed run (nil: a moment after the engine starts).
    public var startAt: Int64?

    public init(scenario: Scenario, token: String) {
        self.scenario = scenario
        self.token = token
        seed = scenario.seed
        duration = scenario.run.duration
        ingest = scenario.run.ingest
        queries = scenario.run.queries
        queryConcurrency = scenario.run.queryConcurrency
        scheduleLagRule = ScheduleLagRule(rawValue: scenario.run.scheduleLagRule.rawValue) ?? .relative
        maxScheduleLagMicros = UInt64(scenario.run.maxScheduleLag * 1e6)
        drainTimeout = scenario.run.drainTimeout
        targetLostAfter = scenario.run.targetLostAfter
        eventTime = scenario.run.eventTime
    }
}
