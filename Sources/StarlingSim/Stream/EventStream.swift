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
    var pending = OpenSessions<Model.Event>()
    var scratch: [Model.Event] = []
    /// The model's intensity at `intensitySecond`: a pure function of the second, and at high rates
    /// many candidate arrivals share one, so it is computed once per second.
    var intensitySecond = Int64.min
    var intensityValue = 0.0

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
    @inline(__always)
    public mutating func nextEvent() -> (event: Model.Event, owned: Bool)? {
        guard let (event, owner) = nextEventAndOwner() else { return nil }
        return (event, owner == shard.index)
    }

    /// The next event of the whole stream, with the shard that owns it; nil when past `end`.
    public mutating func nextEventAndOwner() -> (event: Model.Event, owner: Int)? {
        while true {
            let arrivalSecond = nextArrival < 9e15 ? Int64(nextArrival.rounded(.down)) : Int64.max
            let arrivalsDone = arrivalSecond == .max || end.map { arrivalSecond >= $0 } ?? false
            if let top = pending.peekTime, top <= arrivalSecond || arrivalsDone {
                if let end, top >= end { return nil }
                produced += 1
                return pending.pop()
            }
            if arrivalsDone { return nil }
            scratch.removeAll(keepingCapacity: true)
            let entity = model.session(index: nextSession, start: arrivalSecond, seed: seed, into: &scratch)
            pending.add(session: nextSession, events: scratch, owner: shard.owner(of: entity))
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
            let second = Int64(time.rounded(.down))
            if second != intensitySecond {
                intensitySecond = second
                intensityValue = model.intensity(at: second)
            }
            if arrivals.unit() < intensityValue { return time }
        }
        return .infinity
    }
}

/// Sessions whose events are not all emitted yet, merged by a binary min-heap on each session's
/// next event: (time, session index). A session's events stay in their slot (reused, never moved);
/// the heap holds only small plain keys, one per open session.
struct OpenSessions<Event: DomainEvent>: Sendable {
    struct Key: Sendable {
        var time: Int64
        var session: Int
        var slot: Int

        func precedes(_ other: Key) -> Bool {
            time != other.time ? time < other.time : session < other.session
        }
    }

    private var heap: [Key] = []
    private var slots: [[Event]] = []
    private var cursors: [Int] = []
    private var owners: [Int] = []
    private var freeSlots: [Int] = []

    var peekTime: Int64? { heap.first?.time }
    var isEmpty: Bool { heap.isEmpty }

    /// Adds a session's events (in time order); an empty session is ignored.
    mutating func add(session: Int, events: [Event], owner: Int) {
        guard let first = events.first else { return }
        let slot: Int
        if let reused = freeSlots.popLast() {
            slot = reused
            slots[slot].append(contentsOf: events)
            cursors[slot] = 0
            owners[slot] = owner
        } else {
            slot = slots.count
            slots.append(events)
            cursors.append(0)
            owners.append(owner)
        }
        push(Key(time: first.time, session: session, slot: slot))
    }

    /// Removes and returns the earliest pending event; the heap must not be empty.
    mutating func pop() -> (event: Event, owner: Int) {
        let key = heap[0]
        let slot = key.slot
        let event = slots[slot][cursors[slot]]
        cursors[slot] += 1
        if cursors[slot] < slots[slot].count {
            heap[0].time = slots[slot][cursors[slot]].time
            siftDown(0)
        } else {
            slots[slot].removeAll(keepingCapacity: true)
            freeSlots.append(slot)
            heap.swapAt(0, heap.count - 1)
            heap.removeLast()
            if !heap.isEmpty { siftDown(0) }
        }
        return (event, owners[slot])
    }

    private mutating func push(_ key: Key) {
        heap.append(key)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count, heap[left + 1].precedes(heap[left]) { smallest = left + 1 }
            guard heap[smallest].precedes(heap[parent]) else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
