/// Which way is better for a metric.
public enum Polarity: String, Sendable, Equatable {
    case lowerIsBetter = "lower"
    case higherIsBetter = "higher"
}

/// Metric families sharing one default tolerance in `compare`.
public enum MetricKind: String, Sendable, CaseIterable {
    /// Medians and means (ms).
    case latency
    /// p90 and above, max (ms): noisier than medians.
    case tail
    /// Achieved throughput (per second).
    case rate
    /// Failed requests as a percentage of all requests (percentage points).
    case errors
    /// Counts that must not grow at all: lost events, failed checks.
    case count
    /// Rows and bytes a pipe's checked combinations read on the server: fixed for the same data
    /// and project, so a tight tolerance.
    case cost
}

/// One metric's value in one run.
public struct MetricValue: Sendable, Equatable {
    /// The catalogue's name (never an alias).
    public var name: String
    public var kind: MetricKind
    public var polarity: Polarity
    public var unit: String
    public var value: Double
    /// For a percentile: how many samples lie beyond it (count × (1 − p)); nil for other metrics.
    public var tailSamples: Double?
}

/// One metric family, as the catalogue lists it (for `--help`, docs and error messages).
public struct MetricDefinition: Sendable, Equatable {
    /// The name; `<pipe>` and `<stat>` stand for a pipe and a statistic.
    public var name: String
    public var unit: String
    public var polarity: Polarity
    public var meaning: String
}

/// Every metric of a run, defined once — name, unit, which way is better, how it is read from a
/// summary — for thresholds, `compare` and the reports. A name that earlier versions used for the
/// same quantity is an alias: it still works, and `resolve` says it is deprecated.
public enum MetricCatalogue {
    /// Latency statistics: `p50`, `p90`, `p95`, `p99`, `p999` (also written `p99.9`), `mean`, `max`.
    public static let stats = ["p50", "p90", "p95", "p99", "p999", "mean", "max"]

    public static let definitions: [MetricDefinition] = [
        .init(name: "ingest.latency.<stat>", unit: "ms", polarity: .lowerIsBetter,
              meaning: "latency of Events API requests, from the intended send time (open loop)"),
        .init(name: "query.<pipe>.latency.<stat>", unit: "ms", polarity: .lowerIsBetter,
              meaning: "latency of one pipe's requests, from the intended send time"),
        .init(name: "schedule_lag.<ingest|query>.<stat>", unit: "ms", polarity: .lowerIsBetter,
              meaning: "how late requests left against their schedule (the generator's or the client's delay)"),
        .init(name: "freshness.<stat>", unit: "ms", polarity: .lowerIsBetter,
              meaning: "time from a probe event's intended send time until a query sees it"),
        .init(name: "freshness.ack.<stat>", unit: "ms", polarity: .lowerIsBetter,
              meaning: "time from a probe event's acknowledgement until a query sees it"),
        .init(name: "ingest.achieved_rate", unit: "events/s", polarity: .higherIsBetter,
              meaning: "events acknowledged per second of the load phase"),
        .init(name: "query.<pipe>.achieved_rate", unit: "req/s", polarity: .higherIsBetter,
              meaning: "one pipe's completed requests per second of the load phase"),
        .init(name: "errors.rate", unit: "%", polarity: .lowerIsBetter,
              meaning: "failed HTTP requests (ingest attempts, retries included, and queries) over all HTTP requests"),
        .init(name: "query.<pipe>.errors.rate", unit: "%", polarity: .lowerIsBetter,
              meaning: "one pipe's failed requests over its requests (every queried pipe has a default threshold: <= 1%)"),
        .init(name: "ledger.undelivered", unit: "events", polarity: .lowerIsBetter,
              meaning: "generated events that did not land: rejected (or not accounted for by the answer), failed after retries, or not sent — what the dead letter holds; quarantined rows landed and are not counted"),
        .init(name: "checks.failed", unit: "checks", polarity: .lowerIsBetter,
              meaning: "correctness checks whose answer differed from the oracle's"),
        .init(name: "cost.<pipe>.rows_read", unit: "rows", polarity: .lowerIsBetter,
              meaning: "rows the server read for the pipe's checked combinations, summed (statistics.rows_read)"),
        .init(name: "cost.<pipe>.bytes_read", unit: "bytes", polarity: .lowerIsBetter,
              meaning: "bytes the server read for the pipe's checked combinations, summed (what Tinybird bills)"),
        .init(name: "cost.<pipe>.elapsed", unit: "ms", polarity: .lowerIsBetter,
              meaning: "server time of the pipe's checked combinations, summed medians (statistics.elapsed)"),
    ]

