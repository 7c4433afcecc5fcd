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
    /// Why `summary.json` is not in the results folder (a full disk), when it is not: the console
    /// summary is then all that is kept.
    public var resultsLost: String?

    /// Exit code per the CLI's contract: 0 passed, 2 a check or threshold failed, 3 invalid, 4
    /// interrupted; 1 when the summary could not be written, whatever the verdict.
    public var exitCode: Int32 { resultsLost == nil ? summary.verdict.exitCode : 1 }
}
