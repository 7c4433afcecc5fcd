import Glibc

/// Nanosecond clocks for the send loops: a monotonic clock for schedules and latencies, and the
/// mapping from it to wall-clock Unix time for event timestamps in live runs.
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary point (CLOCK_MONOTONIC; never jumps).
    @inlinable
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Wall-clock Unix time in nanoseconds (CLOCK_REALTIME).
    public static func wallNow() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Sleeps until the monotonic instant `deadline` (`clock_nanosleep` with TIMER_ABSTIME, retried
    /// on EINTR): deadlines come from the schedule, never from "now", so sleeping does not drift.
    public static func sleep(until deadline: UInt64) {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }
}
