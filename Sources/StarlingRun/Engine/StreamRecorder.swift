import StarlingMetrics
import Synchronization

/// The name of a measured stream: `ingest`, `query.<pipe>`, `schedule_lag.ingest`, …
public typealias StreamName = String

/// One latency sample as a worker records it.
public struct Completion: Sendable {
    /// Second of the run (from its start) the request completed in.
    public var second: Int64
    /// Microseconds from the intended send time to completion.
    public var latencyMicros: UInt64
    public var succeeded: Bool
    /// Units the request carried: events for an ingest batch, 1 for a query.
    public var units: UInt64 = 1
}

/// What the workers of all streams share: per stream, the histogram of the current log interval and
/// the per-second timeline. Workers record into a `LocalRecorder` without locks and flush it here
/// every few hundred milliseconds, so there is no lock per sample.
public final class SharedRecorder: Sendable {
    struct StreamState: Sendable {
        var interval = HDRHistogram()
        /// Every sample so far (for `--metrics-listen`); the summary's histograms come from the workers.
        var cumulative = HDRHistogram()
        // 30 open seconds: a completion more than 30 s after its second is counted late. Each open
        // second holds a 26 KiB histogram, so the window is what the timeline costs (and it fills up
        // in its first 30 s, not over minutes).
        var timeline = TimeSeries(window: 30)
        var rows: [TimelineRow] = []
        var errors = 0
        var completions = 0
    }

    private let streams = Mutex<[StreamName: StreamState]>([:])

    public init() {}

    func merge(_ stream: StreamName, interval: HDRHistogram, completions: [Completion], offered: [(second: Int64, count: UInt64)]) {
        streams.withLock { all in
            var state = all[stream] ?? StreamState()
            state.interval.add(interval)
            state.cumulative.add(interval)
            for (second, count) in offered { state.timeline.recordOffered(second: second, count: count) }
            for c in completions {
                state.timeline.recordCompletion(second: c.second, latency: c.latencyMicros, succeeded: c.succeeded, count: c.units)
                state.completions += 1
                if !c.succeeded { state.errors += 1 }
            }
            state.rows += state.timeline.takeSealedRows()
            all[stream] = state
        }
    }

    /// Takes every stream's interval histogram (for one `.hlog` line each) and starts new ones.
    func takeIntervals() -> [(StreamName, HDRHistogram)] {
        streams.withLock { all in
            all.keys.sorted().map { name in
                let histogram = all[name]?.interval ?? HDRHistogram()
                all[name]?.interval.reset()
                return (name, histogram)
            }
        }
    }

    /// Completions and errors so far, over all streams whose name has `prefix`.
    func totals(prefix: String) -> (completions: Int, errors: Int) {
        streams.withLock { all in
            all.filter { $0.key.hasPrefix(prefix) }.values.reduce((0, 0)) { ($0.0 + $1.completions, $0.1 + $1.errors) }
        }
    }

    /// Each stream's completions, errors and latency histogram so far, by name.
    func snapshot() -> [(stream: StreamName, completions: Int, errors: Int, histogram: HDRHistogram)] {
        streams.withLock { all in
            all.keys.sorted().map { name in
                let state = all[name] ?? StreamState()
                return (name, state.completions, state.errors, state.cumulative)
            }
        }
    }

    /// Seals every stream's timeline and returns all rows by stream.
    func finishTimelines() -> [StreamName: [TimelineRow]] {
        streams.withLock { all in
            var result: [StreamName: [TimelineRow]] = [:]
            for name in all.keys {
                guard var state = all[name] else { continue }
                result[name] = state.rows + state.timeline.finish()
                state.rows = []
                all[name] = state
            }
            return result
        }
    }
}

/// A worker's own recording: the whole-run histogram (merged at the end), and pending interval and
/// timeline samples flushed to the `SharedRecorder` now and then.
public struct LocalRecorder: Sendable {
    public let stream: StreamName
    public private(set) var total = HDRHistogram()
    var interval = HDRHistogram()
    var completions: [Completion] = []
    var offered: [(second: Int64, count: UInt64)] = []
    var lastFlush: UInt64 = 0
    public private(set) var errors = 0
    public private(set) var errorsByStatus: [String: Int] = [:]
    /// Every failed attempt by reason, retried or not (requests, not batches).
    public private(set) var failedAttempts: [String: Int] = [:]

    public init(stream: StreamName) {
        self.stream = stream
    }

    /// Records a completion `latencyNanos` after its intended time; failures count as errors (by
    /// reason, e.g. "503" or "connection") and are not part of the latency histogram.
    mutating func record(latencyNanos: UInt64, second: Int64, failure: String?, units: Int = 1) {
        let micros = max(1, latencyNanos / 1000)
        if let failure {
            errors += 1
            errorsByStatus[failure, default: 0] += 1
        } else {
            total.record(micros)
            interval.record(micros)
        }
        completions.append(Completion(second: second, latencyMicros: micros, succeeded: failure == nil, units: UInt64(max(units, 1))))
    }

    /// Counts a failed attempt (one that will be retried, or the last one), by reason.
    mutating func recordFailedAttempt(_ reason: String) {
        failedAttempts[reason, default: 0] += 1
    }

    /// Counts an offered request in `second` (for the timeline's offered rate).
    mutating func recordOffered(second: Int64, count: UInt64 = 1) {
        if let last = offered.last, last.second == second {
            offered[offered.count - 1].count += count
        } else {
            offered.append((second, count))
        }
    }

    /// Flushes to `shared` when `force` or 200 ms have passed since the last flush.
    mutating func flush(to shared: SharedRecorder, now: UInt64, force: Bool = false) {
        guard force || now &- lastFlush >= 200_000_000 else { return }
        lastFlush = now
        guard !completions.isEmpty || !offered.isEmpty || interval.totalCount > 0 else { return }
        shared.merge(stream, interval: interval, completions: completions, offered: offered)
        interval.reset()
        completions.removeAll(keepingCapacity: true)
        offered.removeAll(keepingCapacity: true)
    }
}
