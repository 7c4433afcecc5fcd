import StarlingChecks
import StarlingRun
import StarlingSim

/// The one place a summary gets its verification part, for `run` (`RunSession`) and for `verify` of
/// a distributed run's merged results (`MergedCheck`): why the checks are skipped when they are,
/// and then the checks, what they covered and cost, the settle and verify phases, and the
/// thresholds, judged last on everything else. (The engine fills in the load; `LoadRun` adds the
/// start and write phases, which only it times.)
public enum CheckedSummary {
    /// Why the checks cannot give exact answers for this ledger, or nil: events that did not land
    /// or were quarantined leave the expected answers unknown.
    static func unknownAnswers(_ ledger: LedgerCounts) -> CheckResult? {
        guard ledger.undelivered > 0 || ledger.quarantined > 0 else { return nil }
        return skipped("\(ledger.undelivered) events did not land and \(ledger.quarantined) were quarantined, so the exact expected answers are unknown")
    }

    /// Checks not run, for this reason: one result for every pipe.
    static func skipped(_ reason: String) -> CheckResult {
        CheckResult(pipe: "*", parameters: "", status: .skipped, reason: reason)
    }

    /// Writes the checks and everything derived from them into `summary`.
    /// - `expectations`: the plan the checks were asked from (nil when none was drawn)
    /// - `landed`: rows per datasource, for each check's cost relative to its datasource
    /// - `judgeThresholds`: false for a stopped run (judged by its stop alone) or a shard (judged
    ///   by the merge, as a whole)
    static func finish(_ summary: inout RunSummary, checks: [CheckResult], expectations: Expectations?, landed: [String: Int],
                       settleSeconds: Double?, verifySeconds: Double, thresholds: [Threshold], judgeThresholds: Bool) {
        summary.checks = checks
        if let expectations {
            summary.coverage = expectations.coverage
            let cost = PipeCost.summarize(checks) { pipe in PipeOracles.datasource(of: pipe).flatMap { landed[$0] } }
            summary.cost = cost.isEmpty ? nil : cost
        }
        if !checks.isEmpty { summary.coverage = withAnswers(summary.coverage, queries: summary.queries) }
        var phases = summary.phases ?? [:]
        if let settleSeconds { phases["settle"] = settleSeconds }
        phases["verify"] = verifySeconds
        summary.phases = phases
        if judgeThresholds {
            summary.thresholds = ThresholdEvaluator.evaluate(thresholds, summary: summary)
        }
    }

    /// The case every queried endpoint declares beside its checks' cases: an answer with rows
    /// during the load (an endpoint that never returns a row passes on nothing).
    static let answeredWithRows = "an answer with rows during the load"

    static func withAnswers(_ coverage: [String: [String: Int]]?, queries: [String: QuerySummary]) -> [String: [String: Int]] {
        var coverage = coverage ?? [:]
        for (pipe, q) in queries {
            guard let answers = q.answers else { continue }
            coverage[pipe, default: [:]][answeredWithRows] = answers - (q.emptyAnswers ?? 0)
        }
        return coverage
    }
}
