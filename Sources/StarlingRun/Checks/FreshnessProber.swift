import Foundation
import StarlingChecks
import StarlingJSON

/// Polls the target every 50 ms for the acknowledged probes that are not visible yet: one SQL
/// lookup per datasource per poll (`SELECT key … WHERE key IN (…)`). A failing poll is retried at
/// the next tick and counted; the summary warns when polls failed.
public struct FreshnessProber: Sendable {
    let tracker: FreshnessTracker
    let queries: TargetQueries
    let warnings: RunWarnings

    public init(tracker: FreshnessTracker, queries: TargetQueries, warnings: RunWarnings) {
        self.tracker = tracker
        self.queries = queries
        self.warnings = warnings
    }

    public func run(until done: RunCancellation) {
        let clock = queries.clock
        var next = clock.now()
        while !done.isCancelled {
            next += 50_000_000
            clock.sleep(until: next, unless: done)
            poll()
        }
    }

    func poll() {
        let clock = queries.clock
        for (datasource, probes) in tracker.waiting(now: clock.now()) {
            let keyExpression = tracker.keyExpression(datasource)
            let keys = probes.prefix(200).map { "'" + $0.key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'" }
            let rows: [[String: JSONValue]]
            do {
                rows = try queries.sql("SELECT \(keyExpression) AS k FROM \(datasource) WHERE k IN (\(keys.joined(separator: ",")))", retrying: false)
            } catch {
                warnings.add("freshness probe queries failed; those probes were polled again later", detail: "\(error)")
                continue
            }
            let now = clock.now()
            let seen = Set(rows.compactMap { row -> String? in
                if case .string(let s)? = row["k"] { return s }
                return nil
            })
            tracker.markVisible(probes.filter { seen.contains($0.key) }.map(\.id), at: now)
        }
    }
}
