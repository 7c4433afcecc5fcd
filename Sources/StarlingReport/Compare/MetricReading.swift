import StarlingRun

/// Which way is better for a metric.
public enum Polarity: String, Sendable, Equatable {
    case lowerIsBetter = "lower"
    case higherIsBetter = "higher"
}

/// Metric families sharing one default tolerance (see ``CompareTolerances``).
public enum MetricKind: String, Sendable, CaseIterable {
    /// Medians (ms).
    case latency
    /// p99, p99.9 (ms): noisier than medians.
    case tail
    /// Achieved throughput (per second).
    case rate
    /// Failed requests as a percentage of all requests (percentage points).
    case errors
    /// Counts that must not grow at all: lost events, failed checks.
    case count
}

/// One metric read from one run's summary.
public struct MetricReading: Sendable, Equatable {
    public var name: String
    public var kind: MetricKind
    public var polarity: Polarity
    public var unit: String
    public var value: Double
    /// For a percentile: how many samples lie beyond it (count × (1 − p)); nil for other metrics.
    public var tailSamples: Double?

    /// Every metric `compare` judges, read from a summary: ingest latency p50/p99/p99.9, per-pipe
    /// query p50/p99, achieved rates, the error rate, ledger losses, freshness p50/p99, failed checks.
    public static func readings(of s: RunSummary) -> [String: MetricReading] {
        var out: [String: MetricReading] = [:]
        func add(_ r: MetricReading) { out[r.name] = r }
        func percentiles(_ prefix: String, _ st: StreamSummary, _ list: [(String, Double, Double)]) {
            for (suffix, p, value) in list {
                add(MetricReading(name: "\(prefix).\(suffix)", kind: p == 50 ? .latency : .tail, polarity: .lowerIsBetter,
                                  unit: "ms", value: value, tailSamples: Double(st.count) * (1 - p / 100)))
            }
        }
        if let ingest = s.streams["ingest"] {
            percentiles("ingest.latency", ingest, [("p50", 50, ingest.p50), ("p99", 99, ingest.p99), ("p999", 99.9, ingest.p999)])
        }
        add(MetricReading(name: "ingest.rate.achieved", kind: .rate, polarity: .higherIsBetter, unit: "events/s", value: s.ingest.achievedEventsPerSecond))
        for (pipe, q) in s.queries {
            if let st = s.streams["query.\(pipe)"] {
                percentiles("query.\(pipe).latency", st, [("p50", 50, st.p50), ("p99", 99, st.p99)])
            }
            add(MetricReading(name: "query.\(pipe).rate.achieved", kind: .rate, polarity: .higherIsBetter, unit: "req/s", value: q.achievedPerSecond))
        }
        let requests = s.streams.values.reduce(0.0) { $0 + Double($1.count) + Double($1.errors) }
        let errors = s.streams.values.reduce(0.0) { $0 + Double($1.errors) }
        add(MetricReading(name: "errors.rate", kind: .errors, polarity: .lowerIsBetter, unit: "%", value: requests > 0 ? 100 * errors / requests : 0))
        let l = s.ingest.ledger
        add(MetricReading(name: "ingest.lost_events", kind: .count, polarity: .lowerIsBetter, unit: "events", value: Double(l.undelivered)))
        if let f = s.freshness?.fromIntended {
            percentiles("freshness", f, [("p50", 50, f.p50), ("p99", 99, f.p99)])
        }
        add(MetricReading(name: "checks.failed", kind: .count, polarity: .lowerIsBetter, unit: "checks",
                          value: Double(s.checks.filter { $0.status == .failed }.count)))
        return out
    }
}
