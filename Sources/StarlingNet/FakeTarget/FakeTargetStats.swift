import Synchronization

/// What a `FakeTarget` has seen so far.
public struct FakeTargetStats: Sendable, Equatable {
    /// Requests read completely (dropped ones included).
    public var requests: Int
    /// TCP connections accepted.
    public var connections: Int
    /// Requests answered by closing the connection.
    public var dropped: Int
    /// `/v0/events` requests answered with success.
    public var eventRequests: Int
    /// NDJSON rows in successfully answered `/v0/events` requests.
    public var eventRows: Int
    /// Requests held by a stall window.
    public var stalledRequests: Int
    /// The longest a held request was answered after its stall window ended, in nanoseconds: the
    /// server's own delay in draining the backlog (wake-up and sending), which a stall model that
    /// answers at the window's end does not include.
    public var stallReleaseLagNanoseconds: Int
}

final class FakeTargetCounters: Sendable {
    let requests = Atomic<Int>(0)
    let connections = Atomic<Int>(0)
    let dropped = Atomic<Int>(0)
    let eventRequests = Atomic<Int>(0)
    let eventRows = Atomic<Int>(0)
    let stalledRequests = Atomic<Int>(0)
    let stallReleaseLag = Atomic<Int>(0)
    /// NDJSON bodies of acknowledged `/v0/events` requests, when the behavior asks to keep them.
    let acknowledgedBodies = Mutex<[[UInt8]]>([])
    /// Paths (with query strings) of `/v0/pipes/` requests in arrival order, when asked to keep them.
    let pipeRequests = Mutex<[String]>([])

    func snapshot() -> FakeTargetStats {
        FakeTargetStats(requests: requests.load(ordering: .acquiring),
                        connections: connections.load(ordering: .acquiring),
                        dropped: dropped.load(ordering: .acquiring),
                        eventRequests: eventRequests.load(ordering: .acquiring),
                        eventRows: eventRows.load(ordering: .acquiring),
                        stalledRequests: stalledRequests.load(ordering: .acquiring),
                        stallReleaseLagNanoseconds: stallReleaseLag.load(ordering: .acquiring))
    }
}
