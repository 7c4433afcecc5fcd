/// How an event's timestamp is chosen.
public enum EventTimeMode: String, Sendable, CaseIterable {
    /// The generator's own simulated time: start + offset. Reproducible.
    case simulated
    /// The moment the event is written (for load runs against a live API): `now` from the caller.
    case live
    /// Simulated time over a historical window, sent as fast as allowed.
    case backfill
}

/// Maps elapsed wall time to simulated time: `start + speed × elapsed`. Pure: the caller supplies
/// the elapsed time, so tests drive it without sleeping.
public struct SimulatedClock: Equatable, Sendable {
    /// Unix seconds of the simulation's start.
    public var start: Int64
    /// Simulated seconds per wall second (1 = real time, 60 = a minute per second).
    public var speed: Double

    public init(start: Int64, speed: Double = 1) {
        self.start = start
        self.speed = speed
    }

    /// Simulated Unix seconds after `elapsed` wall seconds.
    public func simulatedTime(afterWallSeconds elapsed: Double) -> Int64 {
        start + Int64((elapsed * speed).rounded(.down))
    }

    /// Wall seconds after which simulated time reaches `time` (its pacing deadline).
    public func wallSeconds(untilSimulated time: Int64) -> Double {
        speed > 0 ? Double(time - start) / speed : 0
    }
}
