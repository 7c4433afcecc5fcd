/// One second of a run's timeline, as written to `timeline.csv`.
public struct TimelineRow: Sendable, Equatable {
    /// Second index (the caller's choice of origin, e.g. seconds since the run started).
    public var second: Int64
    /// Requests (or events) the schedule intended to send in this second.
    public var offered: UInt64
    /// Completions that succeeded in this second.
    public var achieved: UInt64
    /// Completions that failed in this second.
    public var errors: UInt64
    /// Latency percentiles and max of all completions (successes and errors) in this second, in the
    /// histogram's unit (microseconds by default); 0 when nothing completed.
    public var p50: UInt64
    public var p90: UInt64
    public var p99: UInt64
    public var max: UInt64

    /// An empty row for `second`.
    public init(second: Int64) {
        self.second = second
        offered = 0
        achieved = 0
        errors = 0
        p50 = 0
        p90 = 0
        p99 = 0
        max = 0
    }
}

/// Per-second counters and latency percentiles for a run's timeline, in bounded memory.
///
/// Samples are filed by second (the caller decides which: the intended-send second for `offered`,
/// the completion second for completions is the usual choice). Only the newest `window` seconds are
/// open, in a ring of slots each holding counters and a 2-digit (1 %) histogram (~26 KiB). When a
/// sample arrives for a newer second, seconds that fell out of the window are *sealed* into
/// ``TimelineRow``s, which the caller collects with ``takeSealedRows()`` (and writes out), so memory
/// does not grow with the run's length. Seconds with no samples get all-zero rows (a stall shows as
/// a gap of zeros), up to ``maximumFilledGap`` consecutive seconds.
///
/// A sample for a second that is already sealed is not filed; it is counted in
/// ``lateSampleCount`` (choose `window` larger than the request timeout to keep it at 0).
/// A value type without locks: feed it from the one place that sees completions (a collector
/// task or thread). Rows carry percentiles, which do not merge; merge histograms, not rows.
public struct TimeSeries: Sendable {
    /// Longest run of empty seconds filled with zero rows.
    public static let maximumFilledGap: Int64 = 3600

    private struct Slot: Sendable {
        var row: TimelineRow
        var latency: HDRHistogram
    }

    private var slots: [Slot]
    private var nextSecondToSeal: Int64?
    private var newestSecond: Int64 = .min
    private var sealed: [TimelineRow] = []
    /// Samples that arrived for an already sealed second.
    public private(set) var lateSampleCount: UInt64 = 0

    /// `window` open seconds (at least 1); latencies kept with `latencyLayout`
    /// (default: microseconds, 1 µs … 1 h, 2 significant digits).
    public init(window: Int = 10, latencyLayout: HistogramLayout = .timelineMicroseconds) {
        let empty = Slot(row: TimelineRow(second: .min), latency: HDRHistogram(layout: latencyLayout))
        slots = [Slot](repeating: empty, count: Swift.max(window, 1))
    }

    /// Counts `count` offered requests in `second`.
    public mutating func recordOffered(second: Int64, count: UInt64 = 1) {
        guard let slot = slotIndex(for: second, samples: count) else { return }
        slots[slot].row.offered &+= count
    }

    /// Counts one completion in `second` with its latency; `succeeded` picks achieved or errors.
    /// `count` is how many units (e.g. events of a batch) the completion carried; the latency is
    /// recorded once.
    public mutating func recordCompletion(second: Int64, latency: UInt64, succeeded: Bool, count: UInt64 = 1) {
        guard let slot = slotIndex(for: second, samples: 1) else { return }
        if succeeded {
            slots[slot].row.achieved &+= count
        } else {
            slots[slot].row.errors &+= count
        }
        slots[slot].latency.record(latency)
    }

    /// Rows sealed so far, oldest first; they are handed over and forgotten.
    public mutating func takeSealedRows() -> [TimelineRow] {
        defer { sealed.removeAll(keepingCapacity: true) }
        return sealed
    }

    /// Seals every open second and returns all rows not yet taken (end of run).
    public mutating func finish() -> [TimelineRow] {
        if newestSecond != .min { seal(through: newestSecond) }
        return takeSealedRows()
    }

    private mutating func slotIndex(for second: Int64, samples: UInt64) -> Int? {
        let window = Int64(slots.count)
        // Open seconds are (newest - window, newest]; older ones are sealed or were never open.
        if newestSecond != .min, second <= newestSecond - window {
            lateSampleCount &+= samples
            return nil
        }
        // Only before the first seal can a sample be older than `nextSecondToSeal`.
        if nextSecondToSeal.map({ second < $0 }) ?? true { nextSecondToSeal = second }
        if second > newestSecond {
            newestSecond = second
            seal(through: second - window)
        }
        let index = Int(((second % window) + window) % window)
        if slots[index].row.second != second { slots[index].row = TimelineRow(second: second) }
        return index
    }

    private mutating func seal(through last: Int64) {
        guard var next = nextSecondToSeal, next <= last else { return }
        let window = Int64(slots.count)
        // Samples only exist for seconds below next + window (the ring's span).
        let lastWithSlot = Swift.min(last, next + window - 1)
        while next <= lastWithSlot {
            let index = Int(((next % window) + window) % window)
            var row = TimelineRow(second: next)
            if slots[index].row.second == next {
                row = slots[index].row
                let latency = slots[index].latency
                if !latency.isEmpty {
                    row.p50 = latency.valueAtPercentile(50)
                    row.p90 = latency.valueAtPercentile(90)
                    row.p99 = latency.valueAtPercentile(99)
                    row.max = latency.max
                }
                slots[index].latency.reset()
                slots[index].row = TimelineRow(second: .min)
            }
            sealed.append(row)
            next += 1
        }
        // Later seconds got no sample at all: zero rows, so a stall shows, up to the cap.
        let gapEnd = Swift.min(last, next + Self.maximumFilledGap - 1)
        while next <= gapEnd {
            sealed.append(TimelineRow(second: next))
            next += 1
        }
        nextSecondToSeal = last + 1
    }
}

extension HistogramLayout {
    /// Per-second timeline latencies: microseconds, 1 µs … 1 h, 2 significant digits (1 %).
    public static let timelineMicroseconds = HistogramLayout(
        validatedLowest: 1, highest: 3_600_000_000, digits: 2)
}
