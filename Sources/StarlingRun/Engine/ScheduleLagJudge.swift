import Foundation
import StarlingMetrics

/// How a run decides that its own lateness makes its latencies untrustworthy.
public enum ScheduleLagRule: String, Sendable, CaseIterable {
    /// A request is late when it started more than `max(max_schedule_lag, 10 % of the stream's
    /// latency p99)` after its intended time; the run is invalid when, with 99.9 % confidence, more
    /// than 1 % of a stream's requests were late (a one-sided binomial test). A few late samples in
    /// a short run do not flip the verdict, and a lag that is small beside what was measured is
    /// tolerated, because latency is measured from the intended time anyway.
    case relative
    /// The run is invalid when a stream's schedule-lag p99 exceeds `max_schedule_lag` (the rule of
    /// older versions; it flickers on short runs where p99 is the second-worst sample).
    case absolute
}

/// Judges one stream's schedule lag under a rule; nil when the stream kept its schedule.
struct ScheduleLagJudge {
    static let allowedLateShare = 0.01
    static let confidence = 0.999
    static let relativeShare = 0.10

    var rule: ScheduleLagRule
    /// `max_schedule_lag` in microseconds.
    var limitMicros: UInt64

    /// Why `stream` is invalid, or nil. `lag` and `latency` are histograms in microseconds.
    func verdict(stream: String, lag: HDRHistogram, latency: HDRHistogram?) -> String? {
        guard lag.totalCount > 0 else { return nil }
        let p99 = lag.valueAtPercentile(99)
        switch rule {
        case .absolute:
            guard p99 > limitMicros else { return nil }
            return "the \(stream) schedule fell behind: schedule lag p99 \(Self.ms(p99)) ms > \(Self.ms(limitMicros)) ms (absolute rule)"
        case .relative:
            let latencyP99 = latency.map { $0.totalCount > 0 ? $0.valueAtPercentile(99) : 0 } ?? 0
            let threshold = max(limitMicros, UInt64(Double(latencyP99) * Self.relativeShare))
            let late = lag.count(above: threshold)
            let n = lag.totalCount
            guard Self.upperTail(n: n, k: late, p: Self.allowedLateShare) < 1 - Self.confidence else { return nil }
            return "the \(stream) schedule fell behind: \(late) of \(n) requests (\(String(format: "%.1f", 100 * Double(late) / Double(n))) %) started more than "
                + "\(Self.ms(threshold)) ms late (schedule lag p99 \(Self.ms(p99)) ms) — Starling itself could not keep the offered rate "
                + "(its CPU, not the target), so its latencies would blame the server for the client's delay"
        }
    }

    static func ms(_ micros: UInt64) -> String { String(format: "%.2f", Double(micros) / 1000) }

    /// P(X ≥ k) for X ~ Binomial(n, p), summed in log space from k upwards.
    static func upperTail(n: UInt64, k: UInt64, p: Double) -> Double {
        guard k > 0 else { return 1 }
        guard k <= n else { return 0 }
        if Double(k) <= Double(n) * p { return 1 }  // at or below the mean: no evidence
        let nd = Double(n)
        var logTerm = lgamma(nd + 1) - lgamma(Double(k) + 1) - lgamma(nd - Double(k) + 1) + Double(k) * log(p) + (nd - Double(k)) * log1p(-p)
        var sum = 0.0
        var i = Double(k)
        while i <= nd {
            let term = exp(logTerm)
            sum += term
            if term < sum * 1e-16 { break }
            logTerm += log(nd - i) - log(i + 1) + log(p) - log1p(-p)
            i += 1
        }
        return min(sum, 1)
    }
}
