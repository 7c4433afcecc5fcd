import Foundation
import StarlingMetrics
import StarlingRun
@testable import StarlingReport

/// A synthetic run: one ingest stream and two query pipes, a failed and a skipped check, a failed
/// threshold, freshness probes, and text that needs escaping everywhere.
enum ReportFixture {
    static let summaryJSON = """
    {
      "schema": "starling.summary.v1", "scenario": "fixture <&> \\"run\\"", "seed": 42, "shard": "0/1",
      "target": "http://127.0.0.1:7181", "started_at": "2026-11-23T00:00:00Z", "planned_seconds": 5,
      "elapsed_seconds": 5.01, "valid": true, "invalid_reasons": [],
      "ingest": { "ledger": { "generated": 1000, "acknowledged": 990, "quarantined": 4, "rejected": 2, "failed": 3, "not_sent": 1 },
        "offered_events_per_second": 200, "achieved_events_per_second": 198.8, "requests": 40, "gzip": true, "wait": true,
        "max_in_flight": 4, "batch_max_events": 25, "errors": { "503": 3 }, "dead_letter_file": "deadletter.ndjson", "dead_letter_lines": 6 },
      "streams": {
        "ingest": { "count": 1000, "errors": 3, "mean": 12, "p50": 10, "p90": 20, "p99": 40, "p999": 60, "max": 70 },
        "query.top_products": { "count": 600, "errors": 0, "mean": 6, "p50": 5, "p90": 9, "p99": 15, "p999": 22, "max": 25 },
        "query.events_by_country": { "count": 600, "errors": 0, "mean": 4, "p50": 3, "p90": 6, "p99": 11, "p999": 14, "max": 16 }
      },
      "schedule_lag": { "ingest": { "count": 40, "errors": 0, "mean": 0.2, "p50": 0.1, "p90": 0.3, "p99": 1, "p999": 1, "max": 1 } },
      "queries": {
        "top_products": { "offered_per_second": 120, "achieved_per_second": 119.5, "errors": {} },
        "events_by_country": { "offered_per_second": 120, "achieved_per_second": 120, "errors": {} }
      },
      "checks": [
        { "pipe": "top_products", "parameters": "limit=5", "status": "passed" },
        { "pipe": "events_by_country", "parameters": "a=1|b=<2>", "status": "failed", "reason": "row 3 differs", "diff": "expected <FR, 10> & got <FR, 9>" },
        { "pipe": "visitor_details", "parameters": "", "status": "skipped", "reason": "shared datasource: not isolated" }
      ],
      "coverage": {
        "top_products": { "a tie in revenue at the LIMIT cut": 0, "products tied in revenue (equal cents)": 3 },
        "events_by_country": { "countries tied on event_count": 1 }
      },
      "thresholds": [
        { "metric": "ingest.latency.p99", "condition": "< 250ms", "value": 40, "passed": true },
        { "metric": "errors.rate", "condition": "< 0.1%", "value": 0.3, "passed": false }
      ],
      "freshness": { "probes": 10, "visible": 10, "completeness_seconds": 1.5,
        "from_intended": { "count": 10, "errors": 0, "mean": 300, "p50": 250, "p90": 400, "p99": 600, "p999": 600, "max": 600 },
        "from_acknowledgement": { "count": 10, "errors": 0, "mean": 200, "p50": 150, "p90": 300, "p99": 500, "p999": 500, "max": 500 } }
    }
    """

    static func summary() throws -> RunSummary {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(RunSummary.self, from: Data(summaryJSON.utf8))
    }

    /// Histograms (µs) and a 5-second timeline for each stream of the summary.
    static func input() throws -> ReportInput {
        let s = try summary()
        var spectra: [StreamName: [SpectrumPoint]] = [:]
        var timelines: [StreamName: [TimelineRow]] = [:]
        for (index, stream) in s.streams.keys.sorted().enumerated() {
            spectra[stream] = SpectrumPoint.points(of: histogram(scale: index + 1), valueScale: 1000)
            timelines[stream] = (0..<5).map { second in
                var row = TimelineRow(second: Int64(second))
                (row.offered, row.achieved, row.p50, row.p99, row.max) = (40, second == 2 ? 0 : 39, 10_000, 40_000, 70_000)
                return row
            }
        }
        return ReportInput(summary: s, spectra: spectra, timelines: timelines)
    }

    /// 1 000 values, `scale` × 50 µs apart.
    static func histogram(scale: Int) -> HDRHistogram {
        var histogram = HDRHistogram()
        for v in 1...1000 { histogram.record(UInt64(v * scale * 50)) }
        return histogram
    }

    /// A fresh temporary folder.
    static func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "starling-report-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
