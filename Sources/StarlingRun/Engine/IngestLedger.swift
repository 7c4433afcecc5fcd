import Synchronization

/// Where every generated event ended up. Each event is counted in exactly one bucket, so the
/// buckets sum to `generated`; `balanced` checks it.
public struct LedgerCounts: Codable, Sendable, Equatable {
    public var generated = 0
    /// Written, per the server's `successful_rows` in a 2xx answer.
    public var acknowledged = 0
    /// Accepted into the datasource's quarantine table (`quarantined_rows`).
    public var quarantined = 0
    /// Refused with a status that must not be retried (400, 403, 404, 422), or rows the server's
    /// answer did not account for.
    public var rejected = 0
    /// Still failing when the retry policy gave up (5xx, 429 or connection errors).
    public var failed = 0
    /// Generated but never sent because the run was stopped.
    public var notSent = 0
    /// Not a bucket: events resent after a send that may have been processed (counted once per
    /// resend), so the target may hold them more than once (the settle check then finds more rows
    /// than acknowledged). Failed batches that may have landed are marked in the dead letter.
    /// Absent from summaries written before it was added.
    public var possiblyDuplicated: Int? = 0

    public init() {}

    public var accounted: Int { acknowledged + quarantined + rejected + failed + notSent }
    public var balanced: Bool { accounted == generated }
    /// Events that did not land (the dead-letter file holds exactly these).
    public var undelivered: Int { rejected + failed + notSent }
}

/// The run's ledger, updated by the generator and the ingest workers (atomic counters).
public final class IngestLedger: Sendable {
    private let generated = Atomic<Int>(0)
    private let acknowledged = Atomic<Int>(0)
    private let quarantined = Atomic<Int>(0)
    private let rejected = Atomic<Int>(0)
    private let failed = Atomic<Int>(0)
    private let notSent = Atomic<Int>(0)
    private let possiblyDuplicated = Atomic<Int>(0)
    private let landed = Mutex<[String: Int]>([:])

    public init() {}

    /// Counts rows written to `datasource` (acknowledged, not quarantined): what the target must hold.
    public func recordLanded(_ count: Int, datasource: String) {
        guard count > 0 else { return }
        landed.withLock { $0[datasource, default: 0] += count }
    }

    /// Acknowledged rows per datasource.
    public var landedByDatasource: [String: Int] { landed.withLock { $0 } }

    public enum Bucket: Sendable {
        case acknowledged, quarantined, rejected, failed, notSent

        /// The name used in files (`deadletter/batches.ndjson`).
        public var code: String {
            switch self {
            case .acknowledged: return "acknowledged"
            case .quarantined: return "quarantined"
            case .rejected: return "rejected"
            case .failed: return "failed"
            case .notSent: return "not_sent"
            }
        }
    }

    /// Counts events sent again after a send that may have been processed (the connection broke
    /// after the request went out): the target may hold them twice.
    public func recordPossiblyDuplicated(_ count: Int) { possiblyDuplicated.add(count, ordering: .relaxed) }

    public func recordGenerated(_ count: Int) { generated.add(count, ordering: .relaxed) }

    public func record(_ count: Int, in bucket: Bucket) {
        guard count > 0 else { return }
        switch bucket {
        case .acknowledged: acknowledged.add(count, ordering: .relaxed)
        case .quarantined: quarantined.add(count, ordering: .relaxed)
        case .rejected: rejected.add(count, ordering: .relaxed)
        case .failed: failed.add(count, ordering: .relaxed)
        case .notSent: notSent.add(count, ordering: .relaxed)
        }
    }

    public var counts: LedgerCounts {
        var c = LedgerCounts()
        c.generated = generated.load(ordering: .relaxed)
        c.acknowledged = acknowledged.load(ordering: .relaxed)
        c.quarantined = quarantined.load(ordering: .relaxed)
        c.rejected = rejected.load(ordering: .relaxed)
        c.failed = failed.load(ordering: .relaxed)
        c.notSent = notSent.load(ordering: .relaxed)
        c.possiblyDuplicated = possiblyDuplicated.load(ordering: .relaxed)
        return c
    }
}
