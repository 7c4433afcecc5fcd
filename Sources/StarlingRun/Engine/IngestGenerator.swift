import StarlingMetrics
import StarlingSim

/// The ingest schedule, run on the calling thread: draws each event's intended time from the arrival
/// schedule, encodes it into its datasource's open batch, and hands a batch to the workers when it
/// closes — at `batch_max_events`, `batch_max_bytes`, or `batch_max_linger` after its first event —
/// after sleeping until the batch's intended send time. How late that hand-off is, is the schedule
/// lag: the generator's own lateness, kept apart from the server's latency.
struct IngestGenerator {
    struct OpenBatch {
        var encoder = NDJSONEncoder(capacity: 1 << 16)
        var events = 0
        var firstOffset = 0.0
        var sample: [GeneratedEvent] = []
    }

    let plan: RunPlan
    let queue: WorkQueue<IngestBatch>
    let ledger: IngestLedger
    let deadLetter: DeadLetter
    let reservoir: SampleReservoir
    let shared: SharedRecorder
    let stop: StopFlag
    let startNanos: UInt64
    let startWallSeconds: Int64
    var lag = LocalRecorder(stream: "schedule_lag.ingest")
    var offered = LocalRecorder(stream: "ingest")
    var batches = 0

    /// Columns worth sampling for query parameters, per datasource.
    static let sampledColumns = ["visitor_id", "store_id", "user_id", "product_id", "country", "customer_id", "campaign_id", "channel"]

    func nanos(_ offset: Double) -> UInt64 { startNanos + UInt64(max(offset, 0) * 1e9) }

    mutating func run(onSent: ((String, GeneratedEvent) -> Void)?) {
        var streams = plan.scenario.datasources.map {
            DatasourceStream($0, seed: plan.seed, start: plan.scenario.start, shard: plan.shard)
        }
        let mix = AliasTable(weights: plan.scenario.datasources.map(\.share))
        var mixRng = Xoshiro256(seed: plan.seed, stream: StreamTag("ingest-mix"), index: 0)
        var schedule = ArrivalSchedule(profile: plan.ingest.rate, process: plan.ingest.arrivals, duration: plan.duration, seed: plan.seed)
        var open = Array(repeating: OpenBatch(), count: streams.count)
        let linger = plan.ingest.batchMaxLinger
        var exhausted = Set<Int>()

        while !stop.isSet, let t = schedule.next() {
            closeLingering(&open, before: t, streams: streams)
            let d = streams.count == 1 ? 0 : mix.sample(using: &mixRng)
            guard !exhausted.contains(d), let (event, owned) = streams[d].nextEvent() else {
                exhausted.insert(d)
                if exhausted.count == streams.count { break }
                continue
            }
            guard owned else { continue }
            let sent = plan.eventTime == .live ? event.retimed(startWallSeconds + Int64(t)) : event
            ledger.recordGenerated(1)
            sent.encode(into: &open[d].encoder, timestamp: nil)
            if open[d].events == 0 { open[d].firstOffset = t }
            open[d].events += 1
            if open[d].events % 8 == 1 { open[d].sample.append(sent) }
            onSent?(streams[d].name, sent)
            if open[d].events >= plan.ingest.batchMaxEvents || open[d].encoder.bytes.count >= plan.ingest.batchMaxBytes {
                close(&open[d], datasource: streams[d].name, at: t)
            }
        }
        // The schedule ended (or stopped): the open batches close at their linger deadline.
        let remaining = open.indices.filter { open[$0].events > 0 }.sorted { open[$0].firstOffset < open[$1].firstOffset }
        for i in remaining {
            close(&open[i], datasource: streams[i].name, at: min(open[i].firstOffset + linger, plan.duration))
        }
        lag.flush(to: shared, now: MonotonicClock.now(), force: true)
        offered.flush(to: shared, now: MonotonicClock.now(), force: true)
    }

    mutating func closeLingering(_ open: inout [OpenBatch], before t: Double, streams: [DatasourceStream]) {
        let linger = plan.ingest.batchMaxLinger
        let due = open.indices.filter { open[$0].events > 0 && open[$0].firstOffset + linger <= t }
        for i in due.sorted(by: { open[$0].firstOffset < open[$1].firstOffset }) {
            close(&open[i], datasource: streams[i].name, at: open[i].firstOffset + linger)
        }
    }

    /// Sleeps until the batch's intended send time, then queues it (or, once stopped, books it as
    /// not sent and dead-letters it).
    mutating func close(_ batch: inout OpenBatch, datasource: String, at offset: Double) {
        let intended = nanos(offset)
        stop.sleep(until: intended)
        let body = batch.encoder.bytes
        if stop.isSet {
            ledger.record(batch.events, in: .notSent)
            deadLetter.write(body, lines: batch.events)
        } else {
            let now = MonotonicClock.now()
            queue.push(IngestBatch(datasource: datasource, body: body, events: batch.events, intendedNanos: intended))
            lag.record(latencyNanos: now > intended ? now - intended : 0, second: Int64(offset), failure: nil)
            offered.recordOffered(second: Int64(offset), count: UInt64(batch.events))
            reservoir.add(batch.sample, columns: Self.sampledColumns)
            lag.flush(to: shared, now: now)
            offered.flush(to: shared, now: now)
            batches += 1
        }
        batch.encoder.bytes.removeAll(keepingCapacity: true)
        batch.events = 0
        batch.sample.removeAll(keepingCapacity: true)
    }
}
