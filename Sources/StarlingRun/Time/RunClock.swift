import Dispatch
import Foundation

/// The engine's one source of time and its one way to wait. Every loop of a run reads `now()` from
/// it, sleeps through it and parks on it, so a test can swap the real clock for a `VirtualClock`
/// and run a 20-second schedule in milliseconds with exact, repeatable timings.
///
/// Times are monotonic nanoseconds; `wallNow()` is the Unix time (ns) of the same instant, for
/// event timestamps and report headers.
public protocol RunClock: Sendable {
    func now() -> UInt64
    func wallNow() -> Int64
    /// Blocks the calling thread until `wakeup` is signalled (true) or `deadline` passes (false).
    /// May return early without either (a spurious wakeup): callers re-check their condition.
    func park(_ wakeup: Wakeup, until deadline: UInt64?) -> Bool
    /// Wakes the thread parked on `wakeup`, or makes its next `park` return at once.
    func unpark(_ wakeup: Wakeup)
    /// Sleeps until `deadline`, or less if `cancellation` is cancelled meanwhile.
    func sleep(until deadline: UInt64, unless cancellation: RunCancellation?)
    /// Runs `body` on a new thread (1 MiB stack) that the clock accounts for.
    func spawn(_ body: @escaping @Sendable () -> Void)
}

/// A parking spot for one waiting thread (see `RunClock.park`). Made fresh for each wait.
public final class Wakeup: Sendable {
    let semaphore = DispatchSemaphore(value: 0)

    public init() {}
}

/// The real clock: `CLOCK_MONOTONIC` and `CLOCK_REALTIME`, absolute-deadline sleeps.
public struct SystemClock: RunClock {
    public init() {}

    public func now() -> UInt64 { MonotonicClock.now() }

    public func wallNow() -> Int64 { MonotonicClock.wallNow() }

    public func park(_ wakeup: Wakeup, until deadline: UInt64?) -> Bool {
        guard let deadline else {
            wakeup.semaphore.wait()
            return true
        }
        // libdispatch's uptime clock is CLOCK_MONOTONIC on Linux, the same as `now()`.
        return wakeup.semaphore.wait(timeout: DispatchTime(uptimeNanoseconds: deadline)) == .success
    }

    public func unpark(_ wakeup: Wakeup) {
        wakeup.semaphore.signal()
    }

    /// `clock_nanosleep` to the absolute deadline in slices of at most 50 ms, so a cancellation is
    /// seen within 50 ms while the deadline itself is met to tens of microseconds.
    public func sleep(until deadline: UInt64, unless cancellation: RunCancellation?) {
        while cancellation?.isCancelled != true {
            let now = MonotonicClock.now()
            if now >= deadline { return }
            MonotonicClock.sleep(until: Swift.min(deadline, now + 50_000_000))
        }
    }

    public func spawn(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.stackSize = 1 << 20
        thread.start()
    }
}
