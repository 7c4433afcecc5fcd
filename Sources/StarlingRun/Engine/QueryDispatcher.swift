import StarlingProject
import StarlingSim
import Synchronization

/// The query mix's open-loop schedule: each pipe has its own arrival schedule at its rate; the
/// dispatcher merges them, sleeps until each intended time, draws the parameters and queues the job.
/// As for ingest, its schedule lag leaves out the time it waited for a free query worker. A shard
/// takes its share of the arrivals (every Nth).
struct QueryDispatcher {
    let context: RunContext
    let queue: WorkQueue<QueryJob>
    /// The ingest workers' queue: a producer waiting on it means the target holds ingest up.
    let ingestQueue: WorkQueue<IngestBatch>
    var lag = LocalRecorder(stream: "schedule_lag.query")
    var offered: [String: LocalRecorder] = [:]
    /// Nanoseconds spent waiting for a free query worker.
    var inFlightWait: UInt64 = 0
    /// Queries that drew their parameters before the generator had reached their time.
    var drawnEarly = 0
    /// Per pipe, queries not asked: a parameter the pipe requires draws from the values sent, and
    /// none was sent yet (the first events of its column come later); and that parameter's name.
    var unasked: [String: (count: Int, parameter: String)] = [:]

    init(context: RunContext, queue: WorkQueue<QueryJob>, ingestQueue: WorkQueue<IngestBatch>) {
        self.context = context
        self.queue = queue
        self.ingestQueue = ingestQueue
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
        var arrivals = 0
        var blockedUntil: UInt64 = 0
        let deadline = context.plannedEnd + IngestGenerator.grace
        while !context.cancellation.isCancelled {
            guard let (i, t) = next.enumerated().compactMap({ i, t in t.map { (i, $0) } }).min(by: { $0.1 < $1.1 }) else { break }
            next[i] = schedules[i].next()
            // A shard asks every Nth query of the mix's schedule: the shards together ask the
            // scenario's mix once, not N times.
            let arrival = arrivals
            arrivals += 1
            guard arrival % plan.shard.count == plan.shard.index else { continue }
            let intended = context.start + UInt64(t * 1e9)
            clock.sleep(until: intended, unless: context.cancellation)
            if context.cancellation.isCancelled { break }
            let query = plan.queries[i]
            // Each query's parameters come from its own random stream (the seed and its place in the
            // schedule) and from the events scheduled before it: the same in every run. A generator
            // that is not there yet is waited for, and the wait is schedule lag.
            let ingestQueue = ingestQueue
            if !context.values.waitUntilGenerated(upTo: t, clock: clock, cancellation: context.cancellation,
                                                  backPressure: { ingestQueue.hasWaitingProducers }) {
                if context.cancellation.isCancelled { break }
                drawnEarly += 1
            }
            let ready = clock.now()
            var rng = Xoshiro256(seed: plan.seed, stream: StreamTag("query-parameters"), index: UInt64(arrival))
            let drawn = parameters(for: query, at: t, using: &rng)
            if let missing = Self.missingRequired(query, drawn: drawn, spec: plan.pipes[query.pipe]) {
                // Sent without it, the pipe could only refuse (a 400 of Starling's making, not the
                // target's): the query is left out, and said so.
                unasked[query.pipe, default: (0, missing)].count += 1
                continue
            }
            let job = QueryJob(pipe: query.pipe, parameters: drawn, intendedNanos: intended)
            guard let waited = queue.push(job, until: deadline) else { break }
            inFlightWait += waited
            let late = ready > intended ? ready - intended : 0
            let blocked = blockedUntil > intended ? min(late, blockedUntil - intended) : 0
            if waited > 0 { blockedUntil = clock.now() }
            lag.record(latencyNanos: late - blocked, second: Int64(t), failure: nil)
            offered["query.\(query.pipe)", default: LocalRecorder(stream: "query.\(query.pipe)")].recordOffered(second: Int64(t))
            lag.flush(to: context.shared, now: ready)
            offered["query.\(query.pipe)"]?.flush(to: context.shared, now: ready)
        }
        for (pipe, left) in unasked.sorted(by: { $0.key < $1.key }) {
            context.warnings.add("\(left.count) \(pipe) \(left.count == 1 ? "query was" : "queries were") not asked: its required parameter \(left.parameter) takes a value sent, and none was sent yet (the first events of that column came later)")
        }
        if drawnEarly > 0 {
            context.warnings.add("\(drawnEarly) queries drew their parameters before the generator had reached their time (the ingest target held it up, or it fell behind), so another run of the scenario may ask them differently")
        }
        lag.flush(to: context.shared, now: clock.now(), force: true)
        for name in offered.keys { offered[name]?.flush(to: context.shared, now: clock.now(), force: true) }
        return lag
    }

    /// The first parameter the pipe requires (`required=True`, or no default) that the scenario
    /// fills from the values sent and that drew nothing; nil when the query can be asked.
    static func missingRequired(_ query: QueryConfig, drawn: [(name: String, value: String)], spec: PipeSpec?) -> String? {
        guard let spec else { return nil }
        for (name, sampler) in query.parameters where sampler.drawsFromSentValues && !drawn.contains(where: { $0.name == name }) {
            if spec.parameters.contains(where: { $0.name == name && $0.required }) { return name }
        }
        return nil
    }

    /// Draws one value per parameter among the events scheduled up to `offset`; a parameter whose
    /// sampler has nothing yet is left out (the pipe's default applies), and a window fills both of
    /// its ends from one draw.
    func parameters(for query: QueryConfig, at offset: Double, using rng: inout Xoshiro256) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        var window: (start: String, end: String, dayAfterEnd: String)?
        for (name, sampler) in query.parameters {
            if let value = draw(sampler, at: offset, window: &window, using: &rng) { result.append((name, value)) }
        }
        return result
    }

    private func draw(_ sampler: ParameterSampler, at offset: Double, window: inout (start: String, end: String, dayAfterEnd: String)?,
                      using rng: inout Xoshiro256) -> String? {
        switch sampler {
        case .constant(let value):
            return value
        case .oneOf(let values):
            return values[rng.below(values.count)]
        case .seen(let column):
            return context.values.draw(column, upTo: offset, using: &rng)
        case .seenList(let column):
            var values: [String] = []
            for _ in 0...rng.below(ParameterSampler.listMax) {
                if let value = context.values.draw(column, upTo: offset, using: &rng), !values.contains(value) { values.append(value) }
            }
            return values.isEmpty ? nil : values.joined(separator: ",")
        case .sometimes(let inner, let omitRate):
            return rng.unit() < omitRate ? nil : draw(inner, at: offset, window: &window, using: &rng)
        case .windowStart, .windowEnd, .windowStartDate, .windowEndDate, .windowStartMillis, .windowEndMillis:
            if window == nil { window = context.values.window(upTo: offset, using: &rng) }
            guard let window else { return nil }
            switch sampler {
            case .windowStart: return window.start
            case .windowEnd: return window.end
            case .windowStartDate: return String(window.start.prefix(10))
            // The day after: a date bound compared with a DateTime (`hour BETWEEN {{Date(from)}} AND
            // {{Date(to)}}`) covers the end day's hours only so, and a Date column loses nothing.
            case .windowEndDate: return window.dayAfterEnd
            case .windowStartMillis: return window.start + ".000"
            default: return window.end + ".000"
            }
        }
    }
}
