import Synchronization

/// Threads started through the run's clock, joined with an optional deadline.
public final class ThreadGroup: Sendable {
    let clock: any RunClock
    private let state = Mutex<(running: Int, waiters: [Wakeup])>((0, []))

    public init(clock: any RunClock) {
        self.clock = clock
    }

    public func spawn(_ body: @escaping @Sendable () -> Void) {
        state.withLock { $0.running += 1 }
        clock.spawn { [self] in
            body()
            let waiters = state.withLock { s -> [Wakeup] in
                s.running -= 1
                guard s.running == 0 else { return [] }
                defer { s.waiters.removeAll() }
                return s.waiters
            }
            waiters.forEach(clock.unpark)
        }
    }

    /// Waits until every thread finished (true) or `deadline` passed (false).
    @discardableResult
    public func wait(until deadline: UInt64? = nil) -> Bool {
        while true {
            let wakeup = Wakeup()
            let done = state.withLock { s -> Bool in
                if s.running == 0 { return true }
                s.waiters.append(wakeup)
                return false
            }
            if done { return true }
            if !clock.park(wakeup, until: deadline), let deadline, clock.now() >= deadline {
                state.withLock { s in s.waiters.removeAll { $0 === wakeup } }
                return state.withLock { $0.running == 0 }
            }
        }
    }
}
