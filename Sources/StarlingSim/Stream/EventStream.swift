/// The time-ordered event stream of one datasource: sessions start as a non-homogeneous Poisson
/// process (rate = peak × the model's intensity, per minute of the week: `ArrivalCalendar`), each session's events come
/// from its own random stream, and a timing wheel (`OpenSessions`) merges overlapping sessions into one order:
/// (time, session index, position in session). That order is total, so the stream is reproducible.
public struct EventStream<Model: DomainModel> {
    public internal(set) var model: Model
    public let seed: UInt64
    public let shard: ShardSpec
    /// Events at or after this Unix second are not produced (nil: no end).
    public let end: Int64?

    var arrivals: Xoshiro256
    /// Start of the next session, in fractional Unix seconds.
    var nextArrival: Double {
        didSet { arrivalSecond = Self.arrivalSecond(of: nextArrival, end: end) }
    }
    /// The second of the next session's start, and whether no session starts any more: asked for
    /// every event, so kept with `nextArrival` rather than computed from it each time.
    var arrivalSecond: (second: Int64, done: Bool) = (.max, true)
    var nextSession = 0
    var pending: OpenSessions<Model.Record>
    /// The newest session's events, generated into this reused array; those from `cursor` on are not
    /// emitted yet. They are emitted from here while they come first, and only what is left when the
    /// next session is generated moves into `pending` (see `nextRecordAndOwner`).
    var scratch: [Model.Record] = []
    var cursor = 0
    /// The newest session's owner (valid while `cursor < scratch.count`).
    var cursorOwner = 0
    /// The week's arrival rate, minute by minute, from the model's intensity, and where the last
    /// arrival was in it.
    var calendar: ArrivalCalendar

    /// Events produced so far, in all shards (the global position in the stream).
    public private(set) var produced = 0

    public init(model: Model, seed: UInt64, start: Int64, end: Int64? = nil, shard: ShardSpec = .whole) {
        self.model = model
        self.seed = seed
        self.shard = shard
        self.end = end
        arrivals = Xoshiro256(seed: seed, stream: StreamTag("arrivals"), index: 0)
        calendar = ArrivalCalendar(perSecond: model.peakSessionsPerSecond, start: start, intensity: model.intensity(secondOfWeek:))
        pending = OpenSessions(start: start)
        nextArrival = Double(start)
        nextArrival = drawArrival()
        arrivalSecond = Self.arrivalSecond(of: nextArrival, end: end)  // (no didSet in an initializer)
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

    static func arrivalSecond(of arrival: Double, end: Int64?) -> (second: Int64, done: Bool) {
        let second = arrival < 9e15 ? floor(arrival) : Int64.max
        return (second, second == .max || end.map { second >= $0 } ?? false)
    }

    /// The next event of the whole stream as the model's record, with the shard that owns it.
    ///
    /// The next event is the earliest by (time, session index, position) of those generated, once it
    /// is no later than the next session's start (a later session's events are at or after its start,
    /// and it sorts after every session before it). The newest session is the highest index: its next
    /// event comes before the wheel's earliest only when strictly earlier. It stays in `scratch` and
    /// is emitted from there while it comes first — in the seed domains sessions rarely overlap much,
    /// so most events never pass through the wheel (a store visit never does); what is left of it
    /// moves to the wheel only when the next session is generated into `scratch`.
    mutating func nextRecordAndOwner() -> (record: Model.Record, owner: Int)? {
        while true {
            let (arrivalSecond, arrivalsDone) = self.arrivalSecond
            let waitingTime = pending.nextTime
            if cursor < scratch.count {
                let record = scratch[cursor]
                if record.time < waitingTime, record.time <= arrivalSecond || arrivalsDone {
                    if let end, record.time >= end { return nil }
                    cursor += 1
                    produced += 1
                    return (record, cursorOwner)
                }
            }
            if waitingTime != .max, waitingTime <= arrivalSecond || arrivalsDone {
                if let end, waitingTime >= end { return nil }
                produced += 1
                return pending.pop()
            }
            if arrivalsDone { return nil }
            generateSession()
        }
    }

    /// Generates the next session into `scratch` (what is left of the previous one moves to the
    /// open sessions) and draws the arrival after it.
    @inline(__always)
    mutating func generateSession() {
        if cursor < scratch.count {
            pending.add(events: scratch[cursor...], owner: cursorOwner)
        }
        // Not `removeAll(keepingCapacity:)`: that is the generic `replaceSubrange`, ~70
        // instructions per session (a store visit is a session of one event).
        while scratch.popLast() != nil {}
        cursor = 0
        let entity = model.session(index: nextSession, start: arrivalSecond.second, seed: seed, into: &scratch)
        cursorOwner = shard.owner(of: entity)
        nextSession += 1
        nextArrival = drawArrival()
        if !arrivalSecond.done { model.prepare(index: nextSession, start: arrivalSecond.second, seed: seed) }
    }

    /// Generates every session arriving before `limit` now, into the open sessions, handing each one's
    /// records to `each` (e-commerce linked to journeys looks ahead at the customers' visits). Changes
    /// nothing in what the stream produces: the sessions would be generated in the same order later.
    mutating func generateArrivals(before limit: Int64, each: (ArraySlice<Model.Record>) -> Void) {
        while !arrivalSecond.done, arrivalSecond.second < limit {
            generateSession()
            each(scratch[...])
        }
    }

    /// The next event this shard owns.
    public mutating func next() -> Model.Event? {
        while let (event, owned) = nextEvent() {
            if owned { return event }
        }
        return nil
    }

    /// The next session's start: an exponential draw of mean 1 is how many sessions the calendar
    /// expects between the previous one and it.
    @inline(__always)
    mutating func drawArrival() -> Double {
        calendar.next(count: Distribution.exponential(mean: 1, using: &arrivals))
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
