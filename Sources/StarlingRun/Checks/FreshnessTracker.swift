import StarlingMetrics
import StarlingProject
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
    /// For each spec-described datasource that can be probed, the columns whose values make its key.
    let specKeys: [String: [String]]

    /// `datasources`: the scenario's, for the key columns of spec-described ones.
    public init(timeout: Double, datasources: [DatasourceConfig] = []) {
        timeoutNanos = UInt64(timeout * 1e9)
        var keys: [String: [String]] = [:]
        for datasource in datasources {
            if case .spec(let config) = datasource.model, let columns = Self.keyColumns(config) { keys[datasource.name] = columns }
        }
        specKeys = keys
    }

    /// The SQL expression that identifies one event of each datasource.
    func keyExpression(_ datasource: String) -> String {
        if let columns = specKeys[datasource] {
            return "concat(" + columns.map { "toString(`\($0)`)" }.joined(separator: ", '|', ") + ")"
        }
        switch datasource {
        case "store_visits": return "visit_id"
        case "customer_touchpoints": return "touchpoint_id"
        default: return "concat(session_id, '|', toString(event_time), '|', event_type, '|', product_id)"
        }
    }

    /// The key of an event, as `keyExpression` computes it on the target; nil for a spec-described
    /// datasource without key columns (not probed).
    func key(of event: GeneratedEvent, in datasource: String) -> String? {
        switch event {
        case .row(let row):
            guard let columns = specKeys[datasource] else { return nil }
            var parts: [String] = []
            for column in columns {
                guard let value = row.value(ofColumn: column) else { return nil }
                parts.append(value)
            }
            return parts.joined(separator: "|")
        case .visit(let e): return e.visitID
        case .touchpoint(let e): return e.touchpointID
        case .commerce(let e): return "\(e.sessionID)|\(formatTimestamp(e.time))|\(e.kind.rawValue)|\(e.productID)"
        }
    }

    /// The columns that find one event of a spec-described datasource on the target: a `uuid`
    /// column when there is one; otherwise the DateTime event time with every id-like column (an
    /// `entity`, a `template`). Only non-null columns whose text the target prints as Starling
    /// wrote it (String, UUID, DateTime). Nil when there is no such key, or when the engine merges
    /// rows sharing a sorting key. Rows of one entity in one
    /// second share a key, so such a probe may be seen a little early (the first of them visible).
    static func keyColumns(_ config: SpecConfig) -> [String]? {
        guard !config.schema.collapsesRows else { return nil }  // a probed row may be merged away
        let columns = zip(config.schema.columns, config.columns).filter { !$0.0.type.isNullable }
        func textual(_ type: ColumnType) -> Bool { type.base == .string || type.base == .uuid }
        if let unique = columns.first(where: { if case .uuid = $0.1 { textual($0.0.type) } else { false } }) {
            return [unique.0.name]
        }
        guard let time = columns.first(where: { if case .time = $0.1 { $0.0.type.base == .dateTime } else { false } }) else { return nil }
        let ids = columns.filter { column in
            switch column.1 {
            case .entity, .template: return textual(column.0.type)
            default: return false
            }
        }
        return ids.isEmpty ? nil : [time.0.name] + ids.map(\.0.name)
    }

    /// Starts watching `event`; returns the probe's id, nil when the event cannot be probed.
    func add(datasource: String, event: GeneratedEvent) -> Int? {
        guard let key = key(of: event, in: datasource) else { return nil }
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
    public func hasWaiting(now: UInt64) -> Bool { !waiting(now: now).isEmpty }

    func markVisible(_ ids: [Int], at nanos: UInt64) {
        probes.withLock { all in for id in ids where all[id].visible == nil { all[id].visible = nanos } }
    }

    /// Visibility latency (µs) of the visible probes: `freshness.intended` from the intended send
    /// time, `freshness.acknowledged` from the acknowledgement (what `merge` adds across shards).
    public func histograms() -> [StreamName: HDRHistogram] {
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
    public func summary(completenessSeconds: Double?) -> FreshnessSummary {
        let histograms = histograms()
        let (probes, visible) = self.probes.withLock { all in (all.count, all.filter { $0.visible != nil }.count) }
        return FreshnessSummary(probes: probes, visible: visible, histograms: histograms, completenessSeconds: completenessSeconds)
    }
}
