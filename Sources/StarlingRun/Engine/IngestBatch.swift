/// A closed batch of one datasource's events, ready to send.
public struct IngestBatch: Sendable {
    public var datasource: String
    /// The NDJSON lines, uncompressed (what a retry resends and what the dead letter keeps).
    public var body: [UInt8]
    public var events: Int
    /// Monotonic nanoseconds at which the schedule intended to send it.
    public var intendedNanos: UInt64
    /// Freshness probes among its events: the probe's id in the run's `FreshnessTracker` and the
    /// line it is on (so a split batch knows which half carries it).
    public var probes: [(id: Int, line: Int)] = []
}

extension Array where Element == UInt8 {
    /// Splits NDJSON at the newline nearest the middle: two bodies of whole lines, or nil for one line.
    func splitLines() -> (first: [UInt8], firstLines: Int, second: [UInt8], secondLines: Int)? {
        let middle = count / 2
        var cut = middle
        while cut < count, self[cut - 1 < 0 ? 0 : cut - 1] != UInt8(ascii: "\n") { cut += 1 }
        if cut >= count {
            cut = middle
            while cut > 0, self[cut - 1] != UInt8(ascii: "\n") { cut -= 1 }
        }
        guard cut > 0, cut < count else { return nil }
        let first = Array(self[..<cut])
        let second = Array(self[cut...])
        return (first, first.lineCount, second, second.lineCount)
    }

    var lineCount: Int { self.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } }
}
