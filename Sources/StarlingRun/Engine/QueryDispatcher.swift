import StarlingSim

/// The query mix's open-loop schedule: each pipe has its own arrival schedule at its rate; the
/// dispatcher merges them, sleeps until each intended time, draws the parameters and queues the job.
struct QueryDispatcher {
    let plan: RunPlan
    let queue: WorkQueue<QueryJob>
    let reservoir: SampleReservoir
    let shared: SharedRecorder
    let stop: StopFlag
    let startNanos: UInt64
    var lag = LocalRecorder(stream: "schedule_lag.query")
    var offered: [String: LocalRecorder] = [:]

    /// Dispatches until the schedule ends or the run stops; returns the schedule-lag recorder.
    mutating func run() -> LocalRecorder {
        var schedules = plan.queries.enumerated().map { i, query in
            ArrivalSchedule(profile: .constant(query.rate), process: plan.ingest.arrivals, duration: plan.duration,
                            seed: plan.seed &+ 0x9E37 &* UInt64(i + 1))
        }
        var next: [Double?] = schedules.indices.map { schedules[$0].next() }
        var rng = Xoshiro256(seed: plan.seed, stream: StreamTag("query-parameters"), index: 0)
        while !stop.isSet {
            guard let (i, t) = next.enumerated().compactMap({ i, t in t.map { (i, $0) } }).min(by: { $0.1 < $1.1 }) else { break }
            next[i] = schedules[i].next()
            let intended = startNanos + UInt64(t * 1e9)
            stop.sleep(until: intended)
            if stop.isSet { break }
            let query = plan.queries[i]
            let now = MonotonicClock.now()
            queue.push(QueryJob(pipe: query.pipe, parameters: parameters(for: query, using: &rng), intendedNanos: intended))
            lag.record(latencyNanos: now > intended ? now - intended : 0, second: Int64(t), failure: nil)
            offered["query.\(query.pipe)", default: LocalRecorder(stream: "query.\(query.pipe)")].recordOffered(second: Int64(t))
            lag.flush(to: shared, now: now)
            offered["query.\(query.pipe)"]?.flush(to: shared, now: now)
        }
        lag.flush(to: shared, now: MonotonicClock.now(), force: true)
        for name in offered.keys { offered[name]?.flush(to: shared, now: MonotonicClock.now(), force: true) }
        return lag
    }

    /// Draws one value per parameter; a parameter whose sampler has nothing yet is left out (the
    /// pipe's default applies), and a window fills both of its ends from one draw.
    func parameters(for query: QueryConfig, using rng: inout Xoshiro256) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        var window: (start: String, end: String)?
        for (name, sampler) in query.parameters {
            switch sampler {
            case .windowStart, .windowEnd:
                if window == nil { window = reservoir.window(using: &rng) }
                if let window { result.append((name, sampler == .windowStart ? window.start : window.end)) }
            default:
                if let value = reservoir.draw(sampler, using: &rng) { result.append((name, value)) }
            }
        }
        return result
    }
}
