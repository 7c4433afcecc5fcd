import StarlingMetrics

/// What a run produced, for the report writer: the summary, the whole-run histogram and the
/// per-second timeline of every stream.
public struct RunOutcome: Sendable {
    public var summary: RunSummary
    public var histograms: [StreamName: HDRHistogram]
    public var timelines: [StreamName: [TimelineRow]]

    /// Exit code per the CLI's contract: 3 invalid, otherwise 0 (checks and thresholds add 2 later).
    public var exitCode: Int32 { summary.valid ? 0 : 3 }
}
