import Synchronization

/// A FIFO handing work between the run's threads, bounded by `capacity` so a producer that runs
/// ahead of its consumers blocks instead of growing memory. Blocking goes through the run's clock
/// (virtual time in tests). After `close()`, consumers get what is left, then nil.
public final class WorkQueue<Item: Sendable>: Sendable {
    private struct State {
        /// Taken items are set to nil at once, so a queue never keeps a sent batch's body alive.
        var items: [Item?] = []
        var head = 0
        var closed = false
        /// Parked consumers; the most recently parked one is woken first (it is the warmest, and a
        /// small set of busy workers switches less than a round robin over all of them).
        var consumers: [Wakeup] = []
        var producers: [Wakeup] = []

        var count: Int { items.count - head }
    }

    public let capacity: Int
    let clock: any RunClock
    private let state = Mutex(State())

    public init(capacity: Int = .max, clock: any RunClock) {
        self.capacity = max(1, capacity)
        self.clock = clock
    }

    /// Whether a producer is waiting for room right now (its consumers are the bottleneck).
    public var hasWaitingProducers: Bool { state.withLock { !$0.producers.isEmpty } }

    /// Queues `item`, waiting while the queue is full, but not past `deadline`. Returns the
    /// nanoseconds it waited for room, or nil when the deadline passed (the item was not queued).
    /// A closed queue accepts nothing more (nil at once).
    public func push(_ item: Item, until deadline: UInt64? = nil) -> UInt64? {
        var waitedSince: UInt64?
        var timedOut = false
        while true {
            // A wakeup is made only when this producer has to wait (not on the fast path).
            let (queued, consumer, wait): (Bool?, Wakeup?, Wakeup?) = state.withLock { s in
                if s.closed { return (false, nil, nil) }
                guard s.count < capacity else {
                    if timedOut { return (false, nil, nil) }
                    let wakeup = Wakeup()
                    s.producers.append(wakeup)
                    return (nil, nil, wakeup)
                }
                s.items.append(item)
                return (true, s.consumers.popLast(), nil)
            }
            if let consumer { clock.unpark(consumer) }
            if let queued {
                guard queued else { return nil }
                return waitedSince.map { clock.now() - $0 } ?? 0
            }
            guard let wait else { return nil }
            if waitedSince == nil { waitedSince = clock.now() }
            if !clock.park(wait, until: deadline), let deadline, clock.now() >= deadline {
                // One last look: a consumer may have made room (and woken us) just as time ran out.
                state.withLock { s in s.producers.removeAll { $0 === wait } }
                timedOut = true
            }
        }
    }

    /// The next item, waiting for one; nil once the queue is closed and empty.
    public func pop() -> Item? {
        while true {
            let (item, producer, done, wait): (Item?, Wakeup?, Bool, Wakeup?) = state.withLock { s in
                if s.head < s.items.count, let item = s.items[s.head] {
                    s.items[s.head] = nil
                    s.head += 1
                    if s.head > 1024 && s.head * 2 > s.items.count {
                        s.items.removeFirst(s.head)
                        s.head = 0
                    }
                    return (item, s.producers.isEmpty ? nil : s.producers.removeFirst(), false, nil)
                }
                if s.closed { return (nil, nil, true, nil) }
                let wakeup = Wakeup()
                s.consumers.append(wakeup)
                return (nil, nil, false, wakeup)
            }
            if let producer { clock.unpark(producer) }
            if let item { return item }
            if done { return nil }
            if let wait { _ = clock.park(wait, until: nil) }
        }
    }

    /// No more items will come; every waiting consumer and producer wakes up.
    public func close() {
        let waiting = state.withLock { s -> [Wakeup] in
            s.closed = true
            defer { s.consumers.removeAll(); s.producers.removeAll() }
            return s.consumers + s.producers
        }
        waiting.forEach(clock.unpark)
    }

    /// Removes and returns everything not yet taken (items that will never be sent).
    public func drain() -> [Item] {
        let (rest, producers) = state.withLock { s -> ([Item], [Wakeup]) in
            let rest = s.items[s.head...].compactMap { $0 }
            s.items.removeAll()
            s.head = 0
            defer { s.producers.removeAll() }
            return (rest, s.producers)
        }
        producers.forEach(clock.unpark)
        return rest
    }

    public var count: Int { state.withLock { $0.count } }
}
