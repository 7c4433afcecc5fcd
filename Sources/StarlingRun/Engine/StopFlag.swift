import Dispatch
import Glibc
import Synchronization

/// Set when the run must stop early (SIGINT/SIGTERM or a fatal target error). Checked by the loops;
/// the schedule stops, in-flight requests drain, results are still written.
public final class StopFlag: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let why = Mutex<String?>(nil)

    public init() {}

    public var isSet: Bool { stopped.load(ordering: .acquiring) }
    public var reason: String? { why.withLock { $0 } }

    public func stop(_ reason: String) {
        why.withLock { if $0 == nil { $0 = reason } }
        stopped.store(true, ordering: .releasing)
    }

    /// Sleeps until `deadline` (monotonic ns) or until the flag is set, in slices of at most 50 ms.
    public func sleep(until deadline: UInt64) {
        while !isSet {
            let now = MonotonicClock.now()
            if now >= deadline { return }
            MonotonicClock.sleep(until: Swift.min(deadline, now + 50_000_000))
        }
    }

    /// Sets the flag on SIGINT or SIGTERM for as long as the returned sources live.
    public func installSignalHandlers() -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { @Sendable [self] in
                self.stop(number == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)")
            }
            source.resume()
            return source
        }
    }
}
