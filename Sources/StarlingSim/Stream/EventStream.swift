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
    var pending = PendingEvents<Model.Event>()
    var scratch: [Model.Event] = []

    /// Events produced so far, in all shards (the global position in the stream).
    public private(set) var produced = 0

    public init(model: Model, seed: UInt64, start: Int64, end: Int64? = nil, shard: ShardSpec = .whole) {
        self.model = model
        self.seed = seed
        self.shard = shard
        self.end = end
        arrivals = Xoshiro256(seed: seed, stream: StreamTag("arrivals"), index: 0)
        nextArrival = Double(start)
        nextArrival = drawArrival(after: nextArrival)
    }

    /// The next event of the whole stream, with whether this shard owns it; nil when past `end`.
    public mutating func nextEvent() -> (event: Model.Event, owned: Bool)? {
        while true {
            let arrivalSecond = nextArrival < 9e15 ? Int64(nextArrival.rounded(.down)) : Int64.max
            let arrivalsDone = arrivalSecond == .max || end.map { arrivalSecond >= $0 } ?? false
            if let top = pending.peekTime, top <= arrivalSecond || arrivalsDone {
                let entry = pending.pop()
                if let end, entry.event.time >= end { return nil }
                produced += 1
                return (entry.event, entry.owned)
            }
            if arrivalsDone { return nil }
            scratch.removeAll(keepingCapacity: true)
            let entity = model.session(index: nextSession, start: arrivalSecond, seed: seed, into: &scratch)
            let owned = shard.owns(entity: entity)
            for (position, event) in scratch.enumerated() {
                pending.push(PendingEvent(event: event, session: nextSession, position: position, owned: owned))
            }
            nextSession += 1
            nextArrival = drawArrival(after: nextArrival)
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
        // Bounded: a model closed for a whole simulated year is treated as never opening again.
        for _ in 0..<10_000_000 {
            time += Distribution.exponential(mean: 1 / peak, using: &arrivals)
            if let end, time >= Double(end) { return time }
            if arrivals.unit() < model.intensity(at: Int64(time.rounded(.down))) { return time }
        }
        return .infinity
    }
}

/// One generated event waiting in the merge heap.
struct PendingEvent<Event: DomainEvent>: Sendable {
    var event: Event
    var session: Int
    var position: Int
    var owned: Bool

    func precedes(_ other: PendingEvent) -> Bool {
        if event.time != other.event.time { return event.time < other.event.time }
        if session != other.session { return session < other.session }
        return position < other.position
    }
}

/// A binary min-heap under `PendingEvent.precedes`.
struct PendingEvents<Event: DomainEvent>: Sendable {
    private var items: [PendingEvent<Event>] = []

    var peekTime: Int64? { items.first?.event.time }
    var count: Int { items.count }

    mutating func push(_ item: PendingEvent<Event>) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes the smallest item; the heap must not be empty.
    mutating func pop() -> PendingEvent<Event> {
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < items.count else { break }
            var smallest = left
            if left + 1 < items.count, items[left + 1].precedes(items[left]) { smallest = left + 1 }
            guard items[smallest].precedes(items[parent]) else { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
