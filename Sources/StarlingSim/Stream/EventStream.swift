/// The time-ordered event stream of one datasource: sessions start as a non-homogeneous Poisson
/// process (rate = peak × the model's intensity, drawn by thinning), each session's events come
/// from its own random stream, and a heap merges overlapping sessions into one order:
/// (time, session index, position in session). That order is total, so the stream is reproducible.
public struct EventStream<Model: DomainModel>: Sendable {
    public private(set) var model: Model
    public let seed: UInt64
    public let shard: ShardSpec
    /// Events at or after this Unix second are not produced (nil: no end).
    public let end: Int64?

    var arrivals: Xoshiro256
    /// Start of the next session, in fractional Unix seconds.
    var nextArrival: Double
    var nextSession = 0
    var pending = OpenSessions<Model.Record>()
    var scratch: [Model.Record] = []
    /// The model's intensity at `intensitySecond`: a pure function of the second, and at high rates
    /// many candidate arrivals share one, so it is computed once per second.
    var intensitySecond = Int64.min
    var intensityValue = 0.0
    /// The first second of the day of the last candidate arrival, and whether it is a weekend day:
    /// the model's intensity is a function of the second of the day and of that, and candidates
    /// mostly stay within one day, so the calendar arithmetic is done once per day.
    var dayStart: Int64
    var weekend: Bool

    /// Events produced so far, in all shards (the global position in the stream).
    public private(set) var produced = 0

    public init(model: Model, seed: UInt64, start: Int64, end: Int64? = nil, shard: ShardSpec = .whole) {
        self.model = model
        self.seed = seed
        self.shard = shard
        self.end = end
        arrivals = Xoshiro256(seed: seed, stream: StreamTag("arrivals"), index: 0)
        dayStart = start - Int64(CivilTime.secondOfDay(epochSeconds: start))
        weekend = CivilTime.weekday(epochSeconds: start) >= 5
        nextArrival = Double(start)
        nextArrival = drawArrival(after: nextArrival)
    }

    /// The next event of the whole stream, with whether this shard owns it; nil when past `end`.
    @inline(__always)
    public mutating func nextEvent() -> (event: Model.Event, owned: Bool)? {
        guard let (event, owner) = nextEventAndOwner() else { return nil }
        return (event, owner == shard.index)
    }

    /// The next event of the whole stream, with the shard that owns it; nil when past `end`.
    public mutating func nextEventAndOwner() -> (event: Model.Event, owner: Int)? {
        guard let (record, owner) = nextRecordAndOwner() else { return nil }
        return (model.event(record), owner)
    }

    /// The second of the next session's start, and whether no session starts any more.
    var arrivalSecond: (second: Int64, done: Bool) {
        let second = nextArrival < 9e15 ? Self.floor(nextArrival) : Int64.max
        return (second, second == .max || end.map { second >= $0 } ?? false)
    }

    /// The next event of the whole stream as the model's record, with the shard that owns it.
    mutating func nextRecordAndOwner() -> (record: Model.Record, owner: Int)? {
        while true {
            let (arrivalSecond, arrivalsDone) = self.arrivalSecond
            if let top = pending.peekTime, top <= arrivalSecond || arrivalsDone {
                if let end, top >= end { return nil }
                produced += 1
                return pending.pop()
            }
            if arrivalsDone { return nil }
            scratch.removeAll(keepingCapacity: true)
            let session = nextSession
            let entity = model.session(index: session, start: arrivalSecond, seed: seed, into: &scratch)
            let owner = shard.owner(of: entity)
            nextSession += 1
            nextArrival = drawArrival(after: nextArrival)
            guard let first = scratch.first else { continue }
            // A new session's first event is normally the next of the stream: it is at the session's
            // start, every pending event is later (else it would have been popped before this session
            // was made) and the next session starts no earlier. Then it goes out without passing
            // through the heap, and only the rest of the session waits there (a one-event session,
            // every store visit, never touches it). These are the conditions on which the loop would
            // pop it next; when one fails, the whole session waits in the heap.
            let (nextSecond, nextDone) = self.arrivalSecond
            if first.time < pending.peekTime ?? .max, first.time <= nextSecond || nextDone, first.time < end ?? .max {
                pending.add(session: session, events: scratch[1...], owner: owner)
                produced += 1
                return (first, owner)
            }
            pending.add(session: session, events: scratch[...], owner: owner)
        }
    }

    /// The next event this shard owns.
    public mutating func next() -> Model.Event? {
        while let (event, owned) = nextEvent() {
            if owned { return event }
        }
        return nil
    }

    /// Thinning (Lewis and Shedler): candidates at the peak rate, each kept with probability
    /// intensity(t). Gives exactly the time-varying Poisson process the model describes.
    mutating func drawArrival(after t: Double) -> Double {
        let peak = model.peakSessionsPerSecond
        guard peak > 0 else { return .infinity }
        var time = t
        let mean = 1 / peak
        let endTime = end.map(Double.init) ?? .infinity
        // Bounded: a model closed for a whole simulated year is treated as never opening again.
        for _ in 0..<10_000_000 {
            time += Distribution.exponential(mean: mean, using: &arrivals)
            if time >= endTime { return time }
            let second = Self.floor(time)
            if second != intensitySecond {
                var secondOfDay = second - dayStart
                if secondOfDay < 0 || secondOfDay >= 86_400 {
                    secondOfDay = Int64(CivilTime.secondOfDay(epochSeconds: second))
                    dayStart = second - secondOfDay
                    weekend = CivilTime.weekday(epochSeconds: second) >= 5
                }
                intensitySecond = second
                intensityValue = model.intensity(secondOfDay: Int(secondOfDay), weekend: weekend)
            }
            if arrivals.unit() < intensityValue { return time }
        }
        return .infinity
    }

    /// `Int64(time.rounded(.down))` without a call to libm's `floor` (x86-64 without SSE 4.1 has no
    /// instruction for it), for every candidate arrival: truncation, one less for a negative
    /// fraction.
    @inline(__always)
    static func floor(_ time: Double) -> Int64 {
        let truncated = Int64(time)
        return Double(truncated) > time ? truncated - 1 : truncated
    }
}
