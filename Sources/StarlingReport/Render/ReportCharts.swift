import Foundation
import StarlingMetrics
import StarlingRun

/// The report's charts, built from a ``ReportInput``.
enum ReportCharts {
    /// p50 and p99 per second of one stream; seconds in which nothing completed are gaps.
    static func latencyOverTime(_ input: ReportInput, stream: StreamName) -> SVGLineChart? {
        guard let rows = input.timelines[stream], !rows.isEmpty else { return nil }
        let value = { (row: TimelineRow, micros: UInt64) -> Double? in row.achieved + row.errors > 0 ? Double(micros) / 1000 : nil }
        return SVGLineChart(
            title: "\(stream): latency over time", xTitle: "second of the run", yTitle: "ms",
            series: [
                ChartSeries(name: "p50", color: SVGLineChart.palette[0], points: rows.map { (Double($0.second), value($0, $0.p50)) }),
                ChartSeries(name: "p99", color: SVGLineChart.palette[1], points: rows.map { (Double($0.second), value($0, $0.p99)) }),
            ], xDomain: runDomain(input), height: 180)
    }

    /// Seconds 0 … the last second of any timeline, shared by every chart over time.
    static func runDomain(_ input: ReportInput) -> ClosedRange<Double> {
        0...Double(input.timelines.values.compactMap { $0.last?.second }.max() ?? 1)
    }

    /// Every latency stream's percentile spectrum on HdrHistogram's axis: x = log₁₀(1/(1−p)).
    static func spectrum(_ input: ReportInput, streams: [StreamName], title: String) -> SVGLineChart {
        let series = streams.enumerated().compactMap { index, stream in
            input.spectra[stream].map { points in
                ChartSeries(name: stream, color: SVGLineChart.palette[index % SVGLineChart.palette.count],
                            points: points.compactMap { p in percentileAxis(p.percentile).map { ($0, p.valueMs) } })
            }
        }
        let reach = series.flatMap { $0.points.map(\.x) }.max() ?? 2
        let ticks = (0...max(2, Int(reach.rounded(.up)))).map { (Double($0), percentileLabel(decades: $0)) }
        return SVGLineChart(title: title, xTitle: "percentile (log scale of 1/(1−p), as HdrHistogram plots it)", yTitle: "ms", series: series,
                            xTicks: ticks, height: max(300, 90 + 18 * Double(series.count)))
    }

    /// Offered and achieved rate per second: events/s for ingest (the ingest timeline counts events
    /// both ways), requests/s for the queries.
    static func rates(_ input: ReportInput) -> [SVGLineChart] {
        var charts: [SVGLineChart] = []
        if let rows = input.timelines["ingest"], !rows.isEmpty {
            charts.append(rateChart("ingest: offered vs achieved events/s", unit: "events/s", rows: rows, domain: runDomain(input)))
        }
        let queryRows = input.timelines.filter { $0.key.hasPrefix("query.") }.values.flatMap { $0 }
        if !queryRows.isEmpty {
            var bySecond: [Int64: TimelineRow] = [:]
            for r in queryRows {
                var sum = bySecond[r.second] ?? TimelineRow(second: r.second)
                sum.offered += r.offered
                sum.achieved += r.achieved
                bySecond[r.second] = sum
            }
            charts.append(rateChart("queries (all pipes): offered vs achieved requests/s", unit: "requests/s",
                                    rows: bySecond.values.sorted { $0.second < $1.second }, domain: runDomain(input)))
        }
        return charts
    }

    static func rateChart(_ title: String, unit: String, rows: [TimelineRow], domain: ClosedRange<Double>) -> SVGLineChart {
        SVGLineChart(
            title: title, xTitle: "second of the run", yTitle: unit,
            series: [
                ChartSeries(name: "offered", color: SVGLineChart.palette[0], points: rows.map { (Double($0.second), Double($0.offered)) }, dashed: true),
                ChartSeries(name: "achieved", color: SVGLineChart.palette[2], points: rows.map { (Double($0.second), Double($0.achieved)) }),
            ], xDomain: domain, height: 220)
    }

    /// Visibility latency of freshness probes: the full spectrum when the folder has `freshness*`
    /// histograms, otherwise the summary's percentiles on the same axis. Nil without probes.
    static func freshness(_ input: ReportInput) -> SVGLineChart? {
        guard let f = input.summary.freshness else { return nil }
        let recorded = input.spectra.keys.filter { $0.hasPrefix("freshness") }.sorted()
        if !recorded.isEmpty { return spectrum(input, streams: recorded, title: "freshness: time until probes were visible") }
        let curves = [("from intended send", f.fromIntended), ("from acknowledgement", f.fromAcknowledgement)]
        let series = curves.enumerated().compactMap { index, curve in
            curve.1.map { s in
                ChartSeries(name: curve.0, color: SVGLineChart.palette[index + 3],
                            points: [(50.0, s.p50), (90, s.p90), (99, s.p99), (99.9, s.p999)].compactMap { p, v in percentileAxis(p).map { ($0, v) } })
            }
        }
        return SVGLineChart(title: "freshness: time until probes were visible (p50, p90, p99, p99.9)",
                            xTitle: "percentile (log scale of 1/(1−p))", yTitle: "ms", series: series,
                            xTicks: (0...3).map { (Double($0), percentileLabel(decades: $0)) })
    }

    /// log₁₀(1/(1−p)) for p in percent; nil at 100 % (infinitely far right).
    static func percentileAxis(_ percentile: Double) -> Double? {
        guard percentile < 100 else { return nil }
        return log10(100 / (100 - percentile))
    }

    /// 0 → "0%", 1 → "90%", 2 → "99%", 3 → "99.9%", …
    static func percentileLabel(decades: Int) -> String {
        switch decades {
        case ...0: return "0%"
        case 1: return "90%"
        case 2: return "99%"
        default: return "99." + String(repeating: "9", count: decades - 2) + "%"
        }
    }
}
