import Foundation
import StarlingRun

/// `report.md`: the run at a glance, fit for a CI job summary (GitHub's `$GITHUB_STEP_SUMMARY`).
public enum MarkdownReport {
    public static func render(_ input: ReportInput) -> String {
        let s = input.summary
        var md: [String] = []
        md.append("## Starling run: \(ReportText.cell(s.scenario)) — \(ReportText.verdictBadge(s.verdict))")
        md.append("")
        md.append("Started \(s.startedAt) · \(String(format: "%.1f", s.elapsedSeconds)) s of \(String(format: "%.0f", s.plannedSeconds)) s planned · seed \(s.seed) · shard \(s.shard) · target `\(s.target)`")
        if let reason = s.stopMessage { md.append("\nStopped early: \(ReportText.cell(reason))") }
        for reason in s.invalidReasons { md.append("\n> ⚠️ **Invalid:** \(ReportText.cell(reason))") }
        md += ledger(s)
        md += latency(input)
        md += endpointAnswers(s)
        md += freshness(s.freshness)
        md += checks(s)
        md += cost(s)
        md += thresholds(s.thresholds)
        return md.joined(separator: "\n") + "\n"
    }

    static func ledger(_ s: RunSummary) -> [String] {
        let l = s.ingest.ledger
        let g = { (n: Int) in ReportText.grouped(n) }
        var md = ["", "### Ingest", "",
            "| generated | acknowledged | quarantined | rejected | failed | not sent | balanced |",
            "|---:|---:|---:|---:|---:|---:|:---:|",
            "| \(g(l.generated)) | \(g(l.acknowledged)) | \(g(l.quarantined)) | \(g(l.rejected)) | \(g(l.failed)) | \(g(l.notSent)) | \(l.balanced ? "yes" : "**no**") |",
            "",
            "Offered \(ReportText.rate(s.ingest.offeredEventsPerSecond)) events/s, achieved \(ReportText.rate(s.ingest.achievedEventsPerSecond)) events/s in \(g(s.ingest.requests)) requests (batches ≤ \(s.ingest.batchMaxEvents) events, gzip \(s.ingest.gzip ? "on" : "off"), wait \(s.ingest.wait ? "on" : "off"), ≤ \(s.ingest.maxInFlight) in flight)."]
        if !s.ingest.errors.isEmpty { md.append("Ingest errors: " + errorList(s.ingest.errors) + ".") }
        if let file = s.ingest.deadLetterFile { md.append("Dead letter: `\(file)` (\(g(s.ingest.deadLetterLines)) lines, replayable).") }
        return md
    }

    static func latency(_ input: ReportInput) -> [String] {
        let s = input.summary
        var md = ["", "### Latency (ms, from the intended send time)", "",
            "| stream | count | errors | rate offered/s | rate achieved/s | p50 | p90 | p99 | p99.9 | max |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for name in input.latencyStreams {
            guard let st = s.streams[name] else { continue }
            let rates: (Double, Double)? = name == "ingest"
                ? (s.ingest.offeredEventsPerSecond, s.ingest.achievedEventsPerSecond)
                : s.queries[String(name.dropFirst("query.".count))].map { ($0.offeredPerSecond, $0.achievedPerSecond) }
            let rateCells = rates.map { "\(ReportText.rate($0.0)) | \(ReportText.rate($0.1))" } ?? "– | –"
            md.append("| \(ReportText.cell(name)) | \(ReportText.grouped(st.count)) | \(st.errors) | \(rateCells) | " + percentiles(st) + " |")
        }
        for (name, lag) in s.scheduleLag.sorted(by: { $0.key < $1.key }) {
            md.append("| schedule lag: \(ReportText.cell(name)) | \(ReportText.grouped(lag.count)) | – | – | – | " + percentiles(lag) + " |")
        }
        md.append("")
        md.append("Ingest rates are events/s, query rates requests/s. Schedule lag is the generator's own lateness, not the server's.")
        return md
    }

    /// Each queried endpoint's error messages and answers without rows, when there are any.
    static func endpointAnswers(_ s: RunSummary) -> [String] {
        let lines = EndpointAnswers.lines(s)
        guard !lines.isEmpty else { return [] }
        return ["", "### Endpoint answers", ""] + lines.map { "- " + ReportText.cell($0) }
    }

    static func percentiles(_ st: StreamSummary) -> String {
        [st.p50, st.p90, st.p99, st.p999, st.max].map(ReportText.ms).joined(separator: " | ")
    }

