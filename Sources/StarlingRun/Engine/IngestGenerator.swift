import StarlingMetrics
import StarlingSim

/// The ingest schedule, run on the calling thread: takes each event of the `EventSequence`, encodes
/// it into its datasource's open batch, and hands the batch to the pacer when it closes — at
/// `batch_max_events`, `batch_max_bytes`, or `batch_max_linger` after its first event. It runs ahead
/// of the clock (at most `IngestPacer.ahead` batches), so generating a batch never delays sending
/// the previous one.
///
/// It never runs past the planned end: a generator that is still producing then (it could not keep
/// the offered rate, or the target could not take it and the queues are full) abandons the rest of
/// the schedule, and the run says how much was never generated.
struct IngestGenerator {
    struct OpenBatch {
        var encoder = NDJSONEncoder(capacity: 1 << 16)
        var events = 0
        var firstOffset = 0.0
        var probes: [(id: Int, line: Int)] = []
    }

    /// Slack after the planned end before the schedule counts as abandoned (pacing jitter).
    static let grace: UInt64 = 250_000_000

    /// What the generator did, for the summary.
    struct Report: Sendable {
        /// Where the schedule was abandoned at the planned end (seconds into the run), when it was.
        var abandonedAt: Double?
        /// The schedule offset of the last event drawn, and whether the schedule ran to its end.
        var lastOffset = 0.0
        var scheduleEnded = false
        var generated = 0
        /// Events generated per tenth of a second of schedule offset.
        var perTenth: [Int] = []

        /// Events generated with an intended time before `seconds`.
        func generated(before seconds: Double) -> Int {
            let tenths = Int((seconds * 10).rounded(.down))
            return perTenth.prefix(max(0, tenths)).reduce(0, +)
        }
    }

    let context: RunContext
    let pacer: IngestPacer
    /// The run's events, its models already built.
    var sequence: EventSequence
    private(set) var report = Report()

    init(context: RunContext, pacer: IngestPacer, sequence: EventSequence) {
        self.context = context
        self.pacer = pacer
        self.sequence = sequence
    }

    func nanos(_ offset: Double) -> UInt64 { context.start + UInt64(max(offset, 0) * 1e9) }

    var deadline: UInt64 { context.plannedEnd + Self.grace }

    mutating func run() {
        let plan = context.plan
        let names = sequence.datasourceNames
        var open = Array(repeating: OpenBatch(), count: names.count)
        var nextProbe = 0.0
        var sinceClockCheck = 0
        var scheduleEnded = false
        var generated = 0
        report.perTenth = Array(repeating: 0, count: Int((plan.duration * 10).rounded(.up)) + 1)

        while !context.cancellation.isCancelled {
            sinceClockCheck += 1
            if sinceClockCheck >= 1024 {
                sinceClockCheck = 0
                if context.clock.now() >= deadline { break }
            }
            guard let scheduled = sequence.next() else {
                scheduleEnded = true
                break
            }
            let (t, d, event) = (scheduled.offset, scheduled.datasource, scheduled.event)
            closeLingering(&open, before: t, names: names)
            context.ledger.recordGenerated(1)
            context.values.offer(index: generated, offset: t, event: event)
            generated += 1
            report.perTenth[min(Int(t * 10), report.perTenth.count - 1)] += 1
            event.encode(into: &open[d].encoder, timestamp: nil)
            if open[d].events == 0 { open[d].firstOffset = t }
            if let tracker = plan.freshness, plan.probesPerSecond > 0, t >= nextProbe, let probe = tracker.add(datasource: names[d], event: event) {
                open[d].probes.append((probe, open[d].events))
                nextProbe = t + 1 / plan.probesPerSecond
            }
            open[d].events += 1
            if open[d].events >= plan.ingest.batchMaxEvents || open[d].encoder.byteCount >= plan.ingest.batchMaxBytes {
                close(&open[d], datasource: names[d], at: t)
                if context.clock.now() >= deadline { break }
            }
        }
        context.values.finish()
        report.lastOffset = sequence.lastOffset
        report.scheduleEnded = scheduleEnded
        if !scheduleEnded && !context.cancellation.isCancelled {
            report.abandonedAt = sequence.lastOffset
        }
        // The schedule ended (or stopped): the open batches close at their linger deadline.
        let remaining = open.indices.filter { open[$0].events > 0 }.sorted { open[$0].firstOffset < open[$1].firstOffset }
        for i in remaining {
            close(&open[i], datasource: names[i], at: min(open[i].firstOffset + plan.ingest.batchMaxLinger, plan.duration))
        }
        pacer.finish()
    }

    mutating func closeLingering(_ open: inout [OpenBatch], before t: Double, names: [String]) {
        let linger = context.plan.ingest.batchMaxLinger
        let due = open.indices.filter { open[$0].events > 0 && open[$0].firstOffset + linger <= t }
        for i in due.sorted(by: { open[$0].firstOffset < open[$1].firstOffset }) {
            close(&open[i], datasource: names[i], at: open[i].firstOffset + linger)
        }
    }

    /// Hands the closed batch to the pacer (waiting while it is far enough ahead, at most until the
    /// drain deadline: a batch already generated is still worth sending) and resets it.
    mutating func close(_ open: inout OpenBatch, datasource: String, at offset: Double) {
        context.plan.freshness?.setIntended(open.probes.map(\.id), nanos(offset))
        let batch = IngestBatch(datasource: datasource, body: open.encoder.bytes, events: open.events, intendedNanos: nanos(offset), probes: open.probes)
        if !pacer.submit(PacedBatch(batch: batch, second: Int64(offset)), until: context.drainDeadline) {
            context.notSent(batch, cause: context.notSentCause)
        }
        open.probes.removeAll()
        open.encoder.removeAllBytes()
        open.events = 0
    }
}
