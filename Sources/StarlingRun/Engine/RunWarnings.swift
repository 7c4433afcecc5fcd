import Synchronization

/// Problems that do not stop a run but that the user must hear of (an interval log that cannot be
/// written, gzip turned off, a dead-letter write error, failing freshness probes): each distinct
/// warning once, with how often it happened and its first detail, in `summary.json` and on the
/// console.
public final class RunWarnings: Sendable {
    private let state = Mutex<(order: [String], counts: [String: Int], details: [String: String])>(([], [:], [:]))

    public init() {}

    /// Records `warning`; `detail` (the first one kept) says what exactly failed.
    public func add(_ warning: String, detail: String? = nil) {
        state.withLock { s in
            if s.counts[warning] == nil {
                s.order.append(warning)
                if let detail { s.details[warning] = detail }
            }
            s.counts[warning, default: 0] += 1
        }
    }

    /// Each warning, with its first detail and "(N times)" when it repeated.
    public var all: [String] {
        state.withLock { s in
            s.order.map { w in
                let count = s.counts[w, default: 1]
                return w + (s.details[w].map { ": \($0)" } ?? "") + (count > 1 ? " (\(count) times)" : "")
            }
        }
    }
}
