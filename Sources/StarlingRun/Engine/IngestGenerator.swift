import StarlingMetrics
import StarlingSim

/// The ingest schedule, run on the calling thread: draws each event's intended time from the arrival
/// schedule, encodes it into its datasource's open batch, and hands the batch to the pacer when it
/// closes — at `batch_max_events`, `batch_max_bytes`, or `batch_max_linger` after its first event.
/// It runs ahead of the clock (at most `IngestPacer.ahead` batches), so generating a batch never
/// delays sending the previous one; the pacer keeps the deadlines.
struct IngestGenerator {
    struct OpenBatch {
        var encoder = NDJSONEncoder(capacity: 1 << 16)
        var events = 0
        var firstOffset = 0.0
        var sample: [GeneratedEvent] = []
        var probes: [Int] = []
    }

    let plan: RunPlan
    let pacer: IngestPacer
    let ledger: IngestLedger
    let stop: StopFlag
    let startNanos: UInt64
    let startWallSeconds: Int64

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
        var nextProbe = 0.0

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
            if let tracker = plan.freshness, plan.probesPerSecond > 0, t >= nextProbe {
                open[d].probes.append(tracker.add(datasource: streams[d].name, event: sent))
                nextProbe = t + 1 / plan.probesPerSecond
            }
            if open[d].events >= plan.ingest.batchMaxEvents || open[d].encoder.bytes.count >= plan.ingest.batchMaxBytes {
                close(&open[d], datasource: streams[d].name, at: t)
            }
        }
        // The schedule ended (or stopped): the open batches close at their linger deadline.
        let remaining = open.indices.filter { open[$0].events > 0 }.sorted { open[$0].firstOffset < open[$1].firstOffset }
        for i in remaining {
            close(&open[i], datasource: streams[i].name, at: min(open[i].firstOffset + linger, plan.duration))
        }
        pacer.finish()
    }

    mutating func closeLingering(_ open: inout [OpenBatch], before t: Double, streams: [DatasourceStream]) {
        let linger = plan.ingest.batchMaxLinger
        let due = open.indices.filter { open[$0].events > 0 && open[$0].firstOffset + linger <= t }
        for i in due.sorted(by: { open[$0].firstOffset < open[$1].firstOffset }) {
            close(&open[i], datasource: streams[i].name, at: open[i].firstOffset + linger)
        }
    }

    /// Hands the closed batch to the pacer (waiting while it is far enough ahead) and resets it.
    mutating func close(_ batch: inout OpenBatch, datasource: String, at offset: Double) {
        plan.freshness?.setIntended(batch.probes, nanos(offset))
        pacer.submit(PacedBatch(
            batch: IngestBatch(datasource: datasource, body: batch.encoder.bytes, events: batch.events, intendedNanos: nanos(offset), probes: batch.probes),
            second: Int64(offset), sample: batch.sample))
        batch.probes.removeAll()
        batch.encoder.bytes.removeAll(keepingCapacity: true)
        batch.events = 0
        batch.sample.removeAll(keepingCapacity: true)
    }
}
