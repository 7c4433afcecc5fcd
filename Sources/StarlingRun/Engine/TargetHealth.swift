import Synchronization

/// Notices a target that stopped answering: when every request for `window` has failed below HTTP
/// (connection refused, reset, closed before any answer) — with at least `minimumFailures` of them
/// and not one HTTP answer in between — the target is lost since the first of them. Slow answers and
/// HTTP errors (a 503 storm) are answers: not lost.
final class TargetHealth: Sendable {
    struct State {
        var failingSince: UInt64?
        var failures = 0
        var lastReason = ""
    }

    let window: UInt64
    let minimumFailures: Int
    let runStart: UInt64
    private let state = Mutex(State())
    /// Whether failures are being counted: answers take the lock only then (they are most requests).
    private let failing = Atomic<Bool>(false)

    init(window: Double, minimumFailures: Int = 3, runStart: UInt64) {
        self.window = UInt64(window * 1e9)
        self.minimumFailures = minimumFailures
        self.runStart = runStart
    }

    /// An HTTP answer arrived (whatever its status).
    func answered() {
        guard failing.load(ordering: .relaxed) else { return }
        state.withLock { s in
            s = State()
            failing.store(false, ordering: .relaxed)
        }
    }

    /// A request failed below HTTP at `now`; returns the stop reason once the target counts as lost.
    func failed(_ reason: String, at now: UInt64) -> StopReason? {
        state.withLock { s in
            failing.store(true, ordering: .relaxed)
            if s.failingSince == nil { s.failingSince = now }
            s.failures += 1
            s.lastReason = reason
            return verdict(s, at: now)
        }
    }

    /// The stop reason when the target counts as lost at `now` (the monitor asks every second, so a
    /// loss is noticed even while every worker sleeps in a retry backoff).
    func check(at now: UInt64) -> StopReason? {
        state.withLock { verdict($0, at: now) }
    }

    private func verdict(_ s: State, at now: UInt64) -> StopReason? {
        guard let since = s.failingSince, s.failures >= minimumFailures, now &- since >= window else { return nil }
        return .targetLost(sinceSeconds: since > runStart ? Double(since - runStart) / 1e9 : 0, reason: s.lastReason)
    }
}
