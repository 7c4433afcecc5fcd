import StarlingSim
import Synchronization

/// Values of the events a run sends, for query parameters that exist in the data, kept so that what
/// a query draws depends only on the scenario's seed and the query's intended time — never on how
/// fast threads ran. The generator appends a sample (every `stride`-th event, in schedule order,
/// with its schedule offset); a query at offset t draws among the samples with offset ≤ t, with a
/// random stream seeded by the query's place in the schedule. The generator runs ahead of the clock,
/// so the samples up to t are normally there when a query at t draws; when it is not (its first
/// moments, a loaded machine) the query waits for it (`waitUntilGenerated`), which shows as schedule
/// lag rather than as a different question — unless the ingest target holds the generator up.
public final class ValueTimeline: Sendable {
    struct Sample: Sendable {
        var offset: Double
        var time: Int64
        var values: [String?]
    }

    /// The columns sampled (those the query mix draws from).
    public let columns: [String]
    /// One event in `stride` is sampled, so the timeline holds about `capacity` samples per run.
    public let stride: Int
    private let samples = Mutex<[Sample]>([])
    /// The schedule offset of the last event generated (its bit pattern), published after its sample.
    private let generatedOffset = Atomic<UInt64>(0)
    /// Set when the generator stops: nothing more will come.
    private let generatorDone = Atomic<Bool>(false)

    /// `expectedEvents`: about how many events the run will send.
    public init(columns: [String], expectedEvents: Double, capacity: Int = 20_000) {
        self.columns = columns
        stride = max(1, Int((expectedEvents / Double(capacity)).rounded(.up)))
    }

    /// From the generator, for its `index`-th event (0-based), in schedule order.
    func offer(index: Int, offset: Double, event: GeneratedEvent) {
        if index % stride == 0 {
            let sample = Sample(offset: offset, time: event.time, values: columns.map { event.value(ofColumn: $0) })
            samples.withLock { $0.append(sample) }
        }
        generatedOffset.store(offset.bitPattern, ordering: .releasing)
    }

    /// From the generator when it stops, for whatever reason.
    func finish() { generatorDone.store(true, ordering: .releasing) }

    /// Whether every event scheduled at or before `offset` has been offered.
    func hasGenerated(upTo offset: Double) -> Bool {
        generatorDone.load(ordering: .acquiring) || Double(bitPattern: generatedOffset.load(ordering: .acquiring)) > offset
    }

    /// Waits (polling every millisecond on `clock`) until the events up to `offset` have been
    /// offered, the generator stopped or the run was cancelled — but not while `backPressure` says
    /// the ingest side is held up by the target (the generator is then stalled behind a full queue,
    /// and queries must not be delayed by the ingest target's slowness), nor longer than
    /// `patience`. False when it stopped waiting before the generator got there: the draw may then
    /// differ from another run's.
    func waitUntilGenerated(upTo offset: Double, clock: any RunClock, cancellation: RunCancellation,
                            patience: UInt64 = 1_000_000_000, backPressure: () -> Bool) -> Bool {
        guard !hasGenerated(upTo: offset) else { return true }
        let start = clock.now()
        while !hasGenerated(upTo: offset) {
            if cancellation.isCancelled || backPressure() || clock.now() - start >= patience { return false }
            clock.sleep(until: clock.now() + 1_000_000, unless: cancellation)
        }
        return true
    }

    /// A value of `column` among the events up to `offset`; nil when none was sent yet.
    public func draw(_ column: String, upTo offset: Double, using rng: inout Xoshiro256) -> String? {
        guard let index = columns.firstIndex(of: column) else { return nil }
        return samples.withLock { all in
            let candidates = all[..<Self.count(all, upTo: offset)].compactMap { $0.values[index] }
            return candidates.isEmpty ? nil : candidates[rng.below(candidates.count)]
        }
    }

    /// A window [start, end] inside the event times up to `offset` (or, one time in four, the whole
    /// days holding them), as DateTime parameters.
    /// `dayAfterEnd`: the date after the end's, the exclusive end of the window in whole days.
    public func window(upTo offset: Double, using rng: inout Xoshiro256) -> (start: String, end: String, dayAfterEnd: String)? {
        let range: (Int64, Int64)? = samples.withLock { all in
            let prefix = all[..<Self.count(all, upTo: offset)]
            guard let low = prefix.map(\.time).min(), let high = prefix.map(\.time).max() else { return nil }
            return (low, high)
        }
        guard let (earliest, latest) = range else { return nil }
        // One query in four asks for whole days around the data, as a dashboard's "today" does: a
        // pipe reading buckets (`start_ts >= {{start}} AND end_ts <= {{end}}` on 15-minute ranges)
        // finds none inside a window of seconds.
        if rng.below(4) == 0 {
            let dayStart = earliest - earliest % 86_400, nextDay = latest - latest % 86_400 + 86_400
            return (formatTimestamp(dayStart), formatTimestamp(nextDay), String(formatTimestamp(nextDay).prefix(10)))
        }
        let span = max(latest - earliest, 1)
        let a = earliest + Int64(rng.below(Int(span)))
        let b = a + Int64(rng.below(Int(latest - a) + 1))
        return (formatTimestamp(a), formatTimestamp(b), String(formatTimestamp(b + 86_400).prefix(10)))
    }

    /// How many samples have an offset ≤ `offset` (they are appended in offset order).
    static func count(_ all: [Sample], upTo offset: Double) -> Int {
        var low = 0
        var high = all.count
        while low < high {
            let middle = (low + high) / 2
            if all[middle].offset <= offset { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