    /// Old names of the same quantities, still accepted.
    public static let aliases: [String: String] = [
        "ingest.rate.achieved": "ingest.achieved_rate",
        "ingest.lost_events": "ledger.undelivered",
    ]

    /// A name as the catalogue knows it.
    public struct Resolved: Sendable, Equatable {
        public var name: String
        /// The deprecated name that was written, when it was an alias.
        public var alias: String?
        public var warning: String? {
            alias.map { "metric '\($0)' is a deprecated name: write '\(name)' (the same quantity)" }
        }
    }

    /// The catalogue's name for `name` (an alias mapped, `p99.9` written `p999`), or nil when no
    /// metric has that form. Whether a run has it (a pipe it queried) is `value`'s question.
    public static func resolve(_ name: String) -> Resolved? {
        if let target = aliases[name] { return Resolved(name: target, alias: name) }
        var parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        // `p99.9` splits into "p99", "9".
        if parts.count >= 2, parts[parts.count - 2] == "p99", parts[parts.count - 1] == "9" {
            parts.removeLast()
            parts[parts.count - 1] = "p999"
        }
        // query.<pipe>.rate.achieved was compare's name.
        if parts.count >= 4, parts[0] == "query", parts.suffix(2) == ["rate", "achieved"] {
            let canonical = (parts.dropLast(2) + ["achieved_rate"]).joined(separator: ".")
            return Resolved(name: canonical, alias: name)
        }
        let canonical = parts.joined(separator: ".")
        return form(of: parts) == nil ? nil : Resolved(name: canonical, alias: nil)
    }

    /// The value of a metric (any spelling `resolve` accepts) in a run, or nil when the run did
    /// not measure it.
    public static func value(_ name: String, in s: RunSummary) -> MetricValue? {
        guard let resolved = resolve(name) else { return nil }
        let parts = resolved.name.split(separator: ".").map(String.init)
        guard let form = form(of: parts) else { return nil }
        let n = resolved.name
        switch form {
        case .errorsRate:
            let queryStreams = s.streams.filter { $0.key.hasPrefix("query.") }.values
            let ingestFailed = s.ingest.errors.values.reduce(0, +)
            let queryFailed = queryStreams.reduce(0) { $0 + $1.errors }
            let queries = queryStreams.reduce(0) { $0 + Int($1.count) + $1.errors }
            let total = s.ingest.requests + queries
            return MetricValue(name: n, kind: .errors, polarity: .lowerIsBetter, unit: "%",
                               value: total > 0 ? 100 * Double(ingestFailed + queryFailed) / Double(total) : 0)
        case .checksFailed:
            return MetricValue(name: n, kind: .count, polarity: .lowerIsBetter, unit: "checks",
                               value: Double(s.checks.filter { $0.status == .failed }.count))
        case .ledgerUndelivered:
            return MetricValue(name: n, kind: .count, polarity: .lowerIsBetter, unit: "events", value: Double(s.ingest.ledger.undelivered))
        case .ingestRate:
            return MetricValue(name: n, kind: .rate, polarity: .higherIsBetter, unit: "events/s", value: s.ingest.achievedEventsPerSecond)
        case .queryErrorsRate(let pipe):
            // A queried pipe whose few requests never came due has a summary and no stream: 0 of 0.
            guard let q = s.queries[pipe] else { return nil }
            let stream = s.streams["query.\(pipe)"]
            let failed = stream?.errors ?? q.errors.values.reduce(0, +)
            let total = Int(stream?.count ?? 0) + failed
            return MetricValue(name: n, kind: .errors, polarity: .lowerIsBetter, unit: "%",
                               value: total > 0 ? 100 * Double(failed) / Double(total) : 0)
        case .queryRate(let pipe):
            guard let q = s.queries[pipe] else { return nil }
            return MetricValue(name: n, kind: .rate, polarity: .higherIsBetter, unit: "req/s", value: q.achievedPerSecond)
        case .cost(let pipe, let quantity):
            guard let c = s.cost?[pipe] else { return nil }
            switch quantity {
            case "rows_read": return MetricValue(name: n, kind: .cost, polarity: .lowerIsBetter, unit: "rows", value: Double(c.rowsRead))
            case "bytes_read": return MetricValue(name: n, kind: .cost, polarity: .lowerIsBetter, unit: "bytes", value: Double(c.bytesRead))
            default: return MetricValue(name: n, kind: .latency, polarity: .lowerIsBetter, unit: "ms", value: c.elapsedMs)
            }
        case .stat(let stream, let stat):
            let summary: StreamSummary?
            switch stream {
            case .ingest: summary = s.streams["ingest"]
            case .query(let pipe): summary = s.streams["query.\(pipe)"]
            case .scheduleLag(let which): summary = s.scheduleLag[which]
            case .freshness: summary = s.freshness?.fromIntended
            case .freshnessAck: summary = s.freshness?.fromAcknowledgement
            }
            guard let summary else { return nil }
            return statValue(n, summary, stat)
        }
    }

