import Foundation
import StarlingChecks

/// Polls the target every 50 ms for the acknowledged probes that are not visible yet: one SQL
/// lookup per datasource per poll (`SELECT key … WHERE key IN (…)`).
struct FreshnessProber {
    let tracker: FreshnessTracker
    let queries: TargetQueries

    func run(until done: StopFlag) {
        var next = MonotonicClock.now()
        while !done.isSet {
            next += 50_000_000
            done.sleep(until: next)
            poll()
        }
    }

    func poll() {
        for (datasource, probes) in tracker.waiting(now: MonotonicClock.now()) {
            let keyExpression = FreshnessTracker.keyExpression(datasource)
            let keys = probes.prefix(200).map { "'" + $0.key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'" }
            guard let rows = try? queries.sql("SELECT \(keyExpression) AS k FROM \(datasource) WHERE k IN (\(keys.joined(separator: ",")))") else { continue }
            let now = MonotonicClock.now()
            let seen = Set(rows.compactMap { row -> String? in
                if case .string(let s)? = row["k"] { return s }
                return nil
            })
            tracker.markVisible(probes.filter { seen.contains($0.key) }.map(\.id), at: now)
        }
    }
}
