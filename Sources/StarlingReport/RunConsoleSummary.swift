import Foundation
import StarlingRun

/// The few lines printed at the end of a run.
public enum RunConsoleSummary {
    public static func render(_ s: RunSummary, folder: String) -> String {
        var lines: [String] = []
        let l = s.ingest.ledger
        // An aborted or interrupted run is not called valid, whatever its measurements were.
        let state: String
        switch s.verdict {
        case .aborted: state = "ABORTED"
        case .interrupted: state = "INTERRUPTED"
        case .invalid: state = "INVALID"
        case .passed, .failed: state = "valid"
        }
        lines.append("\(state) run of \(s.scenario) in \(String(format: "%.1f", s.elapsedSeconds)) s"
            + (s.stop.flatMap { $0.reason == .plannedEnd ? nil : " — \($0.message)" } ?? s.stoppedEarly.map { " (stopped: \($0))" } ?? ""))
        lines.append("ingest: \(l.generated) events generated, \(l.acknowledged) acknowledged, \(l.quarantined) quarantined, \(l.rejected) rejected, \(l.failed) failed, \(l.notSent) not sent"
            + String(format: " · offered %.0f/s, achieved %.0f/s, %d requests", s.ingest.offeredEventsPerSecond, s.ingest.achievedEventsPerSecond, s.ingest.requests))
        if let resends = s.ingest.resends, !resends.isEmpty {
            lines.append("resends: " + resends.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
                + ((l.possiblyDuplicated ?? 0) > 0 ? "; \(l.possiblyDuplicated ?? 0) events possibly duplicated (resent after a send that may have been processed)" : ""))
        }
        lines.append("stream                                  count    p50 ms    p90 ms    p99 ms  p99.9 ms    max ms  errors")
        for (name, stream) in s.streams.sorted(by: { $0.key < $1.key }) { lines.append(row(name, stream)) }
        for (name, lag) in s.scheduleLag.sorted(by: { $0.key < $1.key }) { lines.append(row("schedule lag: \(name)", lag)) }
        for reason in s.invalidReasons { lines.append("invalid: \(reason)") }
        lines += EndpointAnswers.lines(s)
        if let f = s.freshness {
            lines.append("freshness: \(f.visible) of \(f.probes) probes visible"
                + (f.fromIntended.map { String(format: "; from intended send p50 %.0f ms, p99 %.0f ms", $0.p50, $0.p99) } ?? "")
                + (f.fromAcknowledgement.map { String(format: "; from ack p50 %.0f ms", $0.p50) } ?? "")
                + (f.completenessSeconds.map { String(format: "; complete %.2f s after the load", $0) } ?? ""))
        }
        if !s.checks.isEmpty {
            let count = { (status: CheckResult.Status) in s.checks.filter { $0.status == status }.count }
            lines.append("checks: \(count(.passed)) passed, \(count(.failed)) failed, \(count(.skipped)) skipped")
            for check in s.checks where check.status != .passed {
                lines.append("  \(check.status.rawValue) \(check.pipe) \(check.parameters): \(check.reason ?? "")")
            }
            lines += CheckOverview(s).consoleLines
        }
        if let cost = s.cost, !cost.isEmpty {
            let rows = cost.values.reduce(Int64(0)) { $0 + $1.rowsRead }, bytes = cost.values.reduce(Int64(0)) { $0 + $1.bytesRead }
            let combinations = cost.values.reduce(0) { $0 + $1.combinations }
            lines.append("query cost: \(ReportText.grouped(rows)) rows, \(CostTable.bytes(bytes)) read over \(combinations) checked combinations (per pipe in report.md)")
        }
        for t in s.thresholds {
            lines.append("threshold \(t.metric) \(t.condition): \(t.value.map { String(format: "%.3f", $0) } ?? "n/a") \(t.passed ? "ok" : "FAILED")\(t.reason.map { " (\($0))" } ?? "")")
        }
        for warning in s.warnings ?? [] { lines.append("warning: \(warning)") }
        if let file = s.ingest.deadLetterFile, s.ingest.deadLetterLines > 0 {
            lines.append("dead letter: \(s.ingest.deadLetterLines) events in \(folder)/\(file) — send them again with: starling replay \(folder) --target URL")
        }
        if let phases = s.phases {
            let order = ["start", "load", "drain", "settle", "verify", "write"]
            lines.append("phases: " + order.compactMap { name in phases[name].map { String(format: "\(name) %.1f s", $0) } }.joined(separator: ", "))
        }
        lines.append("verdict: \(s.verdict.rawValue)")
        lines.append("results: \(folder)")
        return lines.joined(separator: "\n")
    }

    static func row(_ name: String, _ s: StreamSummary) -> String {
        let padded = name.count >= 36 ? String(name.prefix(36)) : name + String(repeating: " ", count: 36 - name.count)
        return padded + String(format: "%11llu%10.2f%10.2f%10.2f%10.2f%10.2f%8d", s.count, s.p50, s.p90, s.p99, s.p999, s.max, s.errors)
    }
}
