import StarlingSim
import Synchronization

/// The query mix's open-loop schedule: each pipe has its own arrival schedule at its rate; the
/// dispatcher merges them, sleeps until each intended time, draws the parameters and queues the job.
/// As for ingest, its schedule lag leaves out the time it waited for a free query worker.
struct QueryDispatcher {
    let context: RunContext
    let queue: WorkQueue<QueryJob>
    var lag = LocalRecorder(stream: "schedule_lag.query")
    var offered: [String: LocalRecorder] = [:]
    /// Nanoseconds spent waiting for a free query worker.
    var inFlightWait: UInt64 = 0

    init(context: RunContext, queue: WorkQueue<QueryJob>) {
        self.context = context
        self.queue = queue
    }

    /// Dispatches until the schedule ends, the planned end passes or the run stops; returns the
    /// schedule-lag recorder.
    mutating func run() -> LocalRecorder {
        let plan = context.plan
        let clock = context.clock
        var schedules = plan.queries.enumerated().map { i, query in
            ArrivalSchedule(profile: .constant(query.rate), process: plan.ingest.arrivals, duration: plan.duration,
                            seed: plan.seed &+ 0x9E37 &* UInt64(i + 1))
        }
        var next: [Double?] = schedules.indices.map { schedules[$0].next() }
        var rng = Xoshiro256(seed: plan.seed, stream: StreamTag("query-parameters"), index: 0)
        var blockedUntil: UInt64 = 0
        let deadline = context.plannedEnd + IngestGenerator.grace
        while !context.cancellation.isCancelled {
            guard let (i, t) = next.enumerated().compactMap({ i, t in t.map { (i, $0) } }).min(by: { $0.1 < $1.1 }) else { break }
            next[i] = schedules[i].next()
            let intended = context.start + UInt64(t * 1e9)
            clock.sleep(until: intended, unless: context.cancellation)
            if context.cancellation.isCancelled { break }
            let query = plan.queries[i]
            let ready = clock.now()
            guard let waited = queue.push(QueryJob(pipe: query.pipe, parameters: parameters(for: query, using: &rng), intendedNanos: intended), until: deadline) else { break }
            inFlightWait += waited
            let late = ready > intended ? ready - intended : 0
            let blocked = blockedUntil > intended ? min(late, blockedUntil - intended) : 0
            if waited > 0 { blockedUntil = clock.now() }
            lag.record(latencyNanos: late - blocked, second: Int64(t), failure: nil)
            offered["query.\(query.pipe)", default: LocalRecorder(stream: "query.\(query.pipe)")].recordOffered(second: Int64(t))
            lag.flush(to: context.shared, now: ready)
            offered["query.\(query.pipe)"]?.flush(to: context.shared, now: ready)
        }
        lag.flush(to: context.shared, now: clock.now(), force: true)
        for name in offered.keys { offered[name]?.flush(to: context.shared, now: clock.now(), force: true) }
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
                if window == nil { window = context.reservoir.window(using: &rng) }
                if let window { result.append((name, sampler == .windowStart ? window.start : window.end)) }
            default:
                if let value = context.reservoir.draw(sampler, using: &rng) { result.append((name, value)) }
            }
        }
        return result
    }
}
