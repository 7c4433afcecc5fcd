import StarlingSim

/// Evaluates a scenario's thresholds against a run's summary. Metrics:
/// `ingest.latency.<stat>`, `query.<pipe>.latency.<stat>`, `schedule_lag.<ingest|query>.<stat>`,
/// `freshness.<stat>` (from the intended send time), `freshness.ack.<stat>` — stats `p50`, `p90`,
/// `p95`, `p99`, `p99.9`, `mean`, `max` in ms — and `errors.rate` (% of failed requests), `checks.failed`,
/// `ledger.undelivered`, `ingest.achieved_rate` (events/s).
public enum ThresholdEvaluator {
    public static func evaluate(_ thresholds: [Threshold], summary: RunSummary) -> [ThresholdResult] {
        thresholds.map { threshold in
            guard let value = value(of: threshold.metric, in: summary) else {
                return ThresholdResult(metric: threshold.metric, condition: threshold.text, value: nil, passed: false,
                                       reason: "no such metric in this run (known: ingest.latency.p99, query.<pipe>.latency.p95, errors.rate, checks.failed, freshness.p99, …)")
            }
            return ThresholdResult(metric: threshold.metric, condition: threshold.text, value: value, passed: threshold.holds(for: value))
        }
    }

    static func value(of metric: String, in s: RunSummary) -> Double? {
        switch metric {
        case "errors.rate":
            let ingestFailed = s.ingest.errors.values.reduce(0, +)
            let queryFailed = s.streams.filter { $0.key.hasPrefix("query.") }.values.reduce(0) { $0 + $1.errors }
            let queries = s.streams.filter { $0.key.hasPrefix("query.") }.values.reduce(0) { $0 + Int($1.count) + $1.errors }
            let total = s.ingest.requests + queries
            return total > 0 ? 100 * Double(ingestFailed + queryFailed) / Double(total) : 0
        case "checks.failed": return Double(s.checks.filter { $0.status == .failed }.count)
        case "ledger.undelivered": return Double(s.ingest.ledger.undelivered)
        case "ingest.achieved_rate": return s.ingest.achievedEventsPerSecond
        default: break
        }
        let parts = metric.split(separator: ".").map(String.init)
        guard let statName = parts.last else { return nil }
        let head = parts.dropLast()
        let stream: StreamSummary?
        switch head.first {
        case "ingest" where head.count == 2 && head.last == "latency": stream = s.streams["ingest"]
        case "query" where head.count >= 3 && head.last == "latency": stream = s.streams["query." + head.dropFirst().dropLast().joined(separator: ".")]
        case "schedule_lag" where head.count == 2: stream = s.scheduleLag[head[1]]
        case "freshness" where head.count == 1: stream = s.freshness?.fromIntended
        case "freshness" where head.count == 2 && head.last == "ack": stream = s.freshness?.fromAcknowledgement
        default: stream = nil
        }
        guard let stream else { return nil }
        switch statName {
        case "p50": return stream.p50
        case "p90": return stream.p90
        case "p95": return stream.p95
        case "p99": return stream.p99
        case "p999", "p99.9": return stream.p999
        case "mean": return stream.mean
        case "max": return stream.max
        default: return nil
        }
    }
}
