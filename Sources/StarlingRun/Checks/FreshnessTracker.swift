import StarlingMetrics
import StarlingSim
import Synchronization

/// Freshness probes: some of the events sent are watched until a query sees them. Each probe's
/// visibility latency is measured from its batch's intended send time and from its acknowledgement.
public final class FreshnessTracker: Sendable {
    struct Probe: Sendable {
        var datasource: String
        var key: String
        var intended: UInt64 = 0
        var acknowledged: UInt64?
        var visible: UInt64?
        /// Its event did not land (rejected, failed, not sent): never waited for.
        var abandoned = false
    }

    private let probes = Mutex<[Probe]>([])
    let timeoutNanos: UInt64

    public init(timeout: Double) {
        timeoutNanos = UInt64(timeout * 1e9)
    }

    /// The SQL expression that identifies one event of each datasource.
    static func keyExpression(_ datasource: String) -> String {
        switch datasource {
        case "store_visits": return "visit_id"
        case "customer_touchpoints": return "touchpoint_id"
        default: return "concat(session_id, '|', toString(event_time), '|', event_type, '|', product_id)"
        }
    }

    /// The key of an event, as `keyExpression` computes it on the target; nil for a spec-described
    /// datasource, whose rows have no key Starling knows (not probed).
    static func key(of event: GeneratedEvent) -> String? {
        switch event {
        case .row: return nil
        case .visit(let e): return e.visitID
        case .touchpoint(let e): return e.touchpointID
        case .commerce(let e): return "\(e.sessionID)|\(formatTimestamp(e.time))|\(e.kind.rawValue)|\(e.productID)"
        }
    }

    /// Starts watching `event`; returns the probe's id, nil when the event cannot be probed.
    func add(datasource: String, event: GeneratedEvent) -> Int? {
        guard let key = Self.key(of: event) else { return nil }
        return probes.withLock { all in
            all.append(Probe(datasource: datasource, key: key))
            return all.count - 1
        }
    }

    func setIntended(_ ids: [Int], _ nanos: UInt64) {
        guard !ids.isEmpty else { return }
        probes.withLock { all in for id in ids { all[id].intended = nanos } }
    }

    func acknowledged(_ ids: [Int], at nanos: UInt64) {
        guard !ids.isEmpty else { return }
        probes.withLock { all in for id in ids { all[id].acknowledged = nanos } }
    }

    /// The probes' events did not land: they will never be visible, so nobody waits for them.
    func abandon(_ ids: [Int]) {
        guard !ids.isEmpty else { return }
        probes.withLock { all in for id in ids { all[id].abandoned = true } }
    }

    /// Acknowledged probes not yet visible nor timed out, by datasource.
    func waiting(now: UInt64) -> [String: [(id: Int, key: String)]] {
        probes.withLock { all in
            var result: [String: [(Int, String)]] = [:]
            for (id, p) in all.enumerated() where p.acknowledged != nil && p.visible == nil && !p.abandoned && now &- p.intended < timeoutNanos {
                result[p.datasource, default: []].append((id, p.key))
            }
            return result
        }
    }

    /// Whether any acknowledged probe is still waiting.
    func hasWaiting(now: UInt64) -> Bool { !waiting(now: now).isEmpty }

    func markVisible(_ ids: [Int], at nanos: UInt64) {
        probes.withLock { all in for id in ids where all[id].visible == nil { all[id].visible = nanos } }
    }

    /// Visibility latency (µs) of the visible probes: `freshness.intended` from the intended send
    /// time, `freshness.acknowledged` from the acknowledgement (what `merge` adds across shards).
    func histograms() -> [StreamName: HDRHistogram] {
        probes.withLock { all in
            var fromIntended = HDRHistogram()
            var fromAck = HDRHistogram()
            for p in all {
                guard let visible = p.visible else { continue }
                fromIntended.record(max(1, (visible &- p.intended) / 1000))
                if let ack = p.acknowledged { fromAck.record(max(1, (visible > ack ? visible - ack : 0) / 1000)) }
            }
            return [FreshnessSummary.intendedStream: fromIntended, FreshnessSummary.acknowledgedStream: fromAck]
        }
    }

    /// The freshness section of the summary, with `completeness` from the settle phase.
    func summary(completenessSeconds: Double?) -> FreshnessSummary {
        let histograms = histograms()
        let (probes, visible) = self.probes.withLock { all in (all.count, all.filter { $0.visible != nil }.count) }
        return FreshnessSummary(probes: probes, visible: visible, histograms: histograms, completenessSeconds: completenessSeconds)
    }
}
