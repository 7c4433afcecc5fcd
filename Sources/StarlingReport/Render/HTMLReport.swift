import Foundation
import StarlingRun

/// `report.html`: one self-contained page — inline CSS and inline SVG charts, nothing loaded from
/// anywhere (no scripts, fonts, images or links) — with the run's tables and charts.
public enum HTMLReport {
    public static func render(_ input: ReportInput) -> String {
        let s = input.summary
        var body: [String] = []
        body.append("<h1>Starling run: \(ReportText.xml(s.scenario)) <span class=\"v \(s.verdict.rawValue)\">\(s.verdict.rawValue)</span></h1>")
        body.append("<p class=\"meta\">Started \(ReportText.xml(s.startedAt)) · \(String(format: "%.1f", s.elapsedSeconds)) s of \(String(format: "%.0f", s.plannedSeconds)) s planned · seed \(s.seed) · shard \(ReportText.xml(s.shard)) · target <code>\(ReportText.xml(s.target))</code></p>")
        if let reason = s.stopMessage { body.append("<p class=\"warn\">Stopped early: \(ReportText.xml(reason))</p>") }
        body += s.invalidReasons.map { "<p class=\"warn\">Invalid: \(ReportText.xml($0))</p>" }
        body += tables(input)
        body += charts(input)
        return page(title: "Starling — \(s.scenario)", body: body)
    }

    static func tables(_ input: ReportInput) -> [String] {
        let s = input.summary
        let l = s.ingest.ledger
        let g = { (n: Int) in ReportText.grouped(n) }
        var html = ["<h2>Ingest ledger</h2>",
            table(["generated", "acknowledged", "quarantined", "rejected", "failed", "not sent", "balanced"],
                  [[g(l.generated), g(l.acknowledged), g(l.quarantined), g(l.rejected), g(l.failed), g(l.notSent), l.balanced ? "yes" : "NO"]]),
            "<p>Offered \(ReportText.rate(s.ingest.offeredEventsPerSecond)) events/s, achieved \(ReportText.rate(s.ingest.achievedEventsPerSecond)) events/s in \(g(s.ingest.requests)) requests.</p>",
            "<h2>Latency (ms, from the intended send time)</h2>"]
        var rows: [[String]] = input.latencyStreams.compactMap { name in
            s.streams[name].map { [name, ReportText.grouped($0.count), String($0.errors)] + percentiles($0) }
        }
        rows += s.scheduleLag.sorted { $0.key < $1.key }.map { ["schedule lag: \($0.key)", ReportText.grouped($0.value.count), "–"] + percentiles($0.value) }
        html.append(table(["stream", "count", "errors", "p50", "p90", "p99", "p99.9", "max"], rows))
        let answers = EndpointAnswers.lines(s)
        if !answers.isEmpty {
            html.append("<h2>Endpoint answers</h2>")
            html.append("<ul>" + answers.map { "<li>\(ReportText.xml($0))</li>" }.joined() + "</ul>")
        }
        html.append("<h2>Freshness</h2>")
        if let f = s.freshness {
            html.append("<p>\(f.visible) of \(f.probes) probes became visible.\(f.completenessSeconds.map { String(format: " Complete %.2f s after the last acknowledgement.", $0) } ?? "")</p>")
            let fr = [("from intended send", f.fromIntended), ("from acknowledgement", f.fromAcknowledgement)].compactMap { n, st in st.map { [n] + percentiles($0) } }
            if !fr.isEmpty { html.append(table(["visibility latency (ms)", "p50", "p90", "p99", "p99.9", "max"], fr)) }
        } else {
            html.append("<p>No freshness probes in this run.</p>")
        }
        html.append("<h2>Checks</h2>")
        if s.checks.isEmpty {
            html.append("<p>No correctness checks ran.</p>")
        } else {
            let overview = CheckOverview(s)
            if overview.declared > 0 {
                html.append("<p>The data exercised \(overview.exercised) of the \(overview.declared) rare cases the pipes' semantics depend on.</p>")
            }
            html.append(table(["pipe", "passed", "failed", "skipped", "cases exercised", "never exercised"], overview.pipes.map { pipe in
                [pipe.name, String(pipe.passed), String(pipe.failed), String(pipe.skipped), "\(pipe.cases.count - pipe.neverExercised.count) of \(pipe.cases.count)",
                 pipe.neverExercised.isEmpty ? "–" : pipe.neverExercised.joined(separator: "; ")]
            }))
            html.append("<details><summary>Every check (\(s.checks.count)) with what it exercises</summary>")
            html.append(table(["pipe", "parameters", "exercises", "status", "reason"], s.checks.map { [$0.pipe, $0.parameters.isEmpty ? "(defaults)" : $0.parameters, $0.purpose ?? "", $0.status.rawValue, $0.reason ?? ""] }))
            html.append("</details>")
            if overview.declared > 0 {
                html.append("<details><summary>Rare cases per pipe, and how often the data exercised each</summary>")
                html.append(table(["pipe", "case", "times"], overview.pipes.flatMap { pipe in pipe.cases.map { [pipe.name, $0.name, ReportText.grouped($0.count)] } }))
                html.append("</details>")
            }
        }
        let cost = CostTable.rows(s)
        if !cost.isEmpty {
            html.append("<h2>Query cost</h2>")
            html.append(table(CostTable.header, cost))
        }
        html.append("<h2>Thresholds</h2>")
        html.append(s.thresholds.isEmpty ? "<p>The scenario sets no thresholds.</p>"
            : table(["metric", "condition", "value", "result"], s.thresholds.map { [$0.metric, $0.condition, ReportText.thresholdValue($0), $0.passed ? "passed" : "failed"] }))
        return html
    }