    static func freshness(_ f: FreshnessSummary?) -> [String] {
        guard let f else { return ["", "### Freshness", "", "No freshness probes in this run."] }
        var md = ["", "### Freshness", "", "\(f.visible) of \(f.probes) probes became visible."]
        let rows = [("from intended send", f.fromIntended), ("from acknowledgement", f.fromAcknowledgement)]
            .compactMap { name, st in st.map { "| \(name) | " + percentiles($0) + " |" } }
        if !rows.isEmpty {
            md += ["", "| visibility latency (ms) | p50 | p90 | p99 | p99.9 | max |", "|---|---:|---:|---:|---:|---:|"] + rows
        }
        if let c = f.completenessSeconds { md.append("\nEvery acknowledged event was visible \(String(format: "%.2f", c)) s after the last acknowledgement.") }
        return md
    }

    static func checks(_ s: RunSummary) -> [String] {
        let checks = s.checks
        guard !checks.isEmpty else { return ["", "### Checks", "", "No correctness checks ran."] }
        let counts = Dictionary(grouping: checks, by: \.status).mapValues(\.count)
        let overview = CheckOverview(s)
        var md = ["", "### Checks", "",
            "\(counts[.passed] ?? 0) passed, \(counts[.failed] ?? 0) failed, \(counts[.skipped] ?? 0) skipped"
                + (overview.declared > 0 ? "; the data exercised \(overview.exercised) of the \(overview.declared) rare cases the pipes' semantics depend on." : "."), "",
            "| pipe | passed | failed | skipped | cases exercised | never exercised |", "|---|---:|---:|---:|---:|---|"]
        for pipe in overview.pipes {
            let never = pipe.neverExercised.isEmpty ? "–" : pipe.neverExercised.map(ReportText.cell).joined(separator: "; ")
            md.append("| \(ReportText.cell(pipe.name)) | \(pipe.passed) | \(pipe.failed) | \(pipe.skipped) | \(pipe.cases.count - pipe.neverExercised.count) of \(pipe.cases.count) | \(never) |")
        }
        for c in checks where c.status != .passed {
            md.append("\n\(ReportText.status(c.status)) `\(ReportText.cell(c.pipe))` \(ReportText.cell(c.parameters.isEmpty ? "(defaults)" : c.parameters)): \(ReportText.cell(c.reason ?? ""))")
        }
        md += ["", "<details><summary>Every check (\(checks.count)) with what it exercises</summary>", "",
            "| pipe | parameters | exercises | status | reason |", "|---|---|---|---|---|"]
        for c in checks {
            md.append("| \(ReportText.cell(c.pipe)) | \(ReportText.cell(c.parameters.isEmpty ? "(defaults)" : c.parameters)) | \(ReportText.cell(c.purpose ?? "")) | \(ReportText.status(c.status)) | \(ReportText.cell(c.reason ?? "")) |")
        }
        md += ["", "</details>"]
        if overview.declared > 0 {
            md += ["", "<details><summary>Rare cases per pipe, and how often the data exercised each</summary>", "",
                "| pipe | case | times |", "|---|---|---:|"]
            for pipe in overview.pipes { for c in pipe.cases { md.append("| \(ReportText.cell(pipe.name)) | \(ReportText.cell(c.name)) | \(c.count == 0 ? "**0**" : ReportText.grouped(c.count)) |") } }
            md += ["", "</details>"]
        }
        let diffs = checks.filter { $0.status == .failed && $0.diff != nil }
        for c in diffs.prefix(5) {
            md += ["", "<details><summary>\(ReportText.xml(c.pipe)) \(ReportText.xml(c.parameters)): first differences</summary>", "",
                "```", (c.diff ?? "").replacingOccurrences(of: "```", with: "ʼʼʼ"), "```", "", "</details>"]
        }
        return md
    }

    static func cost(_ s: RunSummary) -> [String] {
        let rows = CostTable.rows(s)
        guard !rows.isEmpty else { return [] }
        return ["", "### Query cost", "", "What each pipe's checked combinations cost the server after settling (`compare` gates rows and bytes read tightly: they do not move with the machine's noise).", "",
                "| " + CostTable.header.joined(separator: " | ") + " |", "|---|---:|---:|---:|---:|---:|"]
            + rows.map { "| " + $0.map(ReportText.cell).joined(separator: " | ") + " |" }
    }

    static func thresholds(_ thresholds: [ThresholdResult]) -> [String] {
        guard !thresholds.isEmpty else { return ["", "### Thresholds", "", "The scenario sets no thresholds."] }
        var md = ["", "### Thresholds", "", "| metric | condition | value | result |", "|---|---|---:|---|"]
        for t in thresholds {
            md.append("| \(ReportText.cell(t.metric)) | \(ReportText.cell(t.condition)) | \(ReportText.cell(ReportText.thresholdValue(t))) | \(t.passed ? "✅ passed" : "❌ failed") |")
        }
        return md
    }

    static func errorList(_ errors: [String: Int]) -> String {
        errors.sorted { $0.key < $1.key }.map { "\(ReportText.cell($0.key)) × \($0.value)" }.joined(separator: ", ")
    }
}
