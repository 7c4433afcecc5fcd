import Foundation
import StarlingMetrics
import StarlingSim
import Synchronization

/// A run's state as Prometheus text (exposition format 0.0.4), rendered at each scrape from the
/// live counters: requests and errors per stream, events by ledger bucket, latency per stream as a
/// histogram with fixed buckets plus the HDR percentiles as gauges, schedule lag, offered and
/// achieved rates, freshness. The names follow the metric catalogue's quantities; nothing here
/// carries the token. Before the run starts it serves `starling_up 0` only.
public final class LiveMetrics: Sendable {
    private let context = Mutex<RunContext?>(nil)

    /// Latency bucket bounds in seconds (Prometheus' `le`), 1 ms to 30 s.
    public static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    static let quantiles: [Double] = [0.5, 0.9, 0.99, 0.999]

    public init() {}

    func attach(_ run: RunContext) {
        context.withLock { $0 = run }
    }

    public func exposition() -> String {
        var out = Exposition()
        guard let run = context.withLock({ $0 }) else {
            out.gauge("starling_up", "1 while a run is attached (0: starting)", [([:], 0)])
            return out.text
        }
        let now = run.clock.now()
        let elapsed = run.elapsed(now)
        let plan = run.plan
        out.gauge("starling_up", "1 while a run is attached (0: starting)", [([:], 1)])
        out.gauge("starling_info", "the run's scenario and seed", [(["scenario": plan.scenario.name, "seed": "\(plan.seed)"], 1)])
        out.gauge("starling_elapsed_seconds", "seconds since the schedule started", [([:], elapsed)])
        out.gauge("starling_planned_duration_seconds", "the load phase's planned length", [([:], plan.duration)])

        let counts = run.ledger.counts
        out.counter("starling_events_total", "events by ledger bucket: generated, and where they went (acknowledged, quarantined, rejected, failed, not_sent)", [
            (["bucket": "generated"], Double(counts.generated)), (["bucket": "acknowledged"], Double(counts.acknowledged)),
            (["bucket": "quarantined"], Double(counts.quarantined)), (["bucket": "rejected"], Double(counts.rejected)),
            (["bucket": "failed"], Double(counts.failed)), (["bucket": "not_sent"], Double(counts.notSent)),
        ])
        let offered = elapsed < plan.duration ? plan.ingest.rate.rate(at: elapsed, duration: plan.duration) : 0
        out.gauge("starling_offered_rate_events_per_second", "the schedule's ingest rate at this instant", [([:], offered)])
        let achieved = elapsed > 0 ? Double(counts.acknowledged + counts.quarantined) / min(elapsed, max(plan.duration, 0.001)) : 0
        out.gauge("starling_achieved_rate_events_per_second", "events acknowledged per second of the load phase so far", [([:], achieved)])

        let streams = run.shared.snapshot()
        let requests = streams.filter { !$0.stream.hasPrefix("schedule_lag.") }
        out.counter("starling_requests_total", "completed requests by stream (an ingest batch once, however often retried; a query once)",
                    requests.map { (["stream": $0.stream], Double($0.completions)) })
        out.counter("starling_request_errors_total", "requests that failed, by stream",
                    requests.map { (["stream": $0.stream], Double($0.errors)) })
        out.histogram("starling_request_latency_seconds", "latency of successful requests from the intended send time (open loop)",
                      requests.map { (["stream": $0.stream], $0.histogram) })
        out.quantiles("starling_request_latency_quantile_seconds", "HDR percentiles of the latency (exact to 3 significant digits)",
                      requests.map { (["stream": $0.stream], $0.histogram) })
        let lags = streams.filter { $0.stream.hasPrefix("schedule_lag.") }
        out.quantiles("starling_schedule_lag_quantile_seconds", "how late requests left against their schedule",
                      lags.map { (["stream": String($0.stream.dropFirst("schedule_lag.".count))], $0.histogram) })

        if let freshness = plan.freshness {
            let summary = freshness.summary(completenessSeconds: nil)
            out.gauge("starling_freshness_probes", "probe events by state", [
                (["state": "visible"], Double(summary.visible)), (["state": "probes"], Double(summary.probes)),
            ])
            if let f = summary.fromIntended {
                out.gauge("starling_freshness_quantile_seconds", "time from a probe's intended send time until a query sees it",
                          [(["quantile": "0.5"], f.p50 / 1000), (["quantile": "0.99"], f.p99 / 1000)])
            }
        }
        return out.text
    }
}

/// Builds the text: a `# HELP` and `# TYPE` line per family, then its samples.
struct Exposition {
    var text = ""

    mutating func family(_ name: String, _ help: String, _ type: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [String: String], _ value: Double) {
        let rendered = labels.keys.sorted().map { "\($0)=\"\(Self.escape(labels[$0] ?? ""))\"" }.joined(separator: ",")
        text += rendered.isEmpty ? "\(name) \(Self.number(value))\n" : "\(name){\(rendered)} \(Self.number(value))\n"
    }

    mutating func gauge(_ name: String, _ help: String, _ samples: [([String: String], Double)]) {
        family(name, help, "gauge")
        for (labels, value) in samples { sample(name, labels, value) }
    }

    mutating func counter(_ name: String, _ help: String, _ samples: [([String: String], Double)]) {
        family(name, help, "counter")
        for (labels, value) in samples { sample(name, labels, value) }
    }

    /// Cumulative buckets from an HDR histogram of microseconds.
    mutating func histogram(_ name: String, _ help: String, _ series: [([String: String], HDRHistogram)]) {
        family(name, help, "histogram")
        for (labels, h) in series {
            for bound in LiveMetrics.buckets {
                var withBound = labels
                withBound["le"] = Self.number(bound)
                sample(name + "_bucket", withBound, h.isEmpty ? 0 : Double(h.count(within: 0...UInt64(bound * 1e6))))
            }
            var infinite = labels
            infinite["le"] = "+Inf"
            sample(name + "_bucket", infinite, Double(h.totalCount))
            sample(name + "_sum", labels, h.mean * Double(h.totalCount) / 1e6)
            sample(name + "_count", labels, Double(h.totalCount))
        }
    }

    mutating func quantiles(_ name: String, _ help: String, _ series: [([String: String], HDRHistogram)]) {
        family(name, help, "gauge")
        for (labels, h) in series where !h.isEmpty {
            for q in LiveMetrics.quantiles {
                var withQuantile = labels
                withQuantile["quantile"] = Self.number(q)
                sample(name, withQuantile, Double(h.valueAtPercentile(q * 100)) / 1e6)
            }
        }
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