    static func charts(_ input: ReportInput) -> [String] {
        var html = ["<h2>Percentile spectrum</h2>",
            ReportCharts.spectrum(input, streams: input.latencyStreams, title: "latency by percentile, every stream").render(),
            "<h2>Offered vs achieved rate</h2>"]
        let rates = ReportCharts.rates(input)
        html += rates.isEmpty ? ["<p>No timeline.csv in this results folder.</p>"] : rates.map { $0.render() }
        html.append("<h2>Freshness distribution</h2>")
        html.append(ReportCharts.freshness(input)?.render() ?? "<p>No freshness probes in this run.</p>")
        html.append("<h2>Latency over time</h2>")
        let overTime = input.latencyStreams.compactMap { ReportCharts.latencyOverTime(input, stream: $0) }
        html += overTime.isEmpty ? ["<p>No timeline.csv in this results folder.</p>"] : overTime.map { $0.render() }
        return html
    }

    static func percentiles(_ st: StreamSummary) -> [String] {
        [st.p50, st.p90, st.p99, st.p999, st.max].map(ReportText.ms)
    }

    /// A table whose first column is text and the others right-aligned numbers; every cell escaped.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let head = header.map { "<th>\(ReportText.xml($0))</th>" }.joined()
        let body = rows.map { "<tr>" + $0.map(cell).joined() + "</tr>" }.joined(separator: "\n")
        return "<table>\n<thead><tr>\(head)</tr></thead>\n<tbody>\n\(body)\n</tbody>\n</table>"
    }

    /// A cell: numbers right-aligned, verdict words coloured (text, not emoji: headless browsers and
    /// CI machines often lack an emoji font).
    static func cell(_ text: String) -> String {
        let bare = text.replacingOccurrences(of: "\u{202F}", with: "")
        let kind = Double(bare) != nil || bare == "–" ? " class=\"n\""
            : ["passed", "failed", "skipped", "NO"].contains(text) ? " class=\"\(text == "NO" ? "failed" : text)\"" : ""
        return "<td\(kind)>\(ReportText.xml(text))</td>"
    }

    static func page(title: String, body: [String]) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(ReportText.xml(title))</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1000px; color: #222; }
        h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; }
        .meta { color: #555; } .warn { background: #fff4e5; border-left: 4px solid #f0a020; padding: 6px 10px; }
        .v { font-size: 15px; padding: 2px 8px; border-radius: 4px; }
        .v.passed { background: #e3f6e3; } .v.failed { background: #fde2e2; } .v.invalid { background: #fff4e5; }
        table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
        th, td { border: 1px solid #ddd; padding: 3px 8px; } th { background: #f5f5f5; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        td.passed { color: #17702a; } td.failed { color: #b00020; font-weight: bold; } td.skipped { color: #8a6d00; }
        svg.chart { display: block; margin: 10px 0; }
        svg .ct { font: bold 13px sans-serif; } svg .pa { fill: #fafafa; stroke: #bbb; }
        svg .gr { stroke: #e4e4e4; } svg .xl { font: 11px sans-serif; text-anchor: middle; fill: #444; }
        svg .yl { font: 11px sans-serif; text-anchor: end; fill: #444; } svg .lg { font: 11px sans-serif; fill: #222; }
        </style>
        </head>
        <body>
        \(body.joined(separator: "\n"))
        </body>
        </html>

        """
    }
}
