import StarlingSim
import Synchronization

/// A closed batch on its way to the workers, with what the pacer records when it goes.
struct PacedBatch: Sendable {
    var batch: IngestBatch
    var second: Int64
}

/// Keeps the ingest schedule's deadlines on its own thread: takes closed batches from the generator,
/// sleeps until each one's intended send time (absolute deadlines) and hands it to the workers'
/// queue. Two kinds of lateness are kept apart:
/// - **schedule lag**: how late the pacer had the batch ready — the generator fell behind, or the
///   pacer woke late. This is the client's own delay; a run with too much of it is invalid.
/// - **in-flight wait**: how long the batch waited for room because every in-flight request was
///   busy — the target (or `max_in_flight`) is the limit. That time is part of the latency, as open
///   loop demands, and is not the client's fault.
final class IngestPacer: Sendable {
    /// Batches the generator may be ahead of the clock.
    static let ahead = 16
    let context: RunContext
    let incoming: WorkQueue<PacedBatch>
    let workers: WorkQueue<IngestBatch>
    /// Nanoseconds the pacer waited for a free in-flight slot, in total (waits that ended).
    let inFlightWait = Atomic<UInt64>(0)
    /// When the wait for a slot going on now began (0: none is).
    let waitingSince = Atomic<UInt64>(0)

    init(context: RunContext, workers: WorkQueue<IngestBatch>) {
        self.context = context
        self.workers = workers
        incoming = WorkQueue(capacity: IngestPacer.ahead, clock: context.clock)
    }

    /// From the generator: waits while the pacer is `ahead` batches behind, not past `deadline`.
    /// False when the batch could not be handed over (the caller books it as not sent).
    func submit(_ batch: PacedBatch, until deadline: UInt64) -> Bool {
        incoming.push(batch, until: deadline) != nil
    }

    /// From the generator: no more batches.
    func finish() { incoming.close() }

    /// The pacer's loop; returns its schedule-lag recorder when the generator finished.
    func run() -> LocalRecorder {
        var lag = LocalRecorder(stream: "schedule_lag.ingest")
        var offered = LocalRecorder(stream: "ingest")
        // Until when the pacer was held up waiting for a free slot: lateness up to then is the target's.
        var blockedUntil: UInt64 = 0
        let clock = context.clock
        while let paced = incoming.pop() {
            let batch = paced.batch
            clock.sleep(until: batch.intendedNanos, unless: context.cancellation)
            if context.cancellation.isCancelled {
                context.notSent(batch, cause: context.notSentCause)
                continue
            }
            let ready = clock.now()
            waitingSince.store(ready, ordering: .relaxed)
            let pushed = workers.push(batch, until: context.drainDeadline)
            waitingSince.store(0, ordering: .relaxed)
            guard let waited = pushed else {
                // Every slot stayed busy to the deadline (a target that never answers): the target's wait.
                inFlightWait.add(clock.now() &- ready, ordering: .relaxed)
                context.notSent(batch, cause: context.notSentCause)
                continue
            }
            inFlightWait.add(waited, ordering: .relaxed)
            // Lateness caused by waiting for a slot (this batch's predecessors') is the target's, not the client's.
            let late = ready > batch.intendedNanos ? ready - batch.intendedNanos : 0
            let blocked = blockedUntil > batch.intendedNanos ? min(late, blockedUntil - batch.intendedNanos) : 0
            if waited > 0 { blockedUntil = clock.now() }
            lag.record(latencyNanos: late - blocked, second: paced.second, failure: nil)
            offered.recordOffered(second: paced.second, count: UInt64(batch.events))
            lag.flush(to: context.shared, now: ready)
            offered.flush(to: context.shared, now: ready)
        }
        workers.close()
        lag.flush(to: context.shared, now: clock.now(), force: true)
        offered.flush(to: context.shared, now: clock.now(), force: true)
        return lag
    }

    /// Nanoseconds waited for a free slot up to `now`: the waits that ended and the one going on
    /// (a request that never ends holds its slot to the drain deadline, and the wait with it).
    func slotWait(at now: UInt64) -> UInt64 {
        let since = waitingSince.load(ordering: .relaxed)
        return inFlightWait.load(ordering: .relaxed) &+ (since > 0 && now > since ? now &- since : 0)
    }

}

extension RunContext {
    /// A batch that will not be sent (the run stopped, or the drain deadline passed), wherever it
    /// was: its events in the ledger's `notSent`, its bytes in the dead letter, its freshness probes
    /// abandoned (not waited for to the probe timeout). The one path for every such batch: the
    /// pacer's and a worker's copies had drifted (the worker's kept waiting for its probes).
    func notSent(_ batch: IngestBatch, cause: String) {
        ledger.record(batch.events, in: .notSent)
        deadLetter.write(batch.body, batch: DeadLetter.Batch(datasource: batch.datasource, lines: batch.events, bucket: IngestLedger.Bucket.notSent.code,
                                                             possiblyLanded: false, cause: cause))
        plan.freshness?.abandon(batch.probes.map(\.id))
    }

    /// Why a batch is not sent now: the stop's code once the run is stopped, else the drain
    /// deadline (the one wording every not-sent path writes in the dead letter).
    var notSentCause: String {
        cancellation.isCancelled ? cancellation.reason?.code.rawValue ?? "stopped" : "drain_timeout"
    }
}
