import Dispatch
import StarlingSim

/// A closed batch on its way to the workers, with what the pacer records when it goes.
struct PacedBatch: Sendable {
    var batch: IngestBatch
    var second: Int64
    var sample: [GeneratedEvent]
}

/// Keeps the ingest schedule's deadlines on its own thread: takes closed batches from the generator,
/// sleeps until each one's intended send time (absolute deadlines), queues it for the workers and
/// records how late that was — the schedule lag. A batch that reaches the pacer after its deadline
/// (the generator fell behind) shows up there, never as server latency. Once stopped, batches are
/// booked as not sent and dead-lettered.
final class IngestPacer: Sendable {
    /// Batches the generator may be ahead of the clock.
    static let ahead = 16
    /// Columns worth sampling for query parameters.
    static let sampledColumns = ["visitor_id", "store_id", "user_id", "product_id", "country", "customer_id", "campaign_id", "channel"]

    let incoming = WorkQueue<PacedBatch>()
    let room = DispatchSemaphore(value: IngestPacer.ahead)
    let workers: WorkQueue<IngestBatch>
    let ledger: IngestLedger
    let deadLetter: DeadLetter
    let reservoir: SampleReservoir
    let shared: SharedRecorder
    let stop: StopFlag

    init(workers: WorkQueue<IngestBatch>, ledger: IngestLedger, deadLetter: DeadLetter, reservoir: SampleReservoir,
         shared: SharedRecorder, stop: StopFlag) {
        self.workers = workers
        self.ledger = ledger
        self.deadLetter = deadLetter
        self.reservoir = reservoir
        self.shared = shared
        self.stop = stop
    }

    /// From the generator: blocks while the pacer is `ahead` batches behind.
    func submit(_ batch: PacedBatch) {
        room.wait()
        incoming.push(batch)
    }

    /// From the generator: no more batches.
    func finish() { incoming.close() }

    /// The pacer's loop; returns its schedule-lag recorder when the generator finished.
    func run() -> LocalRecorder {
        var lag = LocalRecorder(stream: "schedule_lag.ingest")
        var offered = LocalRecorder(stream: "ingest")
        while let paced = incoming.pop() {
            room.signal()
            let batch = paced.batch
            stop.sleep(until: batch.intendedNanos)
            if stop.isSet {
                ledger.record(batch.events, in: .notSent)
                deadLetter.write(batch.body, lines: batch.events)
                continue
            }
            let now = MonotonicClock.now()
            workers.push(batch)
            lag.record(latencyNanos: now > batch.intendedNanos ? now - batch.intendedNanos : 0, second: paced.second, failure: nil)
            offered.recordOffered(second: paced.second, count: UInt64(batch.events))
            reservoir.add(paced.sample, columns: Self.sampledColumns)
            lag.flush(to: shared, now: now)
            offered.flush(to: shared, now: now)
        }
        workers.close()
        lag.flush(to: shared, now: MonotonicClock.now(), force: true)
        offered.flush(to: shared, now: MonotonicClock.now(), force: true)
        return lag
    }
}
