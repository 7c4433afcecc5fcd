import StarlingSim
import Synchronization

/// Values seen in the events sent so far, for query parameters that exist in the data: per column a
/// uniform reservoir sample (Vitter's algorithm R) of at most `capacity` values, and the time range.
public final class SampleReservoir: Sendable {
    struct State: Sendable {
        var values: [String: [String]] = [:]
        var seen: [String: Int] = [:]
        var earliest = Int64.max
        var latest = Int64.min
        var rng = Xoshiro256(seed: 0x5EED)
    }

    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int = 512) {
        self.capacity = capacity
    }

    /// Adds the values of `columns` from a batch of events (one lock per batch).
    public func add(_ events: [GeneratedEvent], columns: [String]) {
        guard !events.isEmpty else { return }
        state.withLock { s in
            for event in events {
                s.earliest = min(s.earliest, event.time)
                s.latest = max(s.latest, event.time)
                for column in columns {
                    guard let value = event.value(ofColumn: column) else { continue }
                    let n = s.seen[column, default: 0]
                    s.seen[column] = n + 1
                    if n < capacity {
                        s.values[column, default: []].append(value)
                    } else {
                        let slot = s.rng.below(n + 1)
                        if slot < capacity { s.values[column]?[slot] = value }
                    }
                }
            }
        }
    }

    /// A value for `sampler`, drawn with `rng`; nil when nothing of that column was sent yet.
    public func draw(_ sampler: ParameterSampler, using rng: inout Xoshiro256) -> String? {
        switch sampler {
        case .constant(let value): return value
        case .oneOf(let values): return values[rng.below(values.count)]
        case .seen(let column):
            return state.withLock { s in
                guard let values = s.values[column], !values.isEmpty else { return nil }
                return values[rng.below(values.count)]
            }
        case .windowStart, .windowEnd:
            return nil  // drawn as a pair by `window(using:)`
        }
    }

    /// A random window [start, end] inside the time range sent so far, formatted for DateTime params.
    public func window(using rng: inout Xoshiro256) -> (start: String, end: String)? {
        let range: (Int64, Int64)? = state.withLock { s in s.earliest <= s.latest ? (s.earliest, s.latest) : nil }
        guard let (earliest, latest) = range else { return nil }
        let span = max(latest - earliest, 1)
        let a = earliest + Int64(rng.below(Int(span)))
        let b = a + Int64(rng.below(Int(latest - a) + 1))
        return (formatTimestamp(a), formatTimestamp(b))
    }
}
