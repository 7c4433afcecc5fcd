import StarlingMetrics

/// What a run produced, for the report writer: the summary, the whole-run histogram and the
/// per-second timeline of every stream.
public struct RunOutcome: Sendable {
    public var summary: RunSummary
    public var histograms: [StreamName: HDRHistogram]
    public var timelines: [StreamName: [TimelineRow]]
    /// Rows acknowledged (not quarantined) per datasource: what the target must hold afterwards.
    public var landed: [String: Int] = [:]
    /// The events the run sent, to be produced again for the checks.
    public var sent: SentEvents?
    /// The freshness probes' visibility histograms (µs), by `totals.hlog` tag; empty without probes.
    public var freshness: [StreamName: HDRHistogram] = [:]

    /// Exit code per the CLI's contract: 0 passed, 2 a check or threshold failed, 3 invalid.
    public var exitCode: Int32 { summary.verdict.exitCode }
}
