import Foundation
import Synchronization

/// A clock for tests: time stands still while any thread of the run is working, and jumps to the
/// earliest deadline as soon as every thread it knows is parked or sleeping (as NIO's
/// `EmbeddedEventLoop.advanceTime` does, but driven by the run's own threads). Work therefore takes
/// no virtual time, and a schedule of 20 s with 1 s stalls finishes in milliseconds of real time
/// with exact latencies.
///
/// Every thread that waits must wait through the clock (`park`, `sleep`) and be started with
/// `spawn`; the thread that creates the clock counts as running until it calls `detach()`.
public final class VirtualClock: RunClock {
    struct Parked {
        var wakeup: Wakeup
        var deadline: UInt64?
    }

    struct State {
        var now: UInt64
        var running = 1
        var parked: [ObjectIdentifier: Parked] = [:]
        var permits: Set<ObjectIdentifier> = []
        var outcomes: [ObjectIdentifier: Bool] = [:]
    }

    let wallBase: Int64
    let startNanos: UInt64
    private let state: Mutex<State>

    /// A clock reading `start` monotonic nanoseconds and `wall` Unix nanoseconds.
    public init(start: UInt64 = 1_000_000_000, wall: Int64 = 1_747_000_000_000_000_000) {
        startNanos = start
        wallBase = wall
        state = Mutex(State(now: start))
    }

    public func now() -> UInt64 { state.withLock { $0.now } }

    public func wallNow() -> Int64 {
        let now = self.now()
        return wallBase + Int64(now - startNanos)
    }

    /// Moves time forward by hand (for state machines tested without threads).
    public func advance(by nanoseconds: UInt64) {
        let woken = state.withLock { s -> [Wakeup] in
            s.now += nanoseconds
            return Self.wakeDue(&s)
        }
        woken.forEach { $0.semaphore.signal() }
    }

    /// The creating thread stops counting as running (call before it waits on anything else).
    public func detach() {
        let woken = state.withLock { s -> [Wakeup] in
            s.running -= 1
            return Self.advanceIfIdle(&s)
        }
        woken.forEach { $0.semaphore.signal() }
    }

    public func park(_ wakeup: Wakeup, until deadline: UInt64?) -> Bool {
        let id = ObjectIdentifier(wakeup)
        let (immediate, woken) = state.withLock { s -> (Bool?, [Wakeup]) in
            if s.permits.remove(id) != nil { return (true, []) }
            if let deadline, deadline <= s.now { return (false, []) }
            s.parked[id] = Parked(wakeup: wakeup, deadline: deadline)
            s.running -= 1
            return (nil, Self.advanceIfIdle(&s))
        }
        if let immediate { return immediate }
        woken.forEach { $0.semaphore.signal() }
        wakeup.semaphore.wait()
        return state.withLock { $0.outcomes.removeValue(forKey: id) ?? true }
    }

    public func unpark(_ wakeup: Wakeup) {
        let id = ObjectIdentifier(wakeup)
        let wake = state.withLock { s -> Bool in
            guard s.parked.removeValue(forKey: id) != nil else {
                s.permits.insert(id)
                return false
            }
            s.running += 1
            s.outcomes[id] = true
            return true
        }
        if wake { wakeup.semaphore.signal() }
    }

    public func sleep(until deadline: UInt64, unless cancellation: RunCancellation?) {
        let wakeup = Wakeup()
        guard cancellation?.register(wakeup, clock: self) != false else { return }
        defer { cancellation?.unregister(wakeup) }
        while now() < deadline && cancellation?.isCancelled != true {
            _ = park(wakeup, until: deadline)
        }
    }

    public func spawn(_ body: @escaping @Sendable () -> Void) {
        state.withLock { $0.running += 1 }
        let thread = Thread { [self] in
            body()
            let woken = state.withLock { s -> [Wakeup] in
                s.running -= 1
                return Self.advanceIfIdle(&s)
            }
            woken.forEach { $0.semaphore.signal() }
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// With every thread parked, jumps to the earliest deadline and wakes whoever is due.
    private static func advanceIfIdle(_ s: inout State) -> [Wakeup] {
        guard s.running == 0, let next = s.parked.values.compactMap(\.deadline).min() else { return [] }
        s.now = max(s.now, next)
        return wakeDue(&s)
    }

    private static func wakeDue(_ s: inout State) -> [Wakeup] {
        let due = s.parked.filter { $0.value.deadline.map { $0 <= s.now } ?? false }
        for (id, _) in due {
            s.parked.removeValue(forKey: id)
            s.outcomes[id] = false
            s.running += 1
        }
        return due.values.map(\.wakeup)
    }
}