    /// The metrics `compare` judges, read from one summary: ingest latency p50/p99/p99.9 and rate,
    /// each pipe's latency p50/p99 and rate, the error rate, undelivered events, freshness p50/p99,
    /// failed checks, and each checked pipe's query cost (rows and bytes read).
    public static func compared(in s: RunSummary) -> [String: MetricValue] {
        var names = ["ingest.latency.p50", "ingest.latency.p99", "ingest.latency.p999", "ingest.achieved_rate",
                     "errors.rate", "ledger.undelivered", "freshness.p50", "freshness.p99", "checks.failed"]
        for pipe in s.queries.keys.sorted() {
            names += ["query.\(pipe).latency.p50", "query.\(pipe).latency.p99", "query.\(pipe).achieved_rate"]
        }
        // The server time is reported, not compared: it moves with the machine like any latency.
        for pipe in (s.cost ?? [:]).keys.sorted() {
            names += ["cost.\(pipe).rows_read", "cost.\(pipe).bytes_read"]
        }
        var out: [String: MetricValue] = [:]
        for name in names {
            if let v = value(name, in: s) { out[name] = v }
        }
        return out
    }

    /// A one-line list of the metric forms, for error messages.
    public static var knownForms: String {
        definitions.map(\.name).joined(separator: ", ")
    }

    // MARK: - Forms

    enum Stream: Equatable {
        case ingest, query(String), scheduleLag(String), freshness, freshnessAck
    }

    enum Form: Equatable {
        case errorsRate, checksFailed, ledgerUndelivered, ingestRate, queryRate(String), queryErrorsRate(String), cost(String, String)
        case stat(Stream, String)
    }

    static func form(of parts: [String]) -> Form? {
        switch parts {
        case ["errors", "rate"]: return .errorsRate
        case ["checks", "failed"]: return .checksFailed
        case ["ledger", "undelivered"]: return .ledgerUndelivered
        case ["ingest", "achieved_rate"]: return .ingestRate
        default: break
        }
        guard let last = parts.last else { return nil }
        if parts.count >= 3, parts[0] == "cost", ["rows_read", "bytes_read", "elapsed"].contains(last) {
            return .cost(parts.dropFirst().dropLast().joined(separator: "."), last)
        }
        if parts.count >= 3, parts[0] == "query", last == "achieved_rate" {
            return .queryRate(parts.dropFirst().dropLast().joined(separator: "."))
        }
        if parts.count >= 4, parts[0] == "query", parts.suffix(2) == ["errors", "rate"] {
            return .queryErrorsRate(parts.dropFirst().dropLast(2).joined(separator: "."))
        }
        guard stats.contains(last) else { return nil }
        let head = Array(parts.dropLast())
        switch head.first {
        case "ingest" where head == ["ingest", "latency"]: return .stat(.ingest, last)
        case "query" where head.count >= 3 && head.last == "latency":
            return .stat(.query(head.dropFirst().dropLast().joined(separator: ".")), last)
        case "schedule_lag" where head.count == 2: return .stat(.scheduleLag(head[1]), last)
        case "freshness" where head.count == 1: return .stat(.freshness, last)
        case "freshness" where head == ["freshness", "ack"]: return .stat(.freshnessAck, last)
        default: return nil
        }
    }

    static func statValue(_ name: String, _ st: StreamSummary, _ stat: String) -> MetricValue? {
        // No successful sample: the histogram's 0 is not a latency (a threshold on it would pass).
        guard st.count > 0 else { return nil }
        let value: Double
        let percentile: Double?
        switch stat {
        case "p50": (value, percentile) = (st.p50, 50)
        case "p90": (value, percentile) = (st.p90, 90)
        case "p95":
            guard let p95 = st.p95 else { return nil }  // summaries before version 2 lack it
            (value, percentile) = (p95, 95)
        case "p99": (value, percentile) = (st.p99, 99)
        case "p999": (value, percentile) = (st.p999, 99.9)
        case "mean": (value, percentile) = (st.mean, nil)
        case "max": (value, percentile) = (st.max, nil)
        default: return nil
        }
        let kind: MetricKind = stat == "p50" || stat == "mean" ? .latency : .tail
        return MetricValue(name: name, kind: kind, polarity: .lowerIsBetter, unit: "ms", value: value,
                           tailSamples: percentile.map { Double(st.count) * (1 - $0 / 100) })
    }
}
